"""The language of a text, French or English, from its function words and accents; and
language names and tags ("fr-CA", "French") read as "fr" or "en"."""

from __future__ import annotations

import re

LANGUAGES = ("fr", "en")

_WORD = re.compile(r"[a-zàâäçéèêëîïôöùûüÿœæ']+", re.IGNORECASE)
# Words that say a text is French, or English: function words, greetings, and the few
# nouns every brand's messages use.
_FR = frozenset(
    """le la les un une des du de d' l' et est sont pour pas que qui quoi dans sur avec vous
    nous notre nos votre vos au aux ce cette ces mais ou où très plus merci bonjour salut je
    tu il elle on ils elles mon ma mes ton ta tes son sa ses leur leurs été être avoir fait
    faire chez aussi encore déjà toujours jamais rien tout tous toutes comme quand y en ne
    se c' j' qu' n' s' à ça car donc alors bien peu depuis avant après semaine jour commande
    livraison café""".split()  # noqa: SIM905
)
_EN = frozenset(
    """the a an and is are was were for not that which who what in on at with you we our your
    their this these those it its of to be been have has had do does did my me i he she they
    them his her but or very more thanks thank hello hi just also still already always never
    nothing all when will would can could should from by about order delivery coffee week
    day""".split()  # noqa: SIM905
)
_FR_CHARS = set("àâçéèêëîïôœùûü")


def detect_language(text: str, default: str | None = None) -> str | None:
    """ "fr" or "en" from function words and accents; `default` when there is no signal.

    Good enough to choose examples and the answer's language for French and English
    social-media text; other languages read as whichever is closer.
    """
    words = [w.lower().strip("'") for w in _WORD.findall(text)]
    fr: float = sum(1 for w in words if w in _FR or w + "'" in _FR)
    en = sum(1 for w in words if w in _EN)
    fr += 0.5 * sum(1 for ch in text.lower() if ch in _FR_CHARS)
    if fr == en:
        return default
    return "fr" if fr > en else "en"


def normalize_language(value: str | None) -> str | None:
    """ "fr-CA", "French", "FR" -> "fr"; unknown values -> None."""
    if not value:
        return None
    v = value.strip().lower().replace("_", "-")
    names = {"french": "fr", "français": "fr", "francais": "fr", "english": "en", "anglais": "en"}
    v = names.get(v, v.split("-")[0])
    return v if v in LANGUAGES else None
