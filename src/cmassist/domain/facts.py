"""Checkable facts in text: emails, phone numbers, URLs, prices, dates and clock times; and
the hours a text states, with the clock times that cannot be (weekdays: `domain.weekdays`).

Each fact gets a normalized key, so "$4.75" and "4,75 $", "8 p.m." and "20 h",
"September 14" and "14 septembre", "(514) 555-0100" and "+1 514 555 0100" compare equal.
The checker uses this to flag a fact in a draft that appears nowhere in the brand's
knowledge store (the invented support address, the wrong price).

Keys: emails lowercased; phones E.164 ("+15145550100"); URLs "host/path"; dates "MM-DD";
times "HH:MM" (24 h); prices the amount ("19.00"), followed by the currency's code when it
is not the dollar ("200.00 EUR", "19.00 USD", "5.00 CHF"). The sample brands write
Canadian dollars, so the dollar is the unmarked default ("$", "CAD", "dollars").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit

import phonenumbers
from text_to_num import text2num

from cmassist.domain.spans import free
from cmassist.domain.textmatch import fold_str

FactKind = Literal["email", "phone", "url", "price", "date", "time"]
ALL_KINDS: tuple[FactKind, ...] = ("email", "phone", "url", "price", "date", "time")


@dataclass(frozen=True)
class Fact:
    """One fact found in a text: its kind, its span and its normalized key."""

    kind: FactKind
    start: int
    end: int
    text: str
    key: str

    @property
    def amount(self) -> str:
        """A price's amount ("19.00"), without its currency; "" for other kinds."""
        return self.key.split(" ", 1)[0] if self.kind == "price" else ""

    @property
    def currency(self) -> str:
        """A price's currency code ("EUR", "USD", ...), "" for the dollar and other kinds."""
        return self.key.partition(" ")[2] if self.kind == "price" else ""


_TRAIL = ".,;:!?)]}»\"'’…"
EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
_TLDS = (
    "com|ca|org|net|io|ly|co|example|gl|me|fr|qc|info|biz|shop|app|dev|link|gd|to|be|"
    "us|uk|de|ch|eu|site|store|online|xyz|tv|cc|at|es|it|nl|mx|au|jp|br|in|ai|pro|club|"
    "live|news|top|vip|click|win|gift|promo|page|blog|cafe|coffee|tech|life|world|today|"
    "email|money|deals|sale|bid|fun|space|website|zip|mov|"
    # reserved names (RFC 2606): what fake links in attacks and tests use
    "test|invalid|localhost"
)
_URL = re.compile(
    r"(?:\bhttps?://[^\s<>\"«»]+|\bwww\.[^\s<>\"«»]+|"
    rf"(?<![@\w.-])(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+(?:{_TLDS})\b(?:/[^\s<>\"«»]*)?)",
    re.IGNORECASE,
)

# -- phone numbers ------------------------------------------------------------------------
# Numbers written without "+" are read in these regions, in this order: the North American
# plan first (one pass serves Canada and the US, which share it: a US number read as CA has
# the same E.164), then France, Belgium and Switzerland, where the French-speaking brands'
# customers write from. STRICT_GROUPING wants the digits grouped as the country groups them,
# which tells "04 78 12 34 56" (France) from "022 123 45 67" (Switzerland) and leaves prices
# and most order numbers alone; ten bare digits are more often an order number than a
# phone, so a match needs a separator or a "+".
PHONE_REGIONS = ("CA", "FR", "BE", "CH")
_PHONE_HINT = re.compile(r"\d(?:[\s().\-/]{0,3}\d){6}")  # seven digits close together
_NATIONAL_HINT = re.compile(r"(?<![\w+.-])0\d(?:[\s.\-]?\d){7,8}(?!\d)")  # "04 78 12 34 56"


