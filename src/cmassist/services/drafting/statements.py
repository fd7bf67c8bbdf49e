"""The brand's own words for a comment that free generation must not answer: one tied to an
open crisis alert gets the holding statement of the crisis guidelines; a safety report (a
foreign body, an injury, an illness, an allergic reaction...) or a health question gets the
reply template the guidelines give for it, else the holding statement closest to it; and
each says where it goes inside the team (the escalation rule of the reply policy).

The statements are the guidelines' bullets, `- Label: « text »`: under a "Holding
statements" / "Déclarations d'attente" heading (`services.crisis`), or under a "Reply
templates" / "Modèles de réponse" heading; the escalation path is the bullet (or sentence) of
an "Escalation" / "Escalade" / "Safety reports" section closest to the comment. Bracketed
parts ("[time]", "[produit, lot]") are left for a person to fill in before review.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from cmassist.domain.alerts import AlertView
from cmassist.domain.errors import CmassistError
from cmassist.domain.guidelines import BrandRules
from cmassist.domain.language import detect_language
from cmassist.domain.models import Draft, Kind, PromptRef, Source
from cmassist.domain.platforms import PLATFORMS, count_chars
from cmassist.domain.safety import CATEGORY_NAMES, SafetyReading, read_safety
from cmassist.domain.textmatch import fold_str, term_pattern
from cmassist.domain.textutil import excerpt, sha256
from cmassist.services.crisis import Passage, Statement, choose, holding_statements
from cmassist.services.crisis_detection import subject_terms
from cmassist.services.drafting.adapt import intent_text
from cmassist.services.drafting.factlines import stems
from cmassist.services.drafting.postprocess import add_signature, platform_limit

if TYPE_CHECKING:
    from cmassist.services.checking.checker import Checker

Embed = Callable[[Sequence[str]], Sequence[Sequence[float]]]
SAFETY_TOPICS = frozenset(
    {"safety", "securite", "allergens", "allergenes", "allergies", "allergy", "health"}
    | {"sante", "recall", "recalls", "rappel", "rappels"}
)
# What each kind of report is about, in French and English (stems, see `factlines.stems`):
# the words that tie a report to a template's label or a holding statement's text.
CATEGORY_WORDS = {
    "foreign_body": "foreign object objet etranger plastic plastique glass verre metal morceau"
    " piece",
    "injury": "injury injured blessure blesse hurt accident crash chute tombe fell",
    "illness": "sick malade illness reaction symptoms symptomes",
    "allergy": "allergy allergic allergie allergique reaction symptoms symptomes",
    "burn": "burn burned brulure brule",
    "child": "child children enfant enfants",
    "legal": "legal lawyer avocat journalist journaliste media",
}
# What a holding statement about a product says ("a possible problem with [product]"), for a
# report of what was found in, or caused by, a product.
HOLDING_WORDS = frozenset({"produ", "probl", "conso", "preca"})
PRODUCT_REPORTS = frozenset({"foreign_body", "illness", "allergy"})
_TEMPLATES = re.compile(r"templates?|modeles? de reponse")
_ESCALATION = re.compile(r"escalat|escalade|safety report|signalements? de securite")
_BULLET = re.compile(
    r"^\s*[-*]\s*(?P<label>[^:«\"“\n]{1,60}?)\s*:\s*[«\"“]\s*(?P<text>.+?)\s*[»\"”]\s*$", re.M
)
_MD_HEADING = re.compile(r"^\s*#+ .*$", re.M)
_ITEM = re.compile(r"^\s*[-*]\s*(?P<text>.+?)\s*$", re.M)
_SENTENCE = re.compile(r"[^.!?\n]+[.!?]?")
_BRACKET = re.compile(r"\[[^\]\n]{1,40}\]")


@dataclass(frozen=True)
class Escalation:
    """Who handles it inside the team, as the guidelines say it (never published)."""

    text: str
    source: str
    heading: str
    line: int | None


@dataclass(frozen=True)
class SafetyStatement:
    """What a reply to a crisis or safety comment says, and why."""

    kind: str  # "holding" (crisis holding statement) | "template" (reply template) | "none"
    text: str | None  # None: the guidelines give no statement; a person writes the reply
    reason: str
    label: str = ""
    source: str = ""
    heading: str = ""
    line: int | None = None
    alert_id: int | None = None
    categories: tuple[str, ...] = ()
    escalation: Escalation | None = None

    @property
    def fill_in(self) -> list[str]:
        """The bracketed parts a person fills in before it goes out."""
        return _BRACKET.findall(self.text or "")

    def notes(self) -> list[str]:
        """What a draft made of it tells its reader."""
        out = [self.reason]
        if self.fill_in:
            out.append("fill in " + ", ".join(self.fill_in) + " before submitting")
        if self.escalation is not None:
            out.append(f"escalate: {self.escalation.text}")
        return out


def statement_draft(
    statement: SafetyStatement,
    *,
    brand: str,
    platform: str | None,
    language: str,
    rules: BrandRules,
    checker: Checker | None = None,
    replying_to: str | None = None,
) -> Draft:
    """The statement as a reply draft, as any drafted reply: signed in its language, fitted
    to the platform's count, checked (when a checker is given), citing the guideline it
    comes from, with why, what to fill in and whom to escalate to in its notes."""
    text = statement.text or ""
    language = detect_language(text, None) or language or "en"
    notes = statement.notes()
    signature = rules.reply_signature.get(language) if rules.reply_signature else None
    if signature:
        text = add_signature(text, signature, notes)
    target = PLATFORMS.get(platform or "")
    where = f"{statement.source} › {statement.heading}" if statement.heading else statement.source
    draft = Draft(
        kind="reply",
        text=text,
        platform=platform,
        language=language,
        brand=brand,
        backend="guidelines",
        model=f"{statement.kind} statement",
        prompt=PromptRef(template=statement.source or "guidelines", sha256=sha256(text)),
        sources=[
            Source(
                id=f"{statement.source}#{statement.line or 0}",
                kind=Kind.GUIDELINE,
                excerpt=excerpt(statement.text or "", 200),
                title=where,
            )
        ],
        length=count_chars(text, target) if target else len(text),
        limit=platform_limit(target, rules) if target else None,
        notes=notes,
    )
    if checker is not None:
        try:
            draft.check = checker.check(
                text,
                platform=target.key if target else None,
                brand=brand,
                kind="reply",
                language=language,
                replying_to=replying_to,
            ).public()
        except CmassistError as e:
            draft.notes.append(f"the tone and compliance check failed: {e}")
    return draft


def reply_templates(passages: Sequence[Passage]) -> list[Statement]:
    """The reply templates of the guidelines (`- Label: « text »` under a templates heading)."""
    out: list[Statement] = []
    for p in passages:
        if not _TEMPLATES.search(fold_str(p.heading)):
            continue
        for m in _BULLET.finditer(p.text):
            label, text = m.group("label").strip(), m.group("text").strip()
            out.append(Statement(label, text, p.language, p.source, p.heading, p.line))
    return out


def tied_alert(
    alerts: Sequence[AlertView],
    comment: str,
    *,
    brand: str | None = None,
    message_id: int | None = None,
    topic: str | None = None,
) -> AlertView | None:
    """The open alert a comment belongs to: one holding the message, one on its topic, or one
    on a subject (“plastique”) the comment talks about."""
    alerts = [a for a in alerts if a.status == "open" and (brand is None or a.brand == brand)]
    terms = {f"“{t}”" for t in subject_terms(comment)}
    for test in (
        lambda a: message_id is not None and message_id in a.message_ids,
        lambda a: topic is not None and a.topic == topic,
        lambda a: a.topic in terms,
    ):
        found = next((a for a in alerts if test(a)), None)
        if found is not None:
            return found
    return None


def safety_statement(
    comment: str,
    language: str,
    passages: Sequence[Passage],
    open_alerts: Sequence[AlertView],
    embed: Embed,
    *,
    brand: str | None = None,
    message_id: int | None = None,
    topic: str | None = None,
    safety: Sequence[str] = (),
    rules: BrandRules | None = None,
    alert_texts: Callable[[AlertView], Sequence[str]] | None = None,
) -> SafetyStatement | None:
    """The statement a reply to `comment` uses instead of free generation, and why; None when
    the comment is tied to no open alert and reports no safety matter (a health question gets
    the reply template written for it when the guidelines have one, else None).

    `safety` are the triage's report categories when the comment is triaged (else it is read
    here), `topic` its triage topic (else the brand's topic whose keywords it uses, from
    `rules`), `message_id` its inbox message; `alert_texts` gives an alert's messages, so that
    its holding statement is the one the crisis drafts chose from them."""
    topic = topic or (keyword_topic(rules, comment) if rules is not None else None)
    alert = tied_alert(open_alerts, comment, brand=brand, message_id=message_id, topic=topic)
    reading = read_safety(comment)
    categories = tuple(safety) or tuple(reading.categories)
    if not categories and is_safety_topic(topic) and "?" not in comment:
        categories = (f"topic {topic}",)  # "I crashed after the tune-up": the brand's topic
    asks = not categories and (bool(reading.health) or is_safety_topic(topic))
    if alert is None and not categories and not asks:
        return None
    words = _category_words(categories, reading)
    escalation = (
        escalation_path(passages, comment, language, embed, words) if alert or categories else None
    )
    what = ", ".join(CATEGORY_NAMES.get(c, c) for c in categories)
    holding = holding_statements(passages)
    product = bool(set(categories) & PRODUCT_REPORTS)
    if alert is not None and holding:
        # what the alert's messages are closest to, as the crisis drafts chose it, unless
        # the comment itself reports what was found in a product
        st = (
            _best_holding(holding, comment, language, embed, words | HOLDING_WORDS)
            if product
            else None
        )
        if st is None:
            messages = list(alert_texts(alert)) if alert_texts is not None else []
            st = _in_language(choose(holding, messages or [comment], embed), language)
        why = f"tied to open crisis alert #{alert.id} ({alert.topic}): the holding statement"
        return _statement("holding", st, why, alert.id, categories, escalation)
    template = _best_template(
        reply_templates(passages), comment, language, embed, words, asking=not categories
    )
    if template is not None:
        why = f"safety report ({what})" if categories else "health question"
        if alert is not None:
            why = f"tied to open crisis alert #{alert.id} ({alert.topic})"
        return _statement(
            "template", template, f"{why}: the reply template", _id(alert), categories, escalation
        )
    if not categories and alert is None:
        return None  # a plain question: the grounded reply answers it, the checker watches it
    st = _best_holding(
        holding, comment, language, embed, words | (HOLDING_WORDS if product else set())
    )
    if st is not None:
        why = f"safety report ({what}): no reply template for it, the holding statement"
        return _statement("holding", st, why, None, categories, escalation)
    why = f"open crisis alert #{alert.id} ({alert.topic})" if alert else f"safety report ({what})"
    return SafetyStatement(
        "none",
        None,
        f"{why}: the guidelines give no statement for it; a person writes or approves this reply",
        alert_id=_id(alert),
        categories=categories,
        escalation=escalation,
    )


def is_safety_topic(topic: str | None) -> bool:
    """Whether a brand topic's name says it is about safety, allergens, health or recalls."""
    return bool(topic) and bool(set(re.split(r"[\W_]+", fold_str(topic or ""))) & SAFETY_TOPICS)


