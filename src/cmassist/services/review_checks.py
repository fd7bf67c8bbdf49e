"""Tone and compliance findings in review: each version's check kept with it, and its
blocking findings, which stop a draft from being submitted or approved until they are fixed
or a reviewer overrides them."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from cmassist.domain.errors import BlockingFindingsError, CmassistError, UnknownBrandError
from cmassist.services.gate import text_hash
from cmassist.services.ports.persistence import DraftRecord, JSONValue, UnitOfWork, VersionRecord

CHECKED_KINDS = ("post", "reply")


@runtime_checkable
class PublicCheck(Protocol):
    """A check result that gives its stored (JSON) form, as the checker's CheckResult does."""

    def public(self) -> Mapping[str, JSONValue]: ...


# (text, brand=, platform=, kind=, language=[, replying_to=]) -> the check, or its public
# form; raises when the text cannot be checked.
CheckFn = Callable[..., Mapping[str, JSONValue] | PublicCheck]
StoredCheck = dict[str, JSONValue]


@dataclass(frozen=True)
class BlockingFinding:
    """A finding that blocks, read from a stored check."""

    rule: str
    start: int
    end: int
    message: str

    @classmethod
    def of(cls, finding: Mapping[str, JSONValue]) -> BlockingFinding:
        start, end = finding.get("start", 0), finding.get("end", 0)
        return cls(
            rule=str(finding.get("rule", "?")),
            start=start if isinstance(start, int) else 0,
            end=end if isinstance(end, int) else 0,
            message=str(finding.get("message", "")),
        )

    def words(self, text: str) -> str:
        return text[self.start : self.end]

    def describe(self, text: str) -> str:
        words = self.words(text).strip()
        return f"{self.rule} “{words[:40]}”" if words else self.rule

    def summary(self, text: str) -> dict[str, JSONValue]:
        """What an override keeps of the finding it lets go."""
        return {"rule": self.rule, "text": self.words(text), "message": self.message}


def blocking_in(check: Mapping[str, JSONValue] | None) -> list[BlockingFinding]:
    """The blocking findings of a stored check; a check that failed counts as one."""
    if check is None or "unchecked" in check:
        return []
    if "error" in check:
        reason = f"the text could not be checked: {check['error']}"
        return [BlockingFinding("check_failed", 0, 0, reason)]
    findings = check.get("findings")
    if not isinstance(findings, list):
        return []
    return [
        BlockingFinding.of(f)
        for f in findings
        if isinstance(f, Mapping) and f.get("severity") == "block"
    ]


class ReviewChecks:
    """Runs the checker on a version's text and reads what blocks it."""

    def __init__(self, checker: CheckFn | None) -> None:
        # Without a checker (a bare review store), drafts are not checked and nothing is
        # blocked by findings; bootstrap always wires the tone and compliance checker.
        self.checker = checker

    def run(
        self, text: str, brand: str, platform: str, kind: str, language: str, context: str = ""
    ) -> StoredCheck | None:
        """The check of one text, to keep with its version; an error is kept as such. A
        reply is checked against the comment it answers (`context`)."""
        if self.checker is None or kind not in CHECKED_KINDS:
            return None
        bound = text_hash(text, platform)
        try:
            extra = {"replying_to": context} if kind == "reply" and context else {}
            result = self.checker(
                text, brand=brand, platform=platform, kind=kind, language=language, **extra
            )
        except UnknownBrandError as e:  # no knowledge store to check against: said, not blocked
            return {"unchecked": str(e), "text_hash": bound}
        except Exception as e:  # kept, and the gate then refuses until a reviewer decides
            message = str(e) if isinstance(e, CmassistError) else f"{type(e).__name__}: {e}"
            return {"error": message, "text_hash": bound}
        public = result.public() if isinstance(result, PublicCheck) else result
        return {**public, "text_hash": bound}

    def usable(self, check: Mapping[str, JSONValue] | None, text: str, platform: str) -> bool:
        """Whether a check made elsewhere (the drafting service's) is of exactly this text."""
        return check is not None and check.get("text_hash") == text_hash(text, platform)

    def blocking(
        self, uow: UnitOfWork, draft: DraftRecord, current: VersionRecord
    ) -> list[BlockingFinding]:
        """The current version's blocking findings; checked again (and kept) when its stored
        check is missing or of other words."""
        if self.checker is None or draft.kind not in CHECKED_KINDS:
            return []
        check = current.check_result
        if check is None or check.get("text_hash") != current.text_hash:
            check = self.run(
                current.text,
                draft.brand,
                current.platform,
                draft.kind,
                draft.language,
                draft.context,
            )
            uow.drafts.set_check(current.id, check)
        return blocking_in(check)

    def require_none(
        self, uow: UnitOfWork, draft: DraftRecord, current: VersionRecord, action: str
    ) -> None:
        """A BlockingFindingsError unless nothing blocks, or a reviewer overrode exactly
        these words."""
        blocking = self.blocking(uow, draft, current)
        if not blocking:
            return
        if uow.decisions.override_for(draft.id, current.number, current.text_hash) is not None:
            return
        listed = "; ".join(f.describe(current.text) for f in blocking[:3])
        more = f" and {len(blocking) - 3} more" if len(blocking) > 3 else ""
        raise BlockingFindingsError(
            f"draft #{draft.id} has {len(blocking)} blocking finding"
            f"{'s' if len(blocking) > 1 else ''} ({listed}{more}) and cannot be {action}",
            "fix them (see the check), or a reviewer may override them with a reason",
        )
