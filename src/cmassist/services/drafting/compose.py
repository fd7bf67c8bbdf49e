"""Replies by construction: when no past reply can be adapted (`adapt`), a reply put together
from the brand's own material instead of one the model writes from nothing:

- the **opening** of the brand's past replies to comments of the same kind (a complaint's
  acknowledgement, praise's thanks, a question's greeting), its specifics left out;
- the **answer**: the fact sheet's records that answer what the comment asks, and only
  those: the asked place's hours on the asked days in the asked season (or each season when
  the comment does not say), the named product's price when a price is asked, the policy or
  delay whose words the comment uses, in the brand's own sentence;
- for a complaint, the **next step** its past replies to complaints give (write in private,
  with what), without their specifics.

Every sentence says where it comes from (`Composed.parts`) and the reply is checked like any
candidate. There is none when the comment asks something the sheet does not answer, or when
the brand has no past reply to take an opening from: the model's candidates (and the honest
"no good draft") take over. Nothing here knows a brand; the words about hours are the only
ones written here, in French and English.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np

from cmassist.domain.facts import MONTHS, extract
from cmassist.domain.factsheet import FactSheet, Hours, mentioned
from cmassist.domain.grounding import stated_facts
from cmassist.domain.guidelines import Topic
from cmassist.domain.textmatch import fold_str
from cmassist.services.drafting.adapt import intent_score, intent_text, reply_opening
from cmassist.services.drafting.factlines import (
    FactLine,
    brand_names,
    clock,
    days_in,
    days_label,
    stems,
)
from cmassist.services.ports.store import Hit
from cmassist.services.triage.lexicons import COMPLAINT, EMOJI_POS, NEGATIVE, POSITIVE, QUESTION

MAX_ANSWER_CHARS = 260  # a policy sentence longer than this is not quoted whole
MIN_SHARED_WORDS = 2  # a policy answers a comment that shares this many of its words
# a complaint's next step comes from a past reply to a complaint this close in intent
# (`adapt.intent_score`; ADAPT_THRESHOLD, higher, is for taking the whole reply)
STEP_INTENT = 0.5
POLICY_COSINE = 0.45  # all-MiniLM-L6-v2 cosine of a comment and the policy that answers it

_ASKS_HOURS = re.compile(  # not "3 hours", a duration
    r"(?<!\d)(?<!\d )\b(?:heures?|horaires?|ouvert\w*|ouvr\w*|ferm\w*|open\w*|clos\w*\b"
    r"(?!\s+(?:to|by)\b)|hours?|what time)\b"
)
_ASKS_PRICE = re.compile(
    r"\b(?:combien|prix|cout\w*|coute\w*|tarif\w*|how much|price\w*|cost\w*)\b"
)
_ASKS_WHERE = re.compile(r"\b(?:ou etes|ou est|adresse|where|address)\b")
# a specific day or a holiday: its hours may be special, the weekly hours do not answer it
_ONE_DAY = re.compile(
    r"\b(?:noel|jour de l'an|fetes|ferie\w*|paques|christmas|new year|holiday\w*|easter)\b"
)
_PRIVATE = re.compile(
    r"\b(?:en prive|message prive|ecri\w*-nous|ecri\w* nous|dm|send us|write to us|message us"
    r"|contact us|direct message|privately)\b"
)
# "ce dimanche", "this Sunday": today's season (not the "ce" of "Est-ce que")
_NOW = re.compile(r"(?<![\w-])(?:ce|cette|this|today|aujourd'hui|demain|tomorrow|tonight)\b")
_YES_NO = re.compile(r"^(?:oui|non|yes|no|yep|nope)$", re.IGNORECASE)
_THANKS = re.compile(r"\b(?:merci|thanks?|thank you|grateful|reconnaissant\w*)\b")
_SIZE = re.compile(r"\b\d+(?:[.,]\d+)?\s?(?:g|kg|ml|l|oz|lb)\b")
_SIGNATURE_LINE = re.compile(r"^\s*[—–-]\s*\S.*$", re.MULTILINE)
_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")
# month names as `facts` reads them in dates ("juillet", "July", "déc"), folded
_MONTHS = {fold_str(name): n for name, n in MONTHS.items()}
_MONTH = re.compile(
    r"\b(?:en|in|au mois d[e'])\s*("
    + "|".join(sorted(map(re.escape, _MONTHS), key=len, reverse=True))
    + r")\b"
)
_MONTH_NAMES = {
    "fr": ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
           "octobre", "novembre", "décembre"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"),
}  # fmt: skip


@dataclass(frozen=True)
class Composed:
    """A reply put together from the brand's material, and where each part comes from."""

    text: str
    parts: tuple[str, ...]  # "opening: past reply r004", "answer: 06-facts.md › Hours", …
    past_id: str  # the past reply the opening comes from ("" when none)
    past_reply: str
    what: str = "composed from the brand's own words"

    @property
    def why(self) -> str:
        return f"{self.what} (" + "; ".join(self.parts) + ")"