def keyword_topic(rules: BrandRules, text: str) -> str | None:
    """The brand's topic whose keywords the text uses, a safety topic first."""
    folded = fold_str(text)
    topics = sorted(rules.topics, key=lambda t: not is_safety_topic(t.name))
    for t in topics:
        if any(term_pattern(k).search(folded) for k in t.keywords):
            return t.name
    return None


def escalation_path(
    passages: Sequence[Passage],
    comment: str,
    language: str,
    embed: Embed,
    words: Collection[str] = (),
) -> Escalation | None:
    """The escalation rule (a bullet, else a sentence, of an escalation or safety-reports
    section) about the comment: the one sharing most of its words and `words` (its report's),
    cosine breaking ties; when none shares a word, the section's opening sentence."""
    items: list[tuple[str, Passage]] = []
    for p in passages:
        if not _ESCALATION.search(fold_str(p.heading)):
            continue
        body = _MD_HEADING.sub("", p.text)
        bullets = [m.group("text") for m in _ITEM.finditer(body)]
        if bullets:
            items.extend((t, p) for t in bullets if len(t.split()) >= 4)
            continue
        # a sentence and the next: "We treat a crash as urgent. We tell Mathilde the same day."
        sentences = [m.group().strip() for m in _SENTENCE.finditer(body) if m.group().strip()]
        items.extend(
            (" ".join(sentences[i : i + 2]), p)
            for i in range(len(sentences))
            if len(sentences[i].split()) >= 4
        )
    items = [(t, p) for t, p in items if p.language in (None, language)] or items
    if not items:
        return None
    vectors = np.asarray(embed([comment, *(t for t, _ in items)]), dtype=np.float32)
    sims = vectors[1:] @ vectors[0]
    wanted = set(words) | stems(intent_text(comment))
    shared = [len(stems(t) & wanted) for t, _ in items]
    if max(shared) == 0:
        text, p = items[0]
        first = next(iter(_SENTENCE.findall(_MD_HEADING.sub("", p.text).strip())), text).strip()
        return Escalation(first, p.source, p.heading, p.line)
    best = max(range(len(items)), key=lambda i: (shared[i], float(sims[i])))
    text, p = items[best]
    return Escalation(text, p.source, p.heading, p.line)


