"""Guideline documents: Markdown split by heading, with the brand's rules in YAML front matter.

The front matter is the machine-readable part (banned terms, emoji and hashtag policy,
link domains, reply signature, ...). Each rule keeps the file and line it came from,
so whoever applies it can cite it; a malformed rule is reported with file and line
and skipped, the rest of the document still loads.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from cmassist.domain.facts import ALL_KINDS, FactKind
from cmassist.domain.findings import Severity
from cmassist.domain.textutil import detect_language

Lang = Literal["en", "fr", "any"]


class Rule(BaseModel):
    """What every rule has: where it was written (to cite it) and an optional severity."""

    model_config = ConfigDict(extra="forbid")
    source: str | None = Field(default=None, exclude=False)
    line: int | None = None
    # Overrides the checker's default severity for findings of this rule.
    severity: Severity | None = None


class TermRule(Rule):
    term: str = Field(min_length=1)
    lang: Lang = "any"
    replacement: str | None = None
    reason: str = Field(min_length=1)
    # Phrases in which the term is fine ("lien dans la bio" for the claim "bio").
    unless: list[str] = Field(default_factory=list)


class ClaimRule(Rule):
    term: str = Field(min_length=1)
    lang: Lang = "any"
    reason: str | None = None
    unless: list[str] = Field(default_factory=list)


class EmojiRule(Rule):
    max_per_post: int | None = Field(default=None, ge=0)
    banned: list[str] = Field(default_factory=list)
    reason: str | None = None


class HashtagRule(Rule):
    max_per_post: int | None = Field(default=None, ge=0)
    case: Literal["camel", "lower", "any"] = "any"
    banned: list[str] = Field(default_factory=list)
    required: list[str] = Field(default_factory=list)
    reason: str | None = None


class LinkRule(Rule):
    allowed_domains: list[str] = Field(default_factory=list)
    reason: str | None = None


class LocalizedText(Rule):
    en: str | None = None
    fr: str | None = None
    reason: str | None = None
    # Where the text must stand: the ad disclosure "start" (within `within_chars`),
    # the reply signature always at the end.
    position: Literal["start", "anywhere"] = "anywhere"
    within_chars: int = Field(default=80, gt=0)
    # Phrases that make a post a partnership post even when nobody ticked "sponsored".
    triggers: list[str] = Field(default_factory=list)

    def get(self, language: str) -> str | None:
        return getattr(self, language, None) or self.en or self.fr

    def variants(self) -> list[str]:
        return [t for t in (self.en, self.fr) if t]


class ShoutingRule(Rule):
    max_caps_ratio: float = Field(default=0.3, gt=0, le=1)
    max_exclamations: int = Field(default=1, ge=0)
    # Acronyms that are not shouting (CAD, FAQ...).
    allowed_caps: list[str] = Field(default_factory=list)
    reason: str | None = None


class FactsRule(Rule):
    """Contact details, URLs, prices, dates and times must be found in the knowledge store."""

    kinds: list[FactKind] = Field(default_factory=lambda: list(ALL_KINDS))
    reason: str | None = None


class PlatformRule(Rule):
    max_hashtags: int | None = Field(default=None, ge=0)
    max_emoji: int | None = Field(default=None, ge=0)
    max_chars: int | None = Field(default=None, gt=0)
    reason: str | None = None


class Topic(Rule):
    name: str = Field(min_length=1)
    keywords: list[str] = Field(default_factory=list)


class VoiceRule(Rule):
    adjectives: list[str] = Field(default_factory=list)
    reason: str | None = None
    # Headings (or part of them) of the sections listing example sentences as bullets.
    on_examples_section: str | None = None
    off_examples_section: str | None = None
    # Below this voice score (0-100) the checker reports the text as off-voice.
    min_score: int = Field(default=50, ge=0, le=100)


class BrandRules(BaseModel):
    """The machine-readable rules of one brand, merged from all its documents."""

    banned_terms: list[TermRule] = Field(default_factory=list)
    discouraged_terms: list[TermRule] = Field(default_factory=list)
    claims_needing_proof: list[ClaimRule] = Field(default_factory=list)
    emoji: EmojiRule | None = None
    hashtags: HashtagRule | None = None
    links: LinkRule | None = None
    reply_signature: LocalizedText | None = None
    ad_disclosure: LocalizedText | None = None
    shouting: ShoutingRule | None = None
    platforms: dict[str, PlatformRule] = Field(default_factory=dict)
    topics: list[Topic] = Field(default_factory=list)
    voice: VoiceRule | None = None
    facts: FactsRule | None = None

    def merge(self, other: BrandRules) -> BrandRules:
        """Lists add up (first of a term wins); single rules and platforms: first set wins."""
        merged = self.model_copy(deep=True)
        for name in ("banned_terms", "discouraged_terms", "claims_needing_proof", "topics"):
            mine: list[Any] = getattr(merged, name)
            seen = {_key(r) for r in mine}
            for rule in getattr(other, name):
                if _key(rule) not in seen:
                    mine.append(rule)
                    seen.add(_key(rule))
        for name in (
            "emoji",
            "hashtags",
            "links",
            "reply_signature",
            "ad_disclosure",
            "shouting",
            "voice",
            "facts",
        ):
            if getattr(merged, name) is None:
                setattr(merged, name, getattr(other, name))
        for platform, rule in other.platforms.items():
            merged.platforms.setdefault(platform, rule)
        return merged

    def is_empty(self) -> bool:
        return self == BrandRules()

    def limit(
        self, what: Literal["hashtags", "emoji"], platform: Any | None = None
    ) -> tuple[int | None, Rule | None]:
        """How many hashtags or emoji a post may have, and the rule that says so (to cite):
        the brand's per-platform rule, else its general rule, within the platform's own
        cap where it has one (a `Platform` with `max_hashtags`)."""
        override = self.platforms.get(platform.key) if platform is not None else None
        value = getattr(override, f"max_{what}") if override is not None else None
        rule: Rule | None = override
        if value is None:
            rule = self.hashtags if what == "hashtags" else self.emoji
            value = rule.max_per_post if rule is not None else None
        cap = getattr(platform, f"max_{what}", None)
        if cap is not None:
            value = cap if value is None else min(value, cap)
        return value, rule


def _key(rule: Any) -> tuple[str, str]:
    if isinstance(rule, Topic):
        return (rule.name.casefold(), "")
    return (rule.term.casefold(), rule.lang)


_LIST_RULES: dict[str, type[Rule]] = {
    "banned_terms": TermRule,
    "discouraged_terms": TermRule,
    "claims_needing_proof": ClaimRule,
    "topics": Topic,
}
_ONE_RULES: dict[str, type[Rule]] = {
    "emoji": EmojiRule,
    "hashtags": HashtagRule,
    "links": LinkRule,
    "reply_signature": LocalizedText,
    "ad_disclosure": LocalizedText,
    "shouting": ShoutingRule,
    "voice": VoiceRule,
    "facts": FactsRule,
}
KNOWN_RULES = sorted([*_LIST_RULES, *_ONE_RULES, "platforms"])


@dataclass
class RuleIssue:
    """A problem in a guideline document's machine-readable part."""

    file: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.message}"


