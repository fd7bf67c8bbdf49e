"""How the policy checks read a sentence: whether a commitment in it is denied or made,
whether it comes with a condition, what a forbidding policy is about, and whom it binds."""

from __future__ import annotations

import re
from collections.abc import Sequence

from cmassist.domain.factsheet import Policy
from cmassist.domain.textmatch import FUNCTION_WORDS, fold_str
from cmassist.services.checking.sheet_reading import Sentence

_NEG_WORDS = re.compile(
    r"\b(?:no|not|never|cannot|can't|won't|don't|doesn't|isn't|aren't|unable|aucun|aucune|"
    r"jamais|pas|ni|non|ne)\b|\bn'"
)
_NEG_PROMISE = re.compile(
    r"(?:\b(?:never|not|jamais|pas|ne|no)\b|\bn')[^.;]{0,40}?"
    r"\b(?:promis\w*|promet\w*|guarant\w*|garanti\w*|offer\w*|offr\w*|commit\w*|engag\w*)\b"
)
_CONDITION = re.compile(
    r"\b(?:if|si|s'il|s'ils|once|une fois|after|apres|when|quand|lorsque|provided|as long as|"
    r"pourvu|des que|dm|direct message|message prive|en prive|privately|in private|check\w*|"
    r"verifi\w*|look into|regard\w*|approv\w*|approbation|eligible|admissible)\b"
)
_CONDITIONAL_FORBID = re.compile(
    r"\b(?:before|avant|without|sans|until|jusqu\w*|unless|sauf|in public|en public)\b"
)


def negated(text: str, sent: Sentence, pos: int) -> bool:
    """Whether the commitment at `pos` is denied, not made: a negation among the five words
    before it in its clause ("on ne peut pas promettre de remboursement", "not refundable",
    "no refund"), or a denied promise earlier in the sentence ("we never promise: …")."""
    before = fold_str(text[sent.start : pos])
    clause = re.split(r"[,;:(—–]", before)[-1]
    last_words = " ".join(re.findall(r"[\w']+", clause)[-5:])
    return bool(_NEG_WORDS.search(last_words) or _NEG_PROMISE.search(before))


def conditional(sentence: str, policies: Sequence[Policy]) -> bool:
    """Whether a promise comes with a condition or a private check ("if…", "DM us…", "once
    we've checked…"), or names the policy that allows it ("the Boréale Promise covers it")."""
    folded = fold_str(sentence)
    if _CONDITION.search(folded):
        return True
    for p in policies:
        topic = fold_str(re.split(r"[:(]", p.topic)[0]).strip()
        if len(topic) > 6 and topic in folded:
            return True
    return False


_ABOUT_REPLIES = re.compile(
    r"\b(?:in (?:a|its|our) (?:public )?repl(?:y|ies)|dans (?:une|ses|nos) reponses?)\b"
)


def about_replies(policy: Policy) -> bool:
    """Whether a policy says it binds replies ("In a reply, … never promises")."""
    return bool(_ABOUT_REPLIES.search(fold_str(policy.text)))


_NOT_SUBJECT = re.compile(
    r"^(?:never|jamais|not|pas|promis\w*|promet\w*|guarant\w*|garanti\w*|offer\w*|offr\w*|"
    r"are|sont|est|is|will|cannot|peut|peuvent|can't|won't|don't|aucun\w*)$"
)


def subject(policy: Policy, brand: str) -> list[str]:
    """What a forbidding policy is about: the first two words of its sentence that are
    neither function words, negation, promise verbs nor the brand's name ("Gift cards are
    not refundable" -> gift, cards); none for a blanket rule ("We never promise refunds")."""
    own = set(fold_str(brand).split())
    words = [
        w
        for w in re.findall(r"[a-z]+", fold_str(policy.text).split(":")[0])
        if len(w) >= 4 and w not in FUNCTION_WORDS and w not in own and not _NOT_SUBJECT.match(w)
    ]
    stems = [w[:5] for w in words]
    stop = next((i for i, w in enumerate(stems) if w in _COMMITMENT_STEMS), len(stems))
    return stems[: min(2, stop)]


_COMMITMENT_STEMS = ("refun", "rembo", "repla", "rempl", "compe", "dedom", "credi", "disco")


def speaks_of(sentence: str, stems: Sequence[str]) -> bool:
    """Whether a sentence has a word starting with one of the stems."""
    words = re.findall(r"[a-z]+", fold_str(sentence))
    return any(w.startswith(stem) for stem in stems for w in words)


def forbids_with_condition(policy: Policy) -> bool:
    """Whether a policy forbids a promise only under a condition ("a refund before checking
    the file privately"), which a promise that states the check meets."""
    return bool(_CONDITIONAL_FORBID.search(fold_str(policy.text)))