def _best_template(
    templates: Sequence[Statement],
    comment: str,
    language: str,
    embed: Embed,
    words: set[str],
    *,
    asking: bool,
) -> Statement | None:
    """The reply template written for this report or question. Its label or section must
    name what the comment reports (`words`: "allergies", "brake"...); for a question, its text
    must also share a word with the comment (the cross-contact template answers "nuts?", not
    "almond milk?"), and a template labelled as a question is preferred; for a report, one
    that is not. Cosine breaks ties: all-MiniLM-L6-v2 alone ranks the allergy question's
    template above the reaction's for "I had an allergic reaction" (0.39 against 0.35), and
    any two French texts close."""
    own = [t for t in templates if t.language in (None, language)]
    if not own:
        return None
    vectors = np.asarray(embed([comment, *(f"{t.label}: {t.text}" for t in own)]), dtype=np.float32)
    sims = vectors[1:] @ vectors[0]
    said = stems(intent_text(comment))
    best: tuple[float, Statement] | None = None
    for t, sim in zip(own, sims, strict=True):
        label = stems(f"{t.label} {t.heading.rsplit('>', 1)[-1]}")
        on_label = 2 * len(label & words) + len(label & said)
        in_text = len(stems(t.text) & said)
        if not on_label or (asking and not in_text):
            continue
        question = "quest" in stems(t.label)
        score = on_label + 0.5 * in_text + (1.0 if question == asking else -1.0) + float(sim)
        if best is None or score > best[0]:
            best = (score, t)
    return best[1] if best else None