@dataclass
class Passage:
    heading: str  # "Title > Section > Subsection"
    text: str  # the section's text, its heading included
    ordinal: int
    line: int
    language: str | None


@dataclass
class GuidelineDocument:
    path: str
    title: str
    brand: str | None
    brand_name: str | None
    language: str | None
    rules: BrandRules
    passages: list[Passage]
    issues: list[RuleIssue] = field(default_factory=list)
    has_front_matter: bool = False


_FRONT = re.compile(r"\A---[ \t]*\n(.*?\n)?---[ \t]*(?:\n|\Z)", re.DOTALL)
_HEADING = re.compile(r"^(#{1,6})[ \t]+(.+?)[ \t#]*$")
MAX_PASSAGE_CHARS = 1500


def parse_document(text: str, path: str) -> GuidelineDocument:
    """Parse one Markdown guideline document (already decoded)."""
    issues: list[RuleIssue] = []
    meta: dict[str, Any] = {}
    body, body_line = text, 1
    root: yaml.Node | None = None
    match = _FRONT.match(text)
    if match:
        raw = match.group(1) or ""
        body = text[match.end() :]
        body_line = text[: match.end()].count("\n") + 1
        try:
            root = yaml.compose(raw)
            loaded = yaml.safe_load(raw)
        except yaml.YAMLError as e:
            mark = getattr(e, "problem_mark", None)
            line = mark.line + 2 if mark else 1
            problem = getattr(e, "problem", None) or str(e).splitlines()[0]
            issues.append(
                RuleIssue(
                    path,
                    line,
                    f"front matter is not valid YAML ({problem}); "
                    "fix it, the document's text was still loaded",
                )
            )
            loaded = None
        if loaded is None:
            loaded = {}
        if not isinstance(loaded, dict):
            issues.append(RuleIssue(path, 2, "front matter must be a mapping of keys to values"))
            loaded = {}
        meta = loaded

    def line_of(*keys: str | int) -> int | None:
        node = root
        if node is None:
            return None
        for key in keys:
            if isinstance(node, yaml.MappingNode):
                nxt = next((v for k, v in node.value if k.value == key), None)
            elif isinstance(node, yaml.SequenceNode) and isinstance(key, int):
                nxt = node.value[key] if key < len(node.value) else None
            else:
                nxt = None
            if nxt is None:
                break
            node = nxt
        return node.start_mark.line + 2  # +1 for 1-based, +1 for the opening ---

    rules = _parse_rules(meta.get("rules"), path, line_of, issues)
    title = str(meta.get("title") or "").strip()
    passages = split_passages(body, body_line, default_language=_lang(meta.get("lang")))
    if not title:
        title = next((p.heading.split(" > ")[0] for p in passages), Path(path).stem)
    return GuidelineDocument(
        path=path,
        title=title,
        brand=str(meta["brand"]).strip() if meta.get("brand") else None,
        brand_name=str(meta["brand_name"]).strip() if meta.get("brand_name") else None,
        language=_lang(meta.get("lang")),
        rules=rules,
        passages=passages,
        issues=issues,
        has_front_matter=bool(match),
    )


