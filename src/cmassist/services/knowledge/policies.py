"""Policies: the sentences that commit the brand to something (a refund, a replacement, a
reshipment, free shipping, a credit, a discount, a compensation: the commitments of
`cmassist.domain.grounding`), with what each allows and what it forbids.

A commitment is forbidden when a negation governs it: one before it in the same clause
("Gift cards are not refundable", "ne sont pas remboursables", "sans remboursement"), or
one that heads a list after a colon ("never promises: a specific delivery date; a refund
before checking the file privately; ..." / "ne promet jamais : ..."), or that heads a
list of commitments ("we never promise refunds, replacements or credits"). A negation after
the commitment ("we reship or refund it, without waiting") or in another clause ("If
tracking hasn't moved for 5 business days, we reship or refund it") does not count.
"""

from __future__ import annotations

import re

from cmassist.domain.factsheet import Policy
from cmassist.services.knowledge.sections import Section, stated_of

_NEGATION = re.compile(
    r"\b(?:never|not|no|nobody|nothing|none|neither|nor|without|cannot|can['’]t|don['’]t|"
    r"doesn['’]t|didn['’]t|won['’]t|isn['’]t|aren['’]t|wasn['’]t|jamais|pas|aucun|aucune|"
    r"sans|ni|rien|non)\b",
    re.IGNORECASE,
)
# Where a negation's reach ends inside a sentence.
_BOUNDARY = re.compile(
    r"[;.!?]|,\s|\s(?:and that|but|however|unless|except|instead|rather|et que|mais|sauf|"
    r"plutôt|cependant|or that|ou que)\b|\s[—–-]\s",
    re.IGNORECASE,
)
_LIST_COLON = re.compile(r"\s?:(?!\d)")
_HEAD_WORDS = 5  # how close to its colon a negation heads the list ("never promises:")
_MAX_ITEM_WORDS = 4
# "they never replace words", "qu'on remplace par « VAE »": words replaced in writing, no
# commitment (voice and vocabulary guides talk so).
_WRITING = re.compile(
    r"^\w*\s+(?:\w+\s+){0,2}?(?:words?|mots?|terms?|termes?|text|texte|emojis?|émojis?)\b"
    r"|^\w*\s+(?:par|with|by)\s+[«\"“]",
    re.IGNORECASE,
)


def read_policies(section: Section) -> list[Policy]:
    """The policy sentences of `section`, with the commitments each allows and forbids."""
    out: list[Policy] = []
    for sentence in section.sentences:
        allows: dict[str, None] = {}
        forbids: dict[str, None] = {}
        for key, start, _ in commitments(sentence):
            if negated(sentence, start):
                forbids.setdefault(key, None)
            else:
                allows.setdefault(key, None)
        if allows or forbids:
            out.append(
                Policy(
                    section.title,
                    sentence,
                    tuple(k for k in allows if k not in forbids),
                    tuple(forbids),
                    section.cite(sentence),
                )
            )
    return out


def commitments(sentence: str) -> list[tuple[str, int, int]]:
    """The commitments `sentence` mentions, each as (key, start, end), every mention of it
    in every clause (the commitments of `grounding.stated_facts`, read clause by clause)."""
    out: list[tuple[str, int, int]] = []
    if not stated_of(sentence, "commitment"):
        return out
    offset = 0
    for clause in re.split(r"(?<=[;,:])", sentence):
        for f in stated_of(clause, "commitment"):
            a, b = offset + f.start, offset + f.end
            if _credit_card(sentence, a, b) or _WRITING.match(sentence[a:]):
                continue
            out.append((f.key, a, b))
        offset += len(clause)
    return out


def _credit_card(sentence: str, start: int, end: int) -> bool:
    """ "credit card", "carte de crédit": a means of payment, no commitment."""
    return bool(
        re.match(r"\s+cards?\b", sentence[end:], re.I)
        or re.search(r"cartes?\s+de\s+$", sentence[:start], re.I)
    )


def negated(sentence: str, at: int) -> bool:
    """Whether a negation governs the commitment at `at` in `sentence`."""
    before = sentence[:at]
    # its own clause: from the last boundary before it
    starts = [m.end() for m in _BOUNDARY.finditer(before)]
    clause = before[starts[-1] if starts else 0 :]
    if _NEGATION.search(clause):
        return True
    # a negation that heads the list after a colon, the list running to the sentence's end
    colons = list(_LIST_COLON.finditer(before))
    if colons:
        head = before[: colons[-1].start()].split()[-_HEAD_WORDS:]
        if _NEGATION.search(" ".join(head)):
            return True
    # "never promise refunds, replacements or credits": short items after a negated one
    return _in_negated_list(sentence, at)


def _in_negated_list(sentence: str, at: int) -> bool:
    before = sentence[:at]
    pieces = before.split(",")
    if len(pieces) < 2:
        return False
    for i in range(len(pieces) - 1, 0, -1):
        item = pieces[i]
        if len(item.split()) > _MAX_ITEM_WORDS or re.search(r"[;.:!?]", item):
            return False
        head = pieces[i - 1]
        if commitments(head) and _NEGATION.search(head):
            mention = commitments(head)[-1][1]
            if _NEGATION.search(head[:mention]):
                return True
    return False