def phone_key(raw: str, region: str = "CA") -> str | None:
    """The E.164 form of a phone number ("+33612345678"), or None when it is none."""
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _phones(text: str) -> Iterator[tuple[int, int, str]]:
    if not _PHONE_HINT.search(text):
        return
    regions = PHONE_REGIONS if _NATIONAL_HINT.search(text) else PHONE_REGIONS[:1]
    seen: list[tuple[int, int]] = []
    for region in regions:
        leniency = phonenumbers.Leniency.STRICT_GROUPING
        for m in phonenumbers.PhoneNumberMatcher(text, region, leniency=leniency):
            span = (m.start, m.end)
            if not free(span, seen) or not re.search(r"[^\d]", m.raw_string):
                continue
            seen.append(span)
            e164 = phonenumbers.format_number(m.number, phonenumbers.PhoneNumberFormat.E164)
            yield m.start, m.end, e164


# -- numbers in words ---------------------------------------------------------------------
_NUMBER_WORDS = [
    "zéro", "zero", "un", "une", "deux", "trois", "quatre", "cinq", "six", "sept", "huit",
    "neuf", "dix", "onze", "douze", "treize", "quatorze", "quinze", "seize", "vingt", "vingts",
    "trente", "quarante", "cinquante", "soixante", "cent", "cents", "mille", "million",
    "millions", "one", "two", "three", "four", "five", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
    "nineteen", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
    "hundred", "thousand",
]  # fmt: skip
_WORD = "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True))
# "dix-neuf", "vingt et un", "deux cents", "one hundred and five", "a hundred": "et" only
# before un/une/onze and "and" only after hundred/thousand, as the languages write them, so
# "deux ou trois" and "two and three" stay two numbers.
NUMBER_WORDS_RX = (
    rf"(?:\ban?\s+(?=hundred|thousand))?\b(?:{_WORD})"
    rf"(?:(?:[\s-]+et[\s-]+(?=un\b|une\b|onze\b)|(?:(?<=hundred)|(?<=thousand))\s+and\s+|"
    rf"[\s-]+)(?:{_WORD})\b)*\b"
)


def words_value(phrase: str) -> int | None:
    """The number a phrase of French or English number words says ("dix-neuf" -> 19,
    "deux cents" -> 200, "twenty-one" -> 21), or None."""
    words = re.sub(r"^an?\s+", "one ", phrase.strip().lower())
    for language in ("fr", "en"):
        try:
            return int(text2num(words, language))
        except ValueError:
            continue
    return None


# -- prices -------------------------------------------------------------------------------
_NUM = r"\d{1,3}(?:[ \u00a0\u202f,]\d{3})*(?:[.,]\d{1,2})?|\d+(?:[.,]\d{1,2})?"
_CUR_BEFORE = r"(?:CA|US|C)?\$|€|£|(?:CAD|USD|EUR|CHF|GBP)\s?"
_CUR_AFTER = (
    r"k?\s?(?:\$\s?(?-i:CAD|CA|USD|US)\b|\$|€|£|euros?\b|(?:CAD|USD|EUR|CHF|GBP)\b|"
    r"dollars?(?:\s+(?:canadiens?|am[ée]ricains?|(?-i:US|CA))\b)?|francs?\s+suisses\b)"
)
_PRICE = re.compile(
    rf"(?=[$€£cueg])(?P<cb>{_CUR_BEFORE})\s?(?P<a>{_NUM})(?P<ka>\s?k\b)?"  # (?=: fast
    rf"|(?<![\w.,])(?=\d)(?P<b>{_NUM})\s?(?:(?P<ca>{_CUR_AFTER})|(?P<cents>¢|cents?\b))",
    re.IGNORECASE,
)


# "vingt dollars", "deux cents euros", "twenty dollars": read back from the currency word,
# since a scan for number words everywhere costs more than all the other prices
_WORD_CURRENCY = re.compile(r"(?<=[^\W\d_]) (?P<cw>dollars?|euros?)\b", re.IGNORECASE)
_WORDS_BEFORE = re.compile(rf"(?P<w>{NUMBER_WORDS_RX})\s+(?:de\s+|d['’])?$", re.IGNORECASE)


