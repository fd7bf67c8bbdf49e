"""Contacts (emails, phone numbers, links, social handles), each with what it is for: the
label it is listed under ("Press: presse@…", "Brûlerie Boréale customer support: email …;
phone …"), else the words before it ("help centre at …"), else the passage's heading
("Contacts and support" says support)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from cmassist.domain.factsheet import Contact, ContactKind
from cmassist.services.knowledge.sections import Guidelines, Section, facts_of, tokens, trim_words

_HANDLE = re.compile(
    r"(?<![\w@.])@[A-Za-z0-9_](?:[A-Za-z0-9_.]{0,28}[A-Za-z0-9_])?(?:@[\w-]+(?:\.[\w-]+)+)?"
)
_COLON = re.compile(r"\s?:(?!\d)")
# Words that say how to reach, not what for ("email", "phone", "at", "sur").
_HOW = frozenset(
    """email e-mail mail courriel phone telephone téléphone tel tél call appelez appeler
    website site web url link lien at à au aux sur on to par via or ou and et the a an
    le la les l un une our nos notre is est are sont in en de du des write écrivez
    writes écrit number numéro under sous""".split()  # noqa: SIM905
)
# Labels that name no purpose ("Contacts:", "Coordonnées :").
_GENERIC = frozenset(
    """contact contacts coordonnées coordonnees details reach joindre""".split()  # noqa: SIM905
)
_CLAUSE = frozenset(
    """we you they he she it i on nous vous tu ils elles il elle je writes write send
    envoyez écrit écrivez is are was were be est sont était publie publish posts""".split()  # noqa: SIM905
)
_MAX_PURPOSE_WORDS = 5


@dataclass(frozen=True)
class Found:
    """A contact read from a passage, with how surely its purpose was read: 2 a label,
    1 the words before it, 0 the heading; and how many contacts its passage gives (a
    list of contacts says best what each is for)."""

    contact: Contact
    strength: int
    listed: int


def read_contacts(section: Section, guidelines: Guidelines) -> list[Found]:
    """The contacts `section` gives, each with its purpose."""
    out: list[tuple[Contact, int]] = []
    for sentence in section.sentences:
        previous, previous_end = "", 0
        for kind, start, end, value, key in _contacts(sentence):
            purpose, strength = _purpose(
                sentence, start, previous_end, previous, section, guidelines
            )
            out.append((Contact(kind, value, key, purpose, section.cite(sentence)), strength))
            previous, previous_end = purpose, end
    return [Found(c, strength, len(out)) for c, strength in out]


def _contacts(sentence: str) -> list[tuple[ContactKind, int, int, str, str]]:
    found: list[tuple[ContactKind, int, int, str, str]] = []
    handles = [(m.start(), m.end()) for m in _HANDLE.finditer(sentence)]
    for a, b in handles:
        value = sentence[a:b]
        found.append(("handle", a, b, value, value.lower()))
    for f in facts_of(sentence, ("email", "phone", "url")):
        if any(a <= f.start < b for a, b in handles):
            continue  # "@brand@mastodon.social" is a handle, not an email
        kind: ContactKind = (
            "email" if f.kind == "email" else "phone" if f.kind == "phone" else "url"
        )
        found.append((kind, f.start, f.end, f.text, f.key))
    return sorted(found, key=lambda x: x[1])


def _purpose(
    sentence: str,
    at: int,
    previous_end: int,
    previous: str,
    section: Section,
    guidelines: Guidelines,
) -> tuple[str, int]:
    """What the contact at `at` is for, and how surely that was read."""
    clause_start = sentence.rfind(";", 0, at) + 1
    region = sentence[max(clause_start, previous_end) : at]
    # "(English at aide…/en)", "(English: …/en/storage)": the contact before it, in
    # another language or form
    if "(" in region and ")" not in region.rsplit("(", 1)[1]:
        inner = _clean(region.rsplit("(", 1)[1].replace(":", " "), guidelines)
        if previous and previous_end > clause_start and len(inner.split()) <= 2:
            return (f"{previous} ({inner})" if inner else previous), 2
        region = region.rsplit("(", 1)[1]
    colons = list(_COLON.finditer(region))
    label = region[: colons[-1].start()] if colons else ""
    words = _clean((region[colons[-1].end() :] if colons else region).split(",")[-1], guidelines)
    if label:
        name = _label(label, section, guidelines)
        if name is not None:
            return name, 2
    if words and len(words.split()) <= 4 and not _is_clause(words):
        return words, 1
    # the label the clause's list is under ("customer support: email …; phone …")
    before = [m for m in _COLON.finditer(sentence[:clause_start])]
    if before:
        head = sentence[: before[-1].start()]
        head = head[max(head.rfind(";"), head.rfind("("), head.rfind(")")) + 1 :]
        name = _label(head, section, guidelines)
        if name is not None:
            return name, 2
    return _from_heading(section, guidelines), 0


def _label(text: str, section: Section, guidelines: Guidelines) -> str | None:
    """The purpose a label says ("Press", "customer support"); the heading's when the
    label names none ("Contacts:"); None when it is no label (a whole clause)."""
    name = _clean(text.split(",")[-1], guidelines)
    if name.lower() in _GENERIC:
        return _from_heading(section, guidelines)
    if name and len(name.split()) <= _MAX_PURPOSE_WORDS and not _is_clause(name):
        return name
    return None


def _from_heading(section: Section, guidelines: Guidelines) -> str:
    """A purpose from the passage's heading, its generic words left out ("Contacts and
    support" gives "support")."""
    title = section.title.split(":")[0]
    kept = [w for _, _, w in tokens(title) if w.lower() not in _GENERIC]
    name = _clean(" ".join(kept), guidelines)
    return name if len(name.split()) <= _MAX_PURPOSE_WORDS else ""


def _clean(text: str, guidelines: Guidelines) -> str:
    text = re.sub(r"\([^()]*\)", " ", text)
    if guidelines.brand_name:
        text = re.sub(
            rf"(?:\b(?:de|of)\s+(?:l['’])?)?{re.escape(guidelines.brand_name)}(?:['’]s)?",
            " ",
            text,
            flags=re.IGNORECASE,
        )
    return trim_words(text, _HOW, _HOW)


def _is_clause(text: str) -> bool:
    return any(w.lower() in _CLAUSE for _, _, w in tokens(text))
