"""Errors meant for the user: each says what is wrong and what to do, on one line.

The CLI turns them into a one-line message and an exit code; the UI shows them as a
message; tests see the real exception.
"""

from __future__ import annotations


class CmassistError(Exception):
    """Base of every error a user can act on."""

    exit_code = 1

    def __init__(self, problem: str, fix: str | None = None) -> None:
        self.problem = problem.rstrip(". ")
        self.fix = fix.rstrip(". ") if fix else None
        super().__init__(str(self))

    def __str__(self) -> str:
        text = f"{self.problem}: {self.fix}" if self.fix else self.problem
        # One line, always: a message that wraps in a terminal is still one line.
        return " ".join(text.split())

    def to_dict(self) -> dict[str, str | None]:
        return {"type": type(self).__name__, "problem": self.problem, "fix": self.fix}


class InputError(CmassistError):
    """The user gave something we cannot use (empty brief, unknown platform, ...)."""

    exit_code = 2


class UnknownBrandError(InputError):
    pass


class UnknownPlatformError(InputError):
    pass


class FileFormatError(InputError):
    """A whole file cannot be read (not UTF-8, not JSON, no usable columns)."""


class ConfigError(CmassistError):
    """A setting is missing or inconsistent."""

    exit_code = 3


class StoreError(CmassistError):
    """The knowledge store cannot be reached or is inconsistent."""

    exit_code = 4


class LLMError(CmassistError):
    """The language model failed; subclasses say how."""

    exit_code = 5


class LLMUnavailableError(LLMError):
    """The endpoint cannot be reached or the model cannot be loaded."""


class LLMTimeoutError(LLMError):
    pass


class LLMBusyError(LLMError):
    """The model serves one call at a time and this one waited too long for its turn."""


class LLMRateLimitError(LLMError):
    pass


class LLMResponseError(LLMError):
    """The endpoint answered with an error status that retrying will not fix."""

    def __init__(self, problem: str, fix: str | None = None, status: int | None = None) -> None:
        self.status = status
        super().__init__(problem, fix)


class AuthError(CmassistError):
    """Unknown user, wrong password or disabled account."""

    exit_code = 6


class ForbiddenError(CmassistError):
    """The user may not do this (role, two-person rule)."""

    exit_code = 6


class NotFoundError(InputError):
    pass


class StateError(InputError):
    """The draft is not in a state that allows this action."""


class BlockingFindingsError(StateError):
    """The draft's current text has blocking findings and no reviewer has overridden them."""


class ConflictError(CmassistError):
    """Someone else changed the draft since it was read: nothing was written."""

    exit_code = 7


class PublishBlockedError(CmassistError):
    """The publishing gate refused: no valid approval of this exact text."""

    exit_code = 8


class PublishError(CmassistError):
    """A publisher could not deliver a post. `transient`: a later retry may succeed
    (timeouts, rate limits, server errors); otherwise retrying the same request is useless."""

    exit_code = 8

    def __init__(
        self,
        problem: str,
        fix: str | None = None,
        *,
        transient: bool,
        status: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        self.transient = transient
        self.status = status
        self.retry_after = retry_after
        super().__init__(problem, fix)