def _best_holding(
    holding: Sequence[Statement], comment: str, language: str, embed: Embed, words: set[str]
) -> Statement | None:
    """The holding statement whose label or text shares most of `words` (cosine breaking ties);
    None when none shares any."""
    own = [h for h in holding if h.language in (None, language)] or list(holding)
    if not own:
        return None
    vectors = np.asarray(embed([comment, *(f"{h.label}: {h.text}" for h in own)]), dtype=np.float32)
    sims = vectors[1:] @ vectors[0]
    scored = [
        (len(stems(f"{h.label} {h.text}") & words), float(sim), h)
        for h, sim in zip(own, sims, strict=True)
    ]
    shared, _, best = max(scored, key=lambda x: (x[0], x[1]))
    return best if shared else None


def _category_words(categories: Sequence[str], reading: SafetyReading) -> set[str]:
    """The words of what the comment reports or asks about: its categories' and its own."""
    words = {w for c in categories for w in stems(CATEGORY_WORDS.get(c, c))}
    for hit in (*reading.reports, *reading.health):
        words |= stems(" ".join(hit.words)) | stems(CATEGORY_WORDS.get(hit.category, ""))
    return words


def _id(alert: AlertView | None) -> int | None:
    return alert.id if alert is not None else None


def _in_language(chosen: dict[str, Statement], language: str) -> Statement:
    return chosen.get(language) or next(iter(chosen.values()))


def _statement(
    kind: str,
    st: Statement,
    why: str,
    alert_id: int | None,
    categories: tuple[str, ...],
    escalation: Escalation | None,
) -> SafetyStatement:
    where = f"{st.source} › {st.heading}" if st.heading else st.source
    return SafetyStatement(
        kind,
        st.text,
        f"{why} “{st.label}” ({where})",
        st.label,
        st.source,
        st.heading,
        st.line,
        alert_id,
        categories,
        escalation,
    )
