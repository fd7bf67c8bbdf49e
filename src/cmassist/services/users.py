"""The people who use cmassist: accounts, roles, logins, enabling and disabling; every
change and every refused login is audited."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from cmassist.domain.errors import (
    AuthError,
    ConfigError,
    ForbiddenError,
    InputError,
    NotFoundError,
)
from cmassist.domain.passwords import DUMMY_HASH, ROLES, hash_password, verify_password
from cmassist.services.audit import AuditLog
from cmassist.services.ports.persistence import Database, UnitOfWork, UserRecord

log = logging.getLogger(__name__)

MIN_PASSWORD = 8
# Where a fresh install's first admin comes from when no name and password are given.
ADMIN_USER_VAR = "CMASSIST_ADMIN_USER"
ADMIN_PASSWORD_VAR = "CMASSIST_ADMIN_PASSWORD"


@dataclass(frozen=True)
class Actor:
    """Who is acting: an enabled user, as a login or the app's session found them."""

    id: int
    name: str
    role: str

    def can_review(self) -> bool:
        return self.role in ("reviewer", "admin")


@dataclass(frozen=True)
class UserInfo:
    """A user as the user lists show them (no password hash)."""

    name: str
    display_name: str
    role: str
    disabled: bool
    created_at: datetime

    def as_dict(self) -> dict[str, str | bool]:
        return {
            "name": self.name,
            "display_name": self.display_name,
            "role": self.role,
            "disabled": self.disabled,
            "created_at": self.created_at.isoformat(),
        }


def normalize(name: str | None) -> str:
    """User names are kept trimmed and in lower case."""
    return (name or "").strip().lower()


def check_role(role: str) -> None:
    if role not in ROLES:
        raise InputError(f"unknown role {role!r}", f"use one of {', '.join(ROLES)}")


def require_admin(actor: Actor, action: str) -> None:
    if actor.role != "admin":
        raise ForbiddenError(f"{actor.name} ({actor.role}) may not {action}", "ask an admin")


class UserService:
    """Accounts in the review database."""

    def __init__(self, database: Database, audit: AuditLog) -> None:
        self.db = database
        self.audit = audit

    def add(
        self, name: str, password: str, role: str, *, display_name: str = "", by: str = "system"
    ) -> Actor:
        name = normalize(name)
        if not name or not name.replace("-", "").replace("_", "").replace(".", "").isalnum():
            raise InputError(
                f"invalid user name {name!r}", "use letters, digits, dots, dashes or underscores"
            )
        check_role(role)
        if len(password or "") < MIN_PASSWORD:
            raise InputError(
                f"the password is shorter than {MIN_PASSWORD} characters", "choose a longer one"
            )
        with self.db.transaction() as uow:
            if uow.users.by_name(name) is not None:
                raise InputError(f"user {name!r} already exists", "choose another name")
            user = uow.users.add(
                name=name,
                display_name=display_name or name,
                role=role,
                password_hash=hash_password(password),
                at=self.db.now(),
            )
            self.audit.record(
                uow, by, "user_added", reason=f"{name} as {role}", user=name, role=role
            )
            return Actor(user.id, user.name, user.role)

    def list(self) -> list[UserInfo]:
        with self.db.transaction() as uow:
            return [
                UserInfo(u.name, u.display_name, u.role, u.disabled, u.created_at)
                for u in uow.users.all()
            ]

    def exist(self) -> bool:
        """Whether any user exists (the first one must be an admin)."""
        with self.db.transaction() as uow:
            return uow.users.count() > 0

    def ensure_first_admin(
        self,
        name: str | None = None,
        password: str | None = None,
        *,
        environ: Mapping[str, str] | None = None,
        by: str = "serve",
    ) -> Actor | None:
        """On a fresh install (no user yet), create the first admin from `name` and
        `password`, or else CMASSIST_ADMIN_USER and CMASSIST_ADMIN_PASSWORD (of `environ`,
        by default the process's), and return it; None when users exist already (then the
        variables are ignored). Nobody to create is a ConfigError, so that no app is served
        that nobody can log in to."""
        if self.exist():
            return None
        env = os.environ if environ is None else environ
        name = name or env.get(ADMIN_USER_VAR, "")
        password = password or env.get(ADMIN_PASSWORD_VAR, "")
        if not (name.strip() and password):
            raise ConfigError(
                "no user can log in yet",
                "create the first admin with `cmassist users add NAME --role admin`, or set "
                f"{ADMIN_USER_VAR} and {ADMIN_PASSWORD_VAR} and `cmassist serve` creates it",
            )
        actor = self.add(name, password, "admin", by=by)
        log.warning("created the first admin, %r", actor.name)
        return actor

    @staticmethod
    def _known(uow: UnitOfWork, name: str) -> UserRecord:
        user = uow.users.by_name(normalize(name))
        if user is None:
            raise NotFoundError(f"unknown user {name!r}", "see `cmassist users list`")
        return user

    def disable(self, name: str, *, by: str = "system", reason: str = "") -> None:
        with self.db.transaction() as uow:
            user = self._known(uow, name)
            if user.name == by:
                # So there is always an enabled admin left: the one doing this.
                raise InputError("you cannot disable your own account", "ask another admin")
            uow.users.set_disabled(user.id, True)
            self.audit.record(uow, by, "user_disabled", reason=reason, user=user.name)

    def enable(self, name: str, *, by: str, reason: str = "") -> None:
        with self.db.transaction() as uow:
            user = self._known(uow, name)
            if user.disabled:
                uow.users.set_disabled(user.id, False)
                self.audit.record(uow, by, "user_enabled", reason=reason, user=user.name)

    def set_role(self, name: str, role: str, *, by: str) -> None:
        """Change a user's role (audited); nobody takes their own admin role away, so an
        admin is always left."""
        check_role(role)
        with self.db.transaction() as uow:
            user = self._known(uow, name)
            if user.name == by and role != user.role:
                raise InputError("you cannot change your own role", "ask another admin")
            if user.role != role:
                uow.users.set_role(user.id, role)
                self.audit.record(
                    uow,
                    by,
                    "role_changed",
                    reason=f"{user.name}: {user.role} to {role}",
                    user=user.name,
                    role=role,
                )

    def authenticate(self, name: str, password: str) -> Actor:
        """The user, if the password is right and the account enabled; audited when refused."""
        key = normalize(name)
        with self.db.transaction() as uow:
            user = uow.users.by_name(key)
            ok = verify_password(password or "", user.password_hash if user else DUMMY_HASH)
            if user is None or not ok:
                why = "unknown user" if user is None else "wrong password"
                self.audit.record(uow, key or "?", "login_failed", reason=why)
                error = AuthError(
                    f"wrong user name or password for {key!r}",
                    "check them, or ask an admin (`cmassist users list`)",
                )
            elif user.disabled:
                self.audit.record(uow, key, "login_failed", reason="account disabled")
                error = AuthError(f"the account {key!r} is disabled", "ask an admin to enable it")
            else:
                return Actor(user.id, user.name, user.role)
        raise error

    def actor(self, name: str) -> Actor:
        """An enabled user by name, for callers that authenticated already (the app)."""
        with self.db.transaction() as uow:
            user = uow.users.by_name(normalize(name))
        if user is None or user.disabled:
            raise AuthError(f"no enabled user {name!r}", "log in again")
        return Actor(user.id, user.name, user.role)
