"""A post built from its brief: what the brief says, without what it asks of the writer.

A community manager's brief usually holds the post already ("Présenter le Nuit Polaire,
notre déca procédé Swiss Water : cacao, datte et biscuit, 23 $ le sac de 340 g."). Its
request ("Présenter", "Remind people that", "Inviter la communauté à") and its instructions
on how to write (tone, length, emoji: `checking.shape.brief_instructions`, the clauses the
checker would flag if copied) are left out, labels such as "Déclaration d'attente :" too;
what remains is the post, with the hashtags the brand requires and the one its past posts on
the platform use most, within the platform's limit. Every word but the hashtags is the
brief's, so every fact in it is the person's own; it is offered as the first candidate and
checked like any, and the model's candidates compete with it.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from cmassist.domain.guidelines import BrandRules
from cmassist.domain.platforms import Platform
from cmassist.domain.textmatch import fold_str
from cmassist.services.checking.shape import brief_instructions
from cmassist.services.drafting.compose import Composed
from cmassist.services.ports.store import Hit

MIN_CHARS = 25  # less than this left of the brief is no post

# The request that opens a brief, and what replaces it ("" for most: the rest is the post).
_REQUESTS_FR = (
    (r"inviter (?:la communaute|les gens|nos abonne\w*|le monde|tout le monde|nos clients)?\s*a",
     {"vous": "On vous invite à", "tu": "On t'invite à"}),
    (r"publier (?:sur [\w-]+ )?(?:a propos d[eu']?|au sujet d[eu']?|sur)", None),
    (r"(?:rappeler|presenter|annoncer|mettre en (?:avant|valeur)|pousser|souligner|partager|"
     r"promouvoir|decrire|faire connaitre|parler d[eu']?|feliciter|celebrer)", None),
    (r"expliquer(?= (?:comment|ce que|ce qu'|pourquoi|quand|ou|qui))", None),
    (r"expliquer", None),
)  # fmt: skip
_REQUESTS_EN = (
    (r"invite (?:people|followers|everyone|the community|our community|customers)?\s*to",
     {"": "You're invited to"}),
    (r"thank-?you post (?:for|to)", {"": "Thank you to"}),
    (r"(?:write )?(?:an? )?(?:[\w-]+ )?post (?:on [\w-]+ )?(?:about|on|for)", None),
    (r"(?:remind (?:[\w'’-]+ ){0,3}?(?:that|of|about)|"
     r"introduce|present|announce|highlight|promote|showcase|share that|share|describe|"
     r"celebrate|tell (?:people|followers|everyone) (?:that|about))", None),
    (r"remind (?:people|followers|everyone|riders|customers|members)(?! to\b)", None),
    (r"explain(?= (?:how|what|why|when|where|who))", None),
    (r"explain", None),
)  # fmt: skip
# Labels that name the kind of post, not part of it.
_LABEL = re.compile(
    r"^\s*(?:d[ée]claration d'attente(?: \w+)?|holding statement|(?:short )?outage notice|"
    r"brouillon|draft|id[ée]e de (?:post|publication)|post idea|post|publication|"
    r"[\w-]+ (?:post|publication))\s*:\s*",
    re.IGNORECASE,
)
_HOW_MUCH = re.compile(
    r"\s*\b(?:en|in)\s+(?:une|deux|trois|one|two|three|\d)\s+(?:phrases?|sentences?|lignes?|lines?)\b"
)
_HASHTAG = re.compile(r"#\w+")
# what the writer must not do ("Do not speculate on the cause", "ne pas mentionner de date")
_DONT_CLAUSE = re.compile(
    r"[,;]\s*(?:do not|don't|never|avoid|ne pas|n'oublie\w* pas|[ée]vite\w*)\b[^.;!?]*",
    re.IGNORECASE,
)
_DONT = re.compile(
    r"^\s*(?:do not|don't|never|avoid|please don't|ne pas|n'oublie\w* pas|evite\w*|pas de "
    r"(?:date|prix|emoji|hashtag)|no (?:date|price|emoji|hashtag)s?\b)"
)
# whom the request is for, before the colon: "Introduce the shop to new followers: …"
_AUDIENCE = re.compile(
    r"\s+(?:to|for|aux?|à|pour)\s+(?:(?:our|nos|les|the)\s+)?(?:new |nouve\w+ )?"
    r"(?:followers|clients?|customers|abonn\w+|members|membres|lecteurs|readers)(?=\s*:)",
    re.IGNORECASE,
)


def post_from_brief(
    brief: str,
    language: str,
    platform: Platform,
    rules: BrandRules,
    examples: Sequence[Hit] = (),
) -> Composed | None:
    """The post the brief holds (see the module's docstring), or None when too little of it
    is left once its request and instructions are out."""
    body = _without_instructions(_HOW_MUCH.sub("", brief))
    address = _address(examples)
    pieces = re.split(r"(?<=[.!?])\s+(?=[A-ZÀ-Þ])|(?<=;)\s+", body.strip())
    # the request opens the brief, or a clause after a semicolon ("…; remind people the
    # counter checks lights"); "Present it at the counter" later on is the post's own word
    body = " ".join(
        _without_request(piece, language, address)
        if n == 0 or pieces[n - 1].endswith(";")
        else piece
        for n, piece in enumerate(pieces)
        if not _DONT.match(fold_str(piece))
    )
    body = " ".join(body.split()).strip(" ,;:")
    if len(body) < MIN_CHARS:
        return None
    if body[-1:] not in ".!?…":
        body += "."
    tags = hashtags(brief + " " + body, platform, rules, examples)
    parts = ["the brief's words, its request and instructions left out"]
    if tags:
        parts.append("hashtags: " + " ".join(tags))
    text = body + ("\n\n" + " ".join(tags) if tags else "")
    return Composed(text, tuple(parts), "", "", what="built from the brief")


def _without_instructions(brief: str) -> str:
    """The brief without its clauses on how to write (tone, length, emoji, hashtags...)."""
    out = brief
    for ins in brief_instructions(brief):
        if not ins.asks:  # how to write: the clause goes, with the comma or dot before it
            out = re.sub(r"[,;]?\s*" + re.escape(ins.text) + r"\s*[.;,]?", " ", out, count=1)
    return _DONT_CLAUSE.sub("", out)


def _without_request(text: str, language: str, address: str) -> str:
    """The text without the request that opens it (or its label), and without the audience
    the request names ("to new followers"); capitalised when it starts a sentence."""
    first = text.strip()[:1].isupper() or not text.strip()[:1].isalpha()
    text = _AUDIENCE.sub("", _LABEL.sub("", text.strip()))
    # folded char by char, so that its positions are the text's (ß, accents, NFD)
    folded = "".join((fold_str(c) or c)[0] for c in text)
    for pattern, replace in _REQUESTS_FR if language == "fr" else _REQUESTS_EN:
        m = re.match(rf"^\s*{pattern}\s+", folded)
        if m is None:
            continue
        rest = text[m.end() :]
        if replace is not None:
            lead = replace.get(address) or next(iter(replace.values()))
            return f"{lead} {rest}"
        rest = _LABEL.sub("", re.sub(r"^(?:que|qu'|that)\s*", "", rest, flags=re.IGNORECASE))
        return rest[:1].upper() + rest[1:] if first else rest
    return text[:1].upper() + text[1:] if first else text


def _address(examples: Sequence[Hit]) -> str:
    """ "tu" when the brand's past posts say "tu", "vous" when they say "vous" ("" in doubt)."""
    said = " ".join(fold_str(h.text) for h in examples)
    tu = len(re.findall(r"\b(?:tu|te|t'|ton|ta|tes|toi)\b", said))
    vous = len(re.findall(r"\b(?:vous|votre|vos)\b", said))
    return "tu" if tu > vous else "vous" if vous else ""


def hashtags(
    text: str, platform: Platform, rules: BrandRules, examples: Sequence[Hit] = ()
) -> list[str]:
    """The hashtags the brand requires on posts, then the one its past posts on the platform
    use most, none already in the text, within the platform's hashtag limit."""
    limit, _ = rules.limit("hashtags", platform)
    if limit is not None and limit <= 0:
        return []
    have = {t.lower() for t in _HASHTAG.findall(text)}
    if limit is not None:
        limit = max(0, limit - len(have))  # the brief's own tags count
    out: list[str] = []
    required = rules.hashtags.required if rules.hashtags else []
    for tag in required:
        tag = tag if tag.startswith("#") else f"#{tag}"
        if tag.lower() not in have and tag.lower() not in {t.lower() for t in out}:
            out.append(tag)
    used = Counter(
        t
        for h in examples
        if h.metadata.get("platform") in (None, platform.key)
        for t in _HASHTAG.findall(h.text)
    )
    on_platform = sum(1 for h in examples if h.metadata.get("platform") in (None, platform.key))
    words = set(re.findall(r"[a-z]{4,}", fold_str(text)))
    for tag, n in used.most_common(3):
        # the brand's usual tag (in half its similar posts), or one about what the post says
        parts = {w.lower() for w in re.findall(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])", tag[1:])}
        usual = n >= 2 and 2 * n >= on_platform
        about = {fold_str(w) for w in parts if len(w) >= 4} & words
        taken = {t.lower() for t in out} | have
        if (usual or about) and tag.lower() not in taken:
            out.append(tag)
            break
    return out[:limit] if limit is not None else out