def _word_prices(text: str) -> Iterator[tuple[int, int, str]]:
    for m in _WORD_CURRENCY.finditer(text):
        window = max(0, m.start() - 80)
        w = _WORDS_BEFORE.search(text, window, m.start() + 1)
        value = words_value(w.group("w")) if w else None
        if w and value is not None:
            yield w.start(), m.end(), _money(value * 100, _currency(m.group("cw")))


def _currency(token: str) -> str:
    t = token.lower()
    for code, marks in (
        ("EUR", ("€", "eur")),
        ("CHF", ("chf", "franc")),
        ("GBP", ("£", "gbp")),
        ("USD", ("us", "améric", "americ")),
    ):
        if any(x in t for x in marks):
            return code
    return ""


def price_key(amount: str, currency: str = "") -> str:
    """The key of an amount ("4,75" -> "4.75"), with its currency code unless a dollar
    ("200", "EUR" -> "200.00 EUR")."""
    amount = re.sub(r"[ \u00a0\u202f]", "", amount)
    if re.search(r"[.,]\d{1,2}$", amount):
        whole, cents = re.split(r"[.,](?=\d{1,2}$)", amount)
        whole = whole.replace(",", "").replace(".", "")
        value = int(whole or 0) * 100 + int(cents.ljust(2, "0"))
    else:
        value = int(amount.replace(",", "").replace(".", "")) * 100
    return _money(value, currency)


def _money(cents: int, currency: str) -> str:
    code = "" if currency.upper() in ("", "$", "CAD") else currency.upper()
    return f"{cents // 100}.{cents % 100:02d}" + (f" {code}" if code else "")


def _price(m: re.Match[str]) -> str | None:
    if m.group("cents"):  # "25 ¢", "25 cents"
        return (
            _money(int(m.group("b")), "")
            if m.group("b").isdigit() and len(m.group("b")) < 3
            else None
        )
    amount, cur = (m.group("a"), m.group("cb")) if m.group("a") else (m.group("b"), m.group("ca"))
    try:
        key = price_key(amount.strip())
    except ValueError:
        return None
    if m.group("ka") or cur.lower().startswith("k"):  # "1,5 k$": thousands
        whole, cents = key.split(".")
        return _money((int(whole) * 100 + int(cents)) * 1000, _currency(cur))
    return key if not (code := _currency(cur)) else f"{key} {code}"


# -- dates --------------------------------------------------------------------------------
MONTHS = {
    "january": 1, "jan": 1, "janvier": 1, "janv": 1,
    "february": 2, "feb": 2, "février": 2, "fevrier": 2, "févr": 2, "fevr": 2, "fév": 2,
    "march": 3, "mar": 3, "mars": 3,
    "april": 4, "apr": 4, "avril": 4, "avr": 4,
    "may": 5, "mai": 5,
    "june": 6, "jun": 6, "juin": 6,
    "july": 7, "jul": 7, "juillet": 7, "juil": 7,
    "august": 8, "aug": 8, "août": 8, "aout": 8,
    "september": 9, "sept": 9, "sep": 9, "septembre": 9,
    "october": 10, "oct": 10, "octobre": 10,
    "november": 11, "nov": 11, "novembre": 11,
    "december": 12, "dec": 12, "décembre": 12, "decembre": 12, "déc": 12,
}  # fmt: skip
_MONTH = "|".join(sorted((re.escape(m) for m in MONTHS), key=len, reverse=True))
# "Sept. 14", "September 14th", "14 septembre", "1er mars", "2026-09-14"
_DATE = re.compile(
    rf"\b(?P<m1>{_MONTH})\.?\s+(?P<d1>[0-3]?\d)(?:st|nd|rd|th)?\b(?!\s*(?:h\b|:|%|\$))"
    rf"|\b(?P<d2>[0-3]?\d)(?:er|re|e)?\s+(?P<m2>{_MONTH})\b"
    r"|\b(?P<y>20\d\d)-(?P<m3>[01]\d)-(?P<d3>[0-3]\d)\b"
    # "31/05/2024", "31.05.24", "31/05": day first as written in French and in Canada,
    # month first only where the day cannot come first ("05/31"); a dot needs the year
    # ("4.50" is a number)
    r"|(?<![\w/.,$€-])(?P<a4>[0-3]?\d)(?:/(?P<b4>[0-3]\d|[1-9](?=/))(?:/(?P<y4>(?:19|20)?\d\d))?"
    r"|\.(?P<b5>[01]?\d)\.(?P<y5>(?:19|20)?\d\d))(?![\w/.,]?\d)",
    re.IGNORECASE,
)