def comment_kind(comment: str, nearest: Sequence[Hit] = ()) -> str:
    """ "complaint", "praise" or "question" (else "other"): problem words, or the brand's
    labels of the most similar past comments when the text has no praise; praise words;
    a question."""
    folded = fold_str(comment)
    positive = bool(POSITIVE.search(folded) or EMOJI_POS.search(comment))
    if COMPLAINT.search(folded) or (NEGATIVE.search(folded) and not positive):
        return "complaint"
    labels = [bool(h.metadata.get("complaint")) for h in list(nearest)[:3]]
    asks = bool(QUESTION.search(folded))
    if positive and not asks:
        return "praise"
    if asks:
        return "question"
    if labels and sum(labels) >= 2:
        return "complaint"
    return "other"


def compose_reply(
    comment: str,
    nearest: Sequence[Hit],
    sheet: FactSheet | None,
    facts: Sequence[FactLine],
    language: str,
    *,
    topics: Sequence[Topic] = (),
    embed: Callable[[str], Sequence[float]] | None = None,
    today: date | None = None,
) -> Composed | None:
    """The reply composed for `comment` (see the module's docstring), or None; `topics`
    are the brand's reply topics (a complaint's next step comes from a past reply on the
    same topic); `embed`, the store's embedder, judges whether a policy answers the comment."""
    kind = comment_kind(comment, nearest)
    past = [
        h
        for h in nearest
        if h.metadata.get("reply") and h.metadata.get("language") in (None, language)
    ]
    if not past:
        return None
    answer: list[tuple[str, str]] = []
    if kind in ("question", "complaint") and sheet is not None and len(sheet):
        answer = _answer(comment, sheet, facts, language, today or date.today(), topics, embed)
    if kind == "other" or (kind == "question" and not answer):
        return None  # the sheet does not answer it: nothing to compose from
    topic = topic_of(comment, topics)
    like = _same_kind(past, kind)
    like.sort(key=lambda h: not topic or h.metadata.get("topic") != topic)  # its topic first
    # a complaint is acknowledged as the brand acknowledged complaints, never thanked
    opening, opened_by = _opening(like if kind == "complaint" else like or past, sheet, kind)
    if kind == "praise":
        body = _thanks(like, sheet)
        if not body:
            return None
        text, parts, first = body[0], [f"thanks: past reply {body[1]}"], body[1]
        hit = next(h for h in like if h.id == first)
        return Composed(text, tuple(parts), hit.id, str(hit.metadata["reply"]))
    if not opening and kind != "question":
        return None  # a complaint is acknowledged first, in the brand's words
    sentences = [opening] if opening else []
    parts = [f"opening: past reply {opened_by.id}"] if opened_by and opening else []
    for sentence, where in answer:
        sentences.append(sentence)
        parts.append(f"answer: {where}")
    if kind == "complaint":
        close = [
            h
            for h in like
            if topic
            and h.metadata.get("topic") == topic
            and intent_score(h.score or 0.0, comment, h.text, sheet) >= STEP_INTENT
        ]
        step = _next_step(close, sheet)
        if step is not None:
            sentences.append(step[0])
            parts.append(f"next step: past reply {step[1]}")
        elif not answer:
            return None  # an apology alone answers nothing
    text = join(sentences)
    past_reply = str(opened_by.metadata["reply"]) if opened_by else ""
    return Composed(text, tuple(parts), opened_by.id if opened_by else "", past_reply)


# -- the comment's kind and the past replies to the same kind ---------------------------------