def _lang(value: Any) -> str | None:
    return value if value in ("fr", "en") else None


@dataclass
class _RuleReader:
    """Builds rules from one document's front matter, noting each problem with its line."""

    path: str
    line_of: Callable[..., int | None]
    issues: list[RuleIssue]

    def problem(self, where: tuple[str | int, ...], message: str) -> None:
        self.issues.append(RuleIssue(self.path, self.line_of("rules", *where), message))

    def build(self, model: type[Rule], value: Any, *where: str | int) -> Rule | None:
        if not isinstance(value, dict):
            self.problem(where, f"rules.{_dotted(where)} must be a mapping")
            return None
        try:
            return model.model_validate(
                {**value, "source": self.path, "line": self.line_of("rules", *where)}
            )
        except ValidationError as e:
            err = e.errors()[0]
            loc = ".".join(str(p) for p in err["loc"])
            field_path = _dotted(where) + (f".{loc}" if loc else "")
            self.problem(
                (*where, *err["loc"]), f"rules.{field_path}: {err['msg'].lower()}; rule skipped"
            )
            return None


def _parse_rules(
    raw: Any, path: str, line_of: Callable[..., int | None], issues: list[RuleIssue]
) -> BrandRules:
    rules = BrandRules()
    if raw is None:
        return rules
    reader = _RuleReader(path, line_of, issues)
    if not isinstance(raw, dict):
        issues.append(RuleIssue(path, line_of("rules"), "`rules` must be a mapping"))
        return rules
    for name, value in raw.items():
        if name in _LIST_RULES:
            if not isinstance(value, list):
                reader.problem((name,), f"rules.{name} must be a list")
                continue
            for i, item in enumerate(value):
                if isinstance(item, str) and name != "topics":
                    item = {"term": item}
                rule = reader.build(_LIST_RULES[name], item, name, i)
                if rule is not None:
                    getattr(rules, name).append(rule)
        elif name in _ONE_RULES:
            rule = reader.build(_ONE_RULES[name], value, name)
            if rule is not None:
                setattr(rules, name, rule)
        elif name == "platforms":
            _parse_platforms(reader, rules, value)
        else:
            reader.problem((name,), f"unknown rule {name!r}; known rules: {', '.join(KNOWN_RULES)}")
    return rules