# -- clock times --------------------------------------------------------------------------
# "8 a.m.", "7:30 p.m.", "8pm", "20 h", "7 h 30", "20h", "20:00", "à 18 heures"
_TIME = re.compile(
    r"(?=\d)(?:\b(?P<h1>\d{1,2})(?::(?P<m1>\d\d))?\s?(?P<ap>[ap])\.?\s?m\b\.?"
    r"|(?<![\w:.,])(?P<h2>\d{1,2})\s?(?P<u>h(?:eures?)?)(?:\s?(?P<m2>\d\d))?(?![\w])"
    r"|(?<![\w:.,])(?P<h3>\d{1,2}):(?P<m3>\d\d)(?![\d:]))",
    re.IGNORECASE,
)
_NOON = re.compile(r"\b(?:noon|midi)\b", re.IGNORECASE)
_MIDNIGHT = re.compile(r"\b(?:midnight|minuit)\b", re.IGNORECASE)
# "sous 24 h", "en 48h", "24h/24": a delay, not a time of day (grounding reads it as one)
_DELAY_BEFORE = re.compile(
    r"(?:\b(?:en|sous|dans|within|in|under|pendant|durant|for|over|les|aux|every|chaque)"
    r"|moins\s+de|plus\s+de|less\s+than|more\s+than|d['’]ici|toutes\s+les|il\s+y\s+a)\s*$",
    re.IGNORECASE,
)
_DELAY_AFTER = re.compile(r"\s*(?:/\s*24|sur\s+24|chrono)", re.IGNORECASE)
# "à 25h", "open until 25h": where an hour is read as a time of day, even a wrong one
_CLOCK_BEFORE = re.compile(
    r"(?:\b(?:à|a|at|vers|dès|des|until|till|avant|before|after|après|apres)"
    r"|jusqu['’]à|jusqu['’]a|\bopen\w*|\bouv\w*|\bferm\w*|\bclos\w*|réouverture)\s*$",
    re.IGNORECASE,
)


def _clock(hour: int, minute: int) -> str | None:
    if 0 <= hour <= 24 and 0 <= minute <= 59 and not (hour == 24 and minute):
        return f"{hour % 24:02d}:{minute:02d}"
    return None


def _time_key(m: re.Match[str], text: str) -> tuple[str | None, bool]:
    """(the "HH:MM" of a clock-time match or None, whether it is a time that cannot be)."""
    before = text[max(0, m.start() - 20) : m.start()]
    if m.group("h1"):
        hour, minute = int(m.group("h1")), int(m.group("m1") or 0)
        if not 1 <= hour <= 12 or minute > 59:
            return None, True
        return _clock(hour % 12 + (12 if m.group("ap").lower() == "p" else 0), minute), False
    if m.group("h2"):
        hour, minute = int(m.group("h2")), int(m.group("m2") or 0)
        if _DELAY_BEFORE.search(before) or _DELAY_AFTER.match(text, m.end()):
            return None, False
        clock_cue = bool(_CLOCK_BEFORE.search(before))
        if len(m.group("u")) > 1 and not clock_cue:  # "2 heures" alone is a duration
            return None, False
        key = _clock(hour, minute)
        return key, key is None and (clock_cue or m.group("m2") is not None)
    key = _clock(int(m.group("h3")), int(m.group("m3")))
    return key, key is None


def _strip_trailing(text: str, start: int, end: int) -> tuple[int, str]:
    raw = text[start:end]
    while raw and raw[-1] in _TRAIL:
        raw = raw[:-1]
    return start + len(raw), raw