def _same_kind(past: Sequence[Hit], kind: str) -> list[Hit]:
    """The past replies whose comment was of `kind` (by the brand's complaint label and the
    comment's own words), most similar first."""
    out = []
    for h in past:
        was = "complaint" if h.metadata.get("complaint") else comment_kind(h.text)
        if was == "complaint" and not h.metadata.get("complaint") and kind != "complaint":
            continue
        if was == kind or (kind == "question" and was == "other"):
            out.append(h)
    return sorted(out, key=lambda h: -(h.score or 0.0))


def _body(reply: str) -> str:
    return _SIGNATURE_LINE.sub("", reply).strip()


def _opening(past: Sequence[Hit], sheet: FactSheet | None, kind: str) -> tuple[str, Hit | None]:
    """The first specifics-free opening of the most similar past replies; for a question,
    the greeting alone ("Bonjour," "Hi,") when the opening would already answer."""
    for hit in past:
        reply = _body(str(hit.metadata["reply"]))
        opening = reply_opening(reply, sheet, hit.text)
        opening = re.sub(r"[,\s]*\b(?:oui|non|yes|no)\b[.!,]*$", "", opening, flags=re.I).strip()
        if kind == "question":
            greeting = re.match(r"^\s*([\w'’]+)\s*,", reply)
            if greeting and len(greeting.group(1)) <= 10 and not _YES_NO.match(greeting.group(1)):
                return greeting.group(1) + ",", hit
            continue
        if opening and len(opening) >= 8:
            return opening, hit
    return "", None


def _specific(sentence: str, sheet: FactSheet | None, past_comment: str) -> bool:
    """Whether a past reply's sentence holds something of its own situation: a fact (a
    public contact excepted), a figure, a brand name, a weekday, a word of its comment."""
    facts = [f for f in extract(sentence) if f.kind not in ("email", "url", "phone")]
    if facts or re.search(r"\d", sentence) or days_in(sentence):
        return True
    if sheet is not None and len(sheet) and mentioned(brand_names(sheet), sentence):
        return True
    return bool(past_comment and stems(sentence) & stems(intent_text(past_comment, sheet)))


def _thanks(like: Sequence[Hit], sheet: FactSheet | None) -> tuple[str, str] | None:
    """Praise's answer: the sentences of the most similar past reply to praise that hold
    none of its specifics."""
    for hit in like:
        kept = [
            s.strip()
            for s in _SENTENCE.split(_body(str(hit.metadata["reply"])))
            if s.strip() and not _specific(s, sheet, hit.text)
        ]
        if kept and _THANKS.search(fold_str(kept[0])):
            return " ".join(kept), hit.id
    return None


def _next_step(like: Sequence[Hit], sheet: FactSheet | None) -> tuple[str, str] | None:
    """A complaint's next step: the first sentence of a past reply to a complaint that moves
    the conversation to private and holds none of its situation's specifics."""
    for hit in like:
        for s in _SENTENCE.split(_body(str(hit.metadata["reply"]))):
            s = s.strip()
            # the same topic's next step: its words may be its comment's ("commande")
            if not s or not _PRIVATE.search(fold_str(s)) or _specific(s, sheet, ""):
                continue
            if any(f.kind == "commitment" for f in stated_facts(s)):
                continue  # "on vous rembourse": the past case's outcome, not this one's
            return s, hit.id
    return None


_LOWER_AFTER_GREETING = re.compile(r"^(?:Le|La|Les|Du|Des|À|On|The|We|We're|From|On)\b")


def join(sentences: Sequence[str]) -> str:
    """The sentences as one reply: each ended, the one after a greeting ("Bonjour,") in
    lower case when it starts with a common word."""
    out = ""
    for s in sentences:
        s = _end(s)
        if out.endswith(",") and _LOWER_AFTER_GREETING.match(s):
            s = s[:1].lower() + s[1:]
        out = f"{out} {s}" if out else s
    return out


def topic_of(comment: str, topics: Sequence[Topic]) -> str | None:
    """The brand's reply topic whose keywords the comment uses most."""
    folded = fold_str(comment)
    best: tuple[int, str] | None = None
    for topic in topics:
        found = sum(
            1 for k in topic.keywords if re.search(rf"(?<!\w){re.escape(fold_str(k))}", folded)
        )
        if found and (best is None or found > best[0]):
            best = (found, topic.name)
    return best[1] if best else None