def _parse_platforms(reader: _RuleReader, rules: BrandRules, value: Any) -> None:
    """`rules.platforms`: a rule per platform, by its key or a common alias."""
    from cmassist.domain.platforms import PLATFORMS, get_platform

    if not isinstance(value, dict):
        reader.problem(("platforms",), "rules.platforms must be a mapping")
        return
    for platform, item in value.items():
        key = str(platform).lower()
        if key not in PLATFORMS:
            try:
                key = get_platform(key).key
            except Exception:
                reader.problem(
                    ("platforms", platform),
                    f"rules.platforms.{platform}: unknown platform; "
                    f"use one of {', '.join(PLATFORMS)}",
                )
                continue
        rule = reader.build(PlatformRule, item, "platforms", platform)
        if isinstance(rule, PlatformRule):
            rules.platforms[key] = rule


def _dotted(parts: tuple[str | int, ...]) -> str:
    out = ""
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out


def split_passages(
    body: str, first_line: int = 1, default_language: str | None = None
) -> list[Passage]:
    """Split Markdown into sections by heading; each passage stands alone with its heading path."""
    sections: list[tuple[list[str], int, list[str]]] = []
    path: list[str] = []
    current: list[str] = []
    start = first_line
    in_code = False
    for offset, line in enumerate(body.splitlines()):
        if line.lstrip().startswith("```"):
            in_code = not in_code
        m = None if in_code else _HEADING.match(line)
        if m:
            sections.append((list(path), start, current))
            level = len(m.group(1))
            path = path[: level - 1] + [""] * max(0, level - 1 - len(path))
            path.append(m.group(2).strip())
            current = [line]
            start = first_line + offset
        else:
            current.append(line)
    sections.append((list(path), start, current))

    passages: list[Passage] = []
    for heading_path, first, lines in sections:
        text = "\n".join(lines).strip()
        content = "\n".join(ln for ln in lines if not _HEADING.match(ln)).strip()
        if not content:
            continue
        heading = " > ".join(h for h in heading_path if h) or "(untitled)"
        for chunk in _chunks(text):
            passages.append(
                Passage(
                    heading, chunk, len(passages), first, detect_language(chunk, default_language)
                )
            )
    return passages


def _chunks(text: str) -> list[str]:
    if len(text) <= MAX_PASSAGE_CHARS:
        return [text]
    chunks: list[str] = []
    current = ""
    for para in re.split(r"\n\s*\n", text):
        if current and len(current) + len(para) + 2 > MAX_PASSAGE_CHARS:
            chunks.append(current)
            current = ""
        current = f"{current}\n\n{para}" if current else para
        while len(current) > MAX_PASSAGE_CHARS:  # a single huge paragraph
            cut = current.rfind(" ", 0, MAX_PASSAGE_CHARS)
            cut = cut if cut > 0 else MAX_PASSAGE_CHARS
            chunks.append(current[:cut])
            current = current[cut:].lstrip()
    if current.strip():
        chunks.append(current)
    return chunks
