"""Choosing among candidates: what drops one (a blocking finding, the few-shot format, a
copy, a cut-off, the wrong language, a missing signature), how the rest rank (findings by
severity, voice, novelty against past posts and the other variants), and why the chosen
one was chosen, in a few words a person can read."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from cmassist.domain.factsheet import FactSheet, mentioned, words_only
from cmassist.domain.findings import PENALTY, CheckResult, Finding
from cmassist.domain.language import detect_language
from cmassist.domain.signatures import find_signature
from cmassist.domain.textmatch import fold_str
from cmassist.domain.textutil import excerpt
from cmassist.services.drafting.factlines import brand_names

# A later candidate replaces an earlier one (whose text the person already saw stream) only
# when it is better by this many points of `Candidate.score` (out of 100).
MARGIN = 5.0
COPY_SHARE = 0.6  # share of a candidate's word triples found in one past text: a copy
TWIN_SHARE = 0.8  # ... in an already chosen variant: the same text twice
NEUTRAL_VOICE = 60  # the voice of a candidate the checker could not score
LANGUAGE_NAMES = {"fr": "French", "en": "English"}

# Short names of the checker's blocking rules, for the reasons a candidate was dropped.
RULE_LABELS = {
    "injection_followed": "follows an instruction of the comment",
    "customer_pii": "repeats personal data",
    "sensitive_data_request": "asks for sensitive data",
    "unsafe_markup": "unsafe markup",
    "unsupported_fact": "invented fact",
    "unverified_fact": "invented fact",
    "contradicted_fact": "contradicts the fact sheet",
    "unknown_name": "unknown name",
    "copied_brief": "copies the brief",
    "scaffolding": "prompt scaffolding",
    "cut_off": "cut off mid-sentence",
    "near_copy": "near-copy of a past text",
    "banned_term": "banned term",
    "link_domain": "link not allowed",
    "ad_disclosure": "no ad disclosure",
    "length": "too long",
}


@dataclass
class Candidate:
    """One generation for a request: its final text, its check, and why it was dropped."""

    n: int  # 1-based, in the order written
    text: str
    notes: list[str] = field(default_factory=list)
    check: CheckResult | None = None
    check_error: str | None = None
    reasons: list[str] = field(default_factory=list)  # why it is dropped; [] survives
    tokens: int = 0
    gen_s: float = 0.0  # time spent generating it (not checking)
    stopped: str | None = None  # why its generation was stopped early, if it was
    slot: int | None = None  # the variant whose card showed its tokens as it was written
    novelty: float = 1.0  # 1: no word triple in common with past texts or chosen variants
    # built without the model (a past reply adapted, a reply composed, the brief's post):
    # right by construction, so a model candidate never outranks it while it survives
    built: bool = False

    @property
    def survives(self) -> bool:
        return not self.reasons

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.check.findings if f.severity == "warn"] if self.check else []

    @property
    def voice(self) -> int | None:
        return self.check.voice.score if self.check and self.check.voice else None

    @property
    def compliance(self) -> int:
        """100 less the points the checker's non-blocking findings take (the voice aside)."""
        if self.check is None:
            return 100
        lost = sum(PENALTY[f.severity] for f in self.check.findings if f.rule != "voice")
        return max(0, 100 - lost)

    @property
    def score(self) -> float:
        """How good a surviving candidate is, out of 100: findings, voice, novelty."""
        voice = self.voice if self.voice is not None else NEUTRAL_VOICE
        return 0.5 * self.compliance + 0.3 * voice + 0.2 * 100 * self.novelty

    @property
    def clean(self) -> bool:
        """Survives with no warning at all, or was built without the model: nothing more
        to gain by writing another."""
        return self.survives and (self.built or not self.warnings)


# -- what drops a candidate ---------------------------------------------------------------