def _end(sentence: str) -> str:
    sentence = sentence.strip()
    if sentence.endswith(",") and " " not in sentence:
        return sentence  # a greeting ("Bonjour,") goes on
    sentence = sentence.rstrip(",;: ")  # a cut opening ends
    return sentence if sentence[-1:] in ".!?…" else sentence + "."


# -- the answer ---------------------------------------------------------------------------------


def _answer(
    comment: str,
    sheet: FactSheet,
    facts: Sequence[FactLine],
    language: str,
    today: date,
    topics: Sequence[Topic] = (),
    embed: Callable[[str], Sequence[float]] | None = None,
) -> list[tuple[str, str]]:
    """The sentences that answer the comment, each with the record it states."""
    folded = fold_str(comment)
    out: list[tuple[str, str]] = []
    places = [f.subject for f in facts if f.kind == "hours"]
    places = list(dict.fromkeys(places)) or (sheet.places() if len(sheet.places()) == 1 else [])
    dated = any(f.kind == "date" for f in extract(comment))
    asks_hours = _ASKS_HOURS.search(folded) and not _ONE_DAY.search(folded)
    if asks_hours and len(places) == 1 and not dated:
        said = hours_sentence(sheet.hours_of(places[0]), comment, language, today)
        if said:
            out.append((said, _where(sheet.hours_of(places[0])[0].source)))
    if _ASKS_WHERE.search(folded):
        for f in facts:
            if f.kind == "address":
                out.append((f.text, _where(f.source)))
                break
    if _ASKS_PRICE.search(folded) and not any(f.kind == "price" for f in extract(comment)):
        prices = [f for f in facts if f.kind == "price"]
        sizes = set(_SIZE.findall(folded))
        sized = [f for f in prices if sizes & set(_SIZE.findall(fold_str(f.text)))]
        plain = [f for f in prices if not _SIZE.findall(fold_str(f.text))]
        for f in sized or plain or prices:
            out.append((_capital(f.text), _where(f.source)))
    if not out:
        policy = _policy(comment, sheet, facts, language, topics, embed)
        if policy is not None:
            out.append(policy)
    return out


def _policy(
    comment: str,
    sheet: FactSheet,
    facts: Sequence[FactLine],
    language: str,
    topics: Sequence[Topic] = (),
    embed: Callable[[str], Sequence[float]] | None = None,
) -> tuple[str, str] | None:
    """The policy or delay sentence, in the comment's language, that shares the most words
    with the comment (MIN_SHARED_WORDS at least, one more when the brand lists no reply
    topics) and, when it does, uses a keyword of the comment's topic; never one that lists
    what the brand will not promise, nor one longer than MAX_ANSWER_CHARS; with `embed`, its
    cosine to the comment is POLICY_COSINE at least (an invoice question shares "order" and
    "email" with the shipping policy, 0.36; the late parcel and its policy, 0.48)."""
    asked = stems(intent_text(comment, sheet).replace("-", " "))
    topic = next((t for t in topics if t.name == topic_of(comment, topics)), None)
    if topics and topic is None:
        return None  # a comment on none of the brand's topics: no policy is its answer
    keywords = [fold_str(k) for k in topic.keywords] if topic else []
    need = MIN_SHARED_WORDS if topics else MIN_SHARED_WORDS + 1
    best: tuple[int, str, str] | None = None
    for f in facts:
        if f.kind not in ("policy", "delay") or f.source is None:
            continue
        if f.source.language not in (None, language):
            continue
        sentence = f.source.excerpt.strip()
        if len(sentence) > MAX_ANSWER_CHARS or re.search(
            r"\b(?:ne promet|never promis|promet jamais|promises)\b", fold_str(sentence)
        ):
            continue
        shared = len(asked & stems((f.source.heading + " " + sentence).replace("-", " ")))
        said = fold_str(f.source.heading + " " + sentence)
        if keywords and not any(re.search(rf"(?<!\w){re.escape(k)}", said) for k in keywords):
            continue
        if shared < need or (best is not None and shared <= best[0]):
            continue
        if embed is None or _cosine(embed, comment, sentence) >= POLICY_COSINE:
            best = (shared, sentence, _where(f.source))
    return (best[1], best[2]) if best else None


