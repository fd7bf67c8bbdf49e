"""Logging in to the app: the check that `launch(auth=...)` calls over the review store's
users, and the login page's message."""

from __future__ import annotations

from collections.abc import Callable

from cmassist.bootstrap import Services
from cmassist.domain.errors import AuthError
from cmassist.interfaces.web.language import AUTH_MARKER

# Put in the request's language by cmassist.interfaces.web.language.
AUTH_MESSAGE = AUTH_MARKER


def app_auth(
    services: Services, *, admin_user: str | None = None, admin_password: str | None = None
) -> Callable[[str, str], bool]:
    """The login check for `launch(auth=...)`, over the review store's users.

    On a fresh install (no user yet) the first admin is created from `admin_user` and
    `admin_password`, or else CMASSIST_ADMIN_USER and CMASSIST_ADMIN_PASSWORD
    (`UserService.ensure_first_admin`); without them this refuses with a ConfigError, so
    that no app is served that nobody can log in to.
    """
    review = services.review
    review.users.ensure_first_admin(admin_user, admin_password)

    def check(username: str, password: str) -> bool:
        try:
            review.authenticate(username, password)
        except AuthError:
            return False  # audited as login_failed by the service
        return True

    return check