def url_key(raw: str) -> tuple[str, str]:
    """(host without www., path without trailing slash), lowercased."""
    url = raw if re.match(r"(?i)https?://", raw) else f"http://{raw}"
    try:
        parts = urlsplit(url)
    except ValueError:
        return raw.lower(), ""
    host = (parts.hostname or "").lower().removeprefix("www.")
    path = parts.path.rstrip("/").lower()
    return host, path


def extract(text: str, kinds: Iterable[str] = ALL_KINDS) -> list[Fact]:
    """The facts in `text`, in order, each with its character span."""
    wanted = set(kinds)
    # a kind's matches block the later kinds' (a phone is no price); none is read after the
    # last kind asked for
    last = max((ALL_KINDS.index(k) for k in wanted if k in ALL_KINDS), default=-1)
    facts: list[Fact] = []
    taken: list[tuple[int, int]] = []

    def add(kind: FactKind, a: int, b: int, key: str) -> None:
        if free((a, b), taken):
            if kind in wanted:
                facts.append(Fact(kind, a, b, text[a:b], key))
            taken.append((a, b))

    for m in EMAIL.finditer(text):
        end, raw = _strip_trailing(text, m.start(), m.end())
        add("email", m.start(), end, raw.lower())
    for m in _URL.finditer(text) if last >= 1 else ():
        end, raw = _strip_trailing(text, m.start(), m.end())
        host, path = url_key(raw)
        if "." in host:
            add("url", m.start(), end, f"{host}{path}")
    for a, b, key in _phones(text) if last >= 2 else ():
        add("phone", a, b, key)
    if last >= 3:
        prices = [
            (m.start(), m.start() + len(m.group().rstrip()), _price(m))
            for m in _PRICE.finditer(text)
        ]
        for a, b, price in sorted([*prices, *_word_prices(text)], key=lambda p: p[:2]):
            if price:
                add("price", a, b, price)
    for m in _DATE.finditer(text) if last >= 4 else ():
        if free((m.start(), m.end()), taken) and (date := _date_key(m, text)):
            add("date", m.start(), m.end(), date)
    if last >= 5:
        for r in _ranges(text):
            for a, b, key in r.bare:  # "from 9 to 5": the sides no time pattern reads
                add("time", a, b, key)
        for m in _TIME.finditer(text):
            if free((m.start(), m.end()), taken) and (clock := _time_key(m, text)[0]):
                add("time", m.start(), m.end(), clock)
        for rx, key in ((_NOON, "12:00"), (_MIDNIGHT, "00:00")):
            for m in rx.finditer(text):
                add("time", m.start(), m.end(), key)
    facts.sort(key=lambda f: f.start)
    return facts


def _date_key(m: re.Match[str], text: str) -> str | None:
    """ "MM-DD" of a date match, or None when it is not a date after all."""
    if m.group("a4"):
        first, second = int(m.group("a4")), int(m.group("b4") or m.group("b5"))
        if m.group("b4") == "10" and first <= 10 and not m.group("y4"):
            return None  # a rating: "9/10", "10/10"
        day, month = (second, first) if second > 12 >= first else (first, second)
    elif m.group("y"):
        month, day = int(m.group("m3")), int(m.group("d3"))
    else:
        name = fold_str(m.group("m1") or m.group("m2")).rstrip(".")
        month = MONTHS.get(name) or MONTHS.get(name[:3], 0)
        day = int(m.group("d1") or m.group("d2"))
    # "may" and "mar" are also words; "mars" a planet: need a plausible day
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    word = (m.group("m1") or "").lower()
    # "may 3" in lowercase is more often a verb than May: only with a digit right after
    if (
        word in ("may", "mar", "sep", "jun", "jul", "dec")
        and m.group("m1") == word
        and not re.match(r"\s*\d", text[m.end("m1") : m.end()])
    ):
        return None
    return f"{month:02d}-{day:02d}"