def flagged_reasons(text: str, check: CheckResult) -> list[str]:
    """The blocking findings of a check of `text` as short reasons, each quoting the words
    it flags (none for a cut-off, scaffolding or a copy: the words say nothing there)."""
    out: list[str] = []
    for f in check.blocking:
        label = RULE_LABELS.get(f.rule, f.rule.replace("_", " "))
        span = " ".join(text[f.start : f.end].split())
        quoted = f.rule not in ("cut_off", "scaffolding", "near_copy", "length", "ad_disclosure")
        reason = f"{label} “{excerpt(span, 40)}”" if span and quoted else label
        if reason not in out:
            out.append(reason)
    return out


def language_reason(text: str, language: str, signature: str | None) -> str | None:
    """Why the text is in the wrong language (the signature, hashtags and links aside)."""
    body = text
    if signature:
        found = find_signature(body, signature)
        if found is not None:
            body = body[: found.start]
    body = re.sub(r"(?:https?://|www\.)\S+|[#@][\w.-]+", " ", body)
    if len(re.findall(r"\w+", body)) < 4:
        return None  # too short to tell
    found_lang = detect_language(body, None)
    if found_lang and found_lang != language:
        return f"wrong language: reads as {LANGUAGE_NAMES.get(found_lang, found_lang)}"
    return None


def brief_reason(
    text: str, brief: str | None, sheet: FactSheet | None, brand_name: str = ""
) -> str | None:
    """Why a post misses what its brief is about: the brief names the brand's products,
    places, programmes, partners or people, and the post names none of them (in either
    language). The seen failure: a brief on the Mile End café's weekend hours that came
    back as a post on last year's recall."""
    if not brief or sheet is None or not len(sheet):
        return None
    own = f" {words_only(brand_name)} " if brand_name else ""
    names = [n for n in brand_names(sheet) if not own or f" {words_only(n)} " not in own]
    asked = mentioned(names, brief)
    if not asked:
        return None
    # plurals ("croissants") and hashtags ("#MileEnd") name the same things
    singular = {_singular(n): n for n in names}
    written = _singular(_HASHTAG.sub(lambda m: _CAMEL.sub(" ", m.group(1)), text))
    said = {_record(sheet, singular[n]) for n in mentioned(singular, written)}
    if said & {_record(sheet, n) for n in asked}:
        return None
    return f"off the brief: names none of {', '.join(f'“{n}”' for n in asked[:3])}"


_HASHTAG = re.compile(r"#(\w+)")
_CAMEL = re.compile(r"(?<=[a-zà-ÿ])(?=[A-ZÀ-Ý])|_")
_PLURAL = re.compile(r"(?<=\w\w\w)[sx]\b")


def _singular(text: str) -> str:
    return _PLURAL.sub("", words_only(text))


def _record(sheet: FactSheet, name: str) -> str:
    """One key for a name and its aliases (the other language's name)."""
    known = sheet.known_name(name)
    return words_only(known.name) if known is not None else words_only(name)


def signature_reason(text: str, signature: str | None) -> str | None:
    if signature and find_signature(text, signature) is None:
        return "no reply signature"
    return None


def copy_reason(text: str, past: Sequence[str], kind: str) -> str | None:
    """Why the text is a copy of a past post or reply (most of its word triples in one)."""
    mine = triples(text)
    if len(mine) < 4:
        return None
    best = max((len(mine & triples(p)) / len(mine) for p in past), default=0.0)
    if best >= COPY_SHARE:
        return f"copies a past {'reply' if kind == 'reply' else 'post'} ({round(100 * best)}%)"
    return None


def triples(text: str) -> set[tuple[str, ...]]:
    """The text's word triples, case and accents folded (hashtags kept as words)."""
    words = re.findall(r"\w+", fold_str(text))
    return {tuple(words[i : i + 3]) for i in range(len(words) - 2)}


def novelty(text: str, others: Sequence[str]) -> float:
    """1 less the largest share of the text's word triples found in one of `others`."""
    mine = triples(text)
    if not mine:
        return 1.0
    return 1.0 - max((len(mine & triples(o)) / len(mine) for o in others), default=0.0)