def _cosine(embed: Callable[[str], Sequence[float]], a: str, b: str) -> float:
    x, y = np.asarray(embed(a), dtype=float), np.asarray(embed(b), dtype=float)
    norm = float(np.linalg.norm(x) * np.linalg.norm(y))
    return float(x @ y) / norm if norm else 0.0


def _where(source: object) -> str:
    if source is None:
        return "the fact sheet"
    heading = str(getattr(source, "heading", "")).rsplit(" > ", 1)[-1]
    return f"{getattr(source, 'source', '')} › {heading}".strip(" ›")


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _in_season(h: Hours, day: str) -> bool | None:
    """Whether the "MM-DD" `day` falls in `h`'s season; None when the sheet does not say."""
    if not h.season:
        return None
    start, end = h.season_from, h.season_to
    if not start or not end:
        return None
    return start <= day <= end if start <= end else day >= start or day <= end


def hours_sentence(hours: Sequence[Hours], comment: str, language: str, today: date) -> str:
    """The place's hours as a reply says them, for the days the comment names (every day
    when none) and the season its month (or "this", "today") puts it in; each season, with
    its dates, when it does not say: «Du 1er novembre au 31 mars, le lundi, on est fermés.»"""
    if not hours:
        return ""
    folded = fold_str(comment)
    asked_days = days_in(comment)
    month = _MONTH.search(folded)
    when = None
    if month:
        when = f"{_MONTHS[month.group(1)]:02d}-15"
    elif re.search(
        r"(?<![\w-])(?:ce|cette|this|today|aujourd'hui|demain|tomorrow|tonight)\b", folded
    ):
        when = f"{today.month:02d}-{today.day:02d}"
    seasons = sorted(dict.fromkeys(h.season for h in hours), key=lambda s: not s)
    if when is not None and len(seasons) > 1:
        inside = [s for s in seasons if any(_in_season(h, when) for h in hours if h.season == s)]
        if inside:
            seasons = inside
        elif all(
            _in_season(h, when) is False for h in hours if h.season
        ):  # outside every named season: the all-year hours
            seasons = [s for s in seasons if not s] or seasons
    lines = []
    for season in seasons:
        records = [
            h for h in hours if h.season == season and (not asked_days or h.day in asked_days)
        ]
        if not records:
            continue
        said = _week(records, language)
        lead = _season_lead(records[0], language) if len(seasons) > 1 else ""
        lines.append(f"{lead}, {said}" if lead else _capital(said))
    return " ".join(_end(_capital(line)) for line in lines)


def _week(records: Sequence[Hours], language: str) -> str:
    """«le lundi, on est fermés; du mardi au samedi, on est ouverts de 10 h à 18 h»."""
    fr = language == "fr"
    groups: dict[tuple[str | None, str | None], list[int]] = {}
    for h in records:
        groups.setdefault((h.opens, h.closes), []).append(h.day)
    parts = []
    for (opens, closes), days in sorted(groups.items(), key=lambda kv: min(kv[1])):
        label = days_label(days, language)
        if len(set(days)) == 1:
            label = f"le {label}" if fr else f"on {label}s"
        if opens is None or closes is None:
            parts.append(f"{label}, on est fermés" if fr else f"{label}, we're closed")
        elif fr:
            parts.append(f"{label}, on est ouverts de {clock(opens, 'fr')} à {clock(closes, 'fr')}")
        else:
            parts.append(f"{label}, we're open {clock(opens, 'en')} to {clock(closes, 'en')}")
    return "; ".join(parts)


def _season_lead(h: Hours, language: str) -> str:
    """ "Du 1er novembre au 31 mars" / "From April 1 to October 31"; "Le reste de l'année"."""
    fr = language == "fr"
    if not h.season:
        return "Le reste de l'année" if fr else "The rest of the year"
    start, end = _day_month(h.season_from, language), _day_month(h.season_to, language)
    if start and end:
        return f"Du {start} au {end}" if fr else f"From {start} to {end}"
    if start:
        return f"À partir du {start}" if fr else f"From {start}"
    return f"En {h.season}" if fr else f"In {h.season}"


def _day_month(key: str, language: str) -> str:
    if not key:
        return ""
    month, day = (int(x) for x in key.split("-"))
    name = _MONTH_NAMES["fr" if language == "fr" else "en"][month - 1]
    if language == "fr":
        return f"{'1er' if day == 1 else day} {name}"
    return f"{name} {day}"