# -- time ranges and times that cannot be -------------------------------------------------
def _token(p: str) -> str:
    return (
        rf"(?:(?P<{p}h>\d{{1,2}})(?!\d)(?:\s?(?P<{p}u>h(?:eures?)?)(?:\s?(?P<{p}m>\d\d))?(?![\w])"
        rf"|:(?P<{p}c>\d\d)(?:\s?(?P<{p}ca>[ap])\.?\s?m\b\.?)?|\s?(?P<{p}ap>[ap])\.?\s?m\b\.?)?"
        rf"|(?P<{p}w>noon|midi|midnight|minuit))"
    )


_RANGE = re.compile(
    r"(?=[\dfbdeonm])(?:(?P<cue>\b(?:from|between|de|d['’]|entre|du|dès|"
    r"open(?:s|ed)?\s+(?:at|from)|ouvr\w*\s+(?:à|a|dès)|ouvert\w*\s+dès|"
    r"open(?:s|ed)?|ouvert(?:e|s|es)?)\s*)?)"
    rf"(?<![\w.,:/]){_token('a')}"
    r"(?P<sep>\s*[-–—]\s*|\s+(?:à|a|to|till|until|through|jusqu['’](?:à|a)|et|and)\s+|"
    # "opens at 7 and closes at 5", "ouvre à 7 h et ferme à 17 h", "dès 7 h et jusqu'à 17 h"
    r"\s*(?:,|\s(?:and|et))\s+(?:(?:we|it|on|il|elle|nous)\s+)?"
    r"(?:close[sd]?|closing|ferm\w*)\s+(?:at|à|a)\s+|\s+et\s+jusqu['’](?:à|a)\s+)"
    rf"{_token('b')}",
    re.IGNORECASE,
)
# after two bare numbers ("from 9 to 5"), only what hours are followed by: not "ans", "%"
_BARE_NEXT = re.compile(
    r"\s*(?:$|[.,;:!?)\n]|(?:every|tous|on|le|les|the|daily|sauf|except|du|from|et|and|or|"
    r"ou|in|at|au|chaque|en|this|ce|cette|pm|am|weekdays?|semaine)\b|"
    r"(?:lun|mar|mer|jeu|ven|sam|dim|mon|tue|wed|thu|fri|sat|sun)\w*\b)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class TimeRange:
    """Hours a text states, "de 7 h à 18 h", "9 a.m. to 5 p.m.": `opens` and `closes` are
    "HH:MM"; the span covers the two times and what joins them."""

    start: int
    end: int
    opens: str
    closes: str


@dataclass(frozen=True)
class BadTime:
    """A time of day that cannot be ("25h", "10 à 25h", "13 p.m.", "10:75")."""

    start: int
    end: int
    text: str


@dataclass(frozen=True)
class _Range:
    start: int
    end: int
    opens: str | None
    closes: str | None
    bare: tuple[tuple[int, int, str], ...]  # sides written as bare numbers: (start, end, key)


def _side(m: re.Match[str], p: str) -> tuple[int, int, str]:
    """(hour, minute, how it is written: "h", "c" (colon), "am", "pm", "w" (word), "bare")."""
    if w := m.group(p + "w"):
        return (12 if w.lower() in ("noon", "midi") else 0), 0, "w"
    hour = int(m.group(p + "h"))
    if m.group(p + "u"):
        return hour, int(m.group(p + "m") or 0), "h"
    ap = m.group(p + "ap") or m.group(p + "ca")
    minute = int(m.group(p + "c") or 0)
    if ap:
        return hour, minute, ap.lower() + "m"
    return hour, minute, "c" if m.group(p + "c") else "bare"


def _to24(hour: int, minute: int, how: str) -> int | None:
    """The hour of a side on the 24 h clock, or None when it cannot be a time."""
    if how in ("am", "pm"):
        return None if not 1 <= hour <= 12 else hour % 12 + (12 if how == "pm" else 0)
    return hour if _clock(hour, minute) else None


def _ranges(text: str) -> Iterator[_Range]:
    for m in _RANGE.finditer(text):
        (ah, am, ahow), (bh, bm, bhow) = _side(m, "a"), _side(m, "b")
        cue = (m.group("cue") or "").strip().lower()
        sep = m.group("sep").strip().lower()
        if sep in ("et", "and") and cue not in ("entre", "between"):
            continue
        if ahow == bhow == "bare" and (  # "from 9 to 5", "de 9 à 17"; not "open 24-7"
            not cue
            or cue in ("du", "d'", "d’")
            or not _BARE_NEXT.match(text, m.end())
            or not ((ah <= 12 and bh <= 12) or ah < bh <= 24)
        ):
            continue
        a24, b24 = _to24(ah, am, ahow), _to24(bh, bm, bhow)
        if ahow == "bare" and bhow in ("am", "pm") and b24 is not None:
            a24 = None if not 1 <= ah <= 12 else ah % 12
            if a24 is not None and bhow == "pm" and a24 + 12 < b24:  # "1 to 5 p.m."
                a24 += 12
        if bhow == "bare" and a24 is not None and bh <= 12 and (b24 or 0) <= a24:
            b24 = bh + 12 if bh + 12 <= 24 else b24  # "9 a.m. to 5", "from 9 to 5"
        start = m.start("ah") if m.group("ah") else m.start("aw")
        opens = None if a24 is None else _clock(a24, am)
        closes = None if b24 is None else _clock(b24, bm)
        bare = []
        if ahow == "bare" and opens:
            bare.append((m.start("ah"), m.end("ah"), opens))
        if bhow == "bare" and closes:
            bare.append((m.start("bh"), m.end("bh"), closes))
        yield _Range(start, m.end(), opens, closes, tuple(bare if opens and closes else ()))


def time_ranges(text: str) -> list[TimeRange]:
    """The opening hours `text` states: "de 7 h à 18 h", "7 a.m. to 6 p.m.", "from 9 to 5",
    "10h-18h", "entre 9 h et 17 h", "open 9–5", in order. A range with a time that cannot
    be ("10 à 25h") is not one: `bad_times` has it."""
    return [
        TimeRange(r.start, r.end, r.opens, r.closes)
        for r in _ranges(text)
        if r.opens is not None and r.closes is not None
    ]


def bad_times(text: str) -> list[BadTime]:
    """The times of day in `text` that cannot be: "25h" after "à" or in a range ("ouvert
    du 10 à 25h"), "25:00", "10:75", "13 p.m.", "10h75". A delay ("en 48 h", "24h/24")
    is none of them."""
    out: list[BadTime] = []
    for r in _ranges(text):
        if r.opens is None or r.closes is None:
            out.append(BadTime(r.start, r.end, text[r.start : r.end]))
    taken = [(b.start, b.end) for b in out]
    for m in _TIME.finditer(text):
        if free((m.start(), m.end()), taken) and _time_key(m, text)[1]:
            end = m.end() if m.group("ap") else _strip_trailing(text, m.start(), m.end())[0]
            out.append(BadTime(m.start(), end, text[m.start() : end]))
    out.sort(key=lambda b: b.start)
    return out


@dataclass
class FactIndex:
    """The normalized facts found in a body of text (a brand's whole knowledge store)."""

    keys: set[tuple[str, str]]
    hosts: set[str]

    @classmethod
    def build(cls, texts: Iterable[str]) -> FactIndex:
        """The index of every fact in `texts`."""
        keys: set[tuple[str, str]] = set()
        hosts: set[str] = set()
        for text in texts:
            for f in extract(text):
                keys.add((f.kind, f.key))
                if f.kind == "url":
                    hosts.add(f.key.split("/", 1)[0])
                elif f.kind == "email":
                    hosts.add(f.key.rsplit("@", 1)[-1])
        return cls(keys, hosts)

    def knows(self, fact: Fact) -> bool:
        """Whether the store states `fact` (a bare home page of a known site counts)."""
        if (fact.kind, fact.key) in self.keys:
            return True
        if fact.kind == "url" and "/" not in fact.key:  # a bare home page of a known site
            return fact.key in self.hosts
        return False