# -- choosing -------------------------------------------------------------------------------


def choose(pool: Sequence[Candidate], variants: int, past: Sequence[str]) -> list[Candidate]:
    """Up to `variants` surviving candidates, best first: each the best by `score` with its
    novelty counted against the past texts and the variants chosen before it; a candidate
    built without the model wins while it survives, and an earlier candidate wins unless a
    later one is better by MARGIN; a twin of a chosen one is skipped while others remain."""
    left = [c for c in pool if c.survives]
    chosen: list[Candidate] = []
    while left and len(chosen) < variants:
        others = [*past, *(c.text for c in chosen)]
        for c in left:
            c.novelty = novelty(c.text, others)
        distinct = [c for c in left if all(twin_share(c.text, x.text) < TWIN_SHARE for x in chosen)]
        group = distinct or left
        best = max(c.score for c in group)
        pick = next((c for c in group if c.built), None) or min(
            (c for c in group if c.score >= best - MARGIN), key=lambda c: c.n
        )
        chosen.append(pick)
        left.remove(pick)
    return chosen


def assign(chosen: Sequence[Candidate], variants: int) -> dict[int, Candidate]:
    """The variant each chosen candidate is returned as: the one whose card showed it being
    written when it is free, else the first free one, in the order chosen."""
    out: dict[int, Candidate] = {}
    for c in chosen:
        if c.slot is not None and c.slot not in out:
            out[c.slot] = c
    rest = [c for c in chosen if all(c is not x for x in out.values())]
    free = [v for v in range(1, variants + 1) if v not in out]
    out.update(zip(free, rest, strict=False))
    return out


def twin_share(a: str, b: str) -> float:
    mine = triples(a)
    return len(mine & triples(b)) / len(mine) if mine else float(a.strip() == b.strip())


def settled(pool: Sequence[Candidate], variants: int) -> bool:
    """Whether `variants` clean candidates are in hand: another would not be better."""
    return sum(1 for c in pool if c.clean) >= variants


# -- why --------------------------------------------------------------------------------------


def dropped_summary(pool: Sequence[Candidate]) -> str:
    """ "2 dropped (cut off mid-sentence; invented fact “19 $”)", or "none dropped"."""
    dropped = [c for c in pool if not c.survives]
    if not dropped:
        return "none dropped"
    reasons: list[str] = []
    for c in dropped:
        for r in c.reasons[:2]:
            if r not in reasons:
                reasons.append(r)
    shown = "; ".join(reasons[:4]) + ("; …" if len(reasons) > 4 else "")
    return f"{len(dropped)} dropped ({shown})"


def why_chosen(c: Candidate, pool: Sequence[Candidate]) -> list[str]:
    """Why `c` was returned: among how many, what was dropped, its findings, voice, novelty."""
    out = [
        f"best of {len(pool)}: {dropped_summary(pool)}"
        if len(pool) > 1
        else "the only candidate written"
    ]
    warnings = sorted({f.rule.replace("_", " ") for f in c.warnings})
    if c.check is None:
        out.append("not checked: " + c.check_error if c.check_error else "not checked (no checker)")
    elif warnings:
        out.append(f"{len(c.warnings)} warning(s): {', '.join(warnings)}")
    else:
        out.append("no warning")
    if c.voice is not None:
        out.append(f"voice {c.voice}/100")
    out.append(f"novelty {round(100 * c.novelty)}%")
    if c.stopped:
        out.append(c.stopped)
    return out


def why_none(pool: Sequence[Candidate], good: int, variants: int) -> list[str]:
    """Why a variant has no draft: how many candidates were written and how many were good."""
    if not pool:
        return ["nothing could be built from the brand's replies, facts or statements"]
    if good == 0:
        return [f"all {len(pool)} candidates were dropped"]
    return [f"{good} good of {len(pool)} candidates, for {variants} variants"]
