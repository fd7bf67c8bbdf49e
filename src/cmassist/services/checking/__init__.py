"""Checking a post or reply against the brand's rules and voice: `Checker` runs the rules
(one module per family) over the brand's profile and returns a `CheckResult`."""

from __future__ import annotations

from cmassist.services.checking.checker import (
    RULES,
    BrandProfile,
    Checker,
    CheckResult,
    Finding,
    apply_fixes,
    check_input,
)

__all__ = [
    "RULES",
    "BrandProfile",
    "CheckResult",
    "Checker",
    "Finding",
    "apply_fixes",
    "check_input",
]
