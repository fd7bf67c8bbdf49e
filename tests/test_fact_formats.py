"""Facts in every format people write them: phone numbers of any country, prices in words
and symbols with their currency, time ranges, times that cannot be, weekdays, and delays
("2 ou 3 semaines") in French and English. Domain functions only, on the sample brands'
own texts where a store is needed."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from cmassist.domain.facts import FactIndex, bad_times, extract, phone_key, time_ranges
from cmassist.domain.grounding import FactSources, Source, duration_key, stated_facts
from cmassist.domain.weekdays import weekdays

ROOT = Path(__file__).resolve().parents[1]
BRANDS = {"boreale": ROOT / "brand_guidelines", "velofleuve": ROOT / "tests/data/brands/velofleuve"}


def keys(text: str, kind: str) -> list[str]:
    facts = [f for f in extract(text) if f.kind == kind]
    assert all(text[f.start : f.end] == f.text for f in facts)
    return [f.key for f in facts]


def spans(text: str, found: list) -> list[str]:  # type: ignore[type-arg]
    return [text[x.start : x.end] for x in found]


# -- phone numbers ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "e164"),
    [
        ("+33 6 12 34 56 78", "+33612345678"),
        ("04 78 12 34 56", "+33478123456"),  # French national
        ("+33 (0)4 78 12 34 56", "+33478123456"),
        ("+1 514 555 0100", "+15145550100"),
        ("(514) 555-0100", "+15145550100"),
        ("514.555.0100", "+15145550100"),
        ("1-800-555-0199", "+18005550199"),
        ("+44 20 7946 0958", "+442079460958"),
        ("+32 2 555 12 12", "+3225551212"),
        ("02 555 12 12", "+3225551212"),  # Belgian national
        ("022 123 45 67", "+41221234567"),  # Swiss national, not French
    ],
)
def test_phone_numbers_of_any_country_get_their_e164_key(written: str, e164: str) -> None:
    text = f"Appelez-nous au {written}, merci."
    found = [f for f in extract(text) if f.kind == "phone"]
    assert [(f.text, f.key) for f in found] == [(written, e164)]


def test_phone_key_reads_one_number_in_a_region() -> None:
    assert phone_key("(514) 555-0100") == phone_key("+1 514 555 0100") == "+15145550100"
    assert phone_key("04 78 12 34 56", "FR") == "+33478123456"
    assert phone_key("04 78 12 34 56") is None  # not a North American number
    assert phone_key("19,99") is None


def test_order_numbers_prices_and_dates_are_no_phone_numbers() -> None:
    for text in (
        "Commande 5145550100 reçue",  # ten bare digits: an order number
        "Order #4512 3456 7890 shipped",
        "Le 2025-01-06 à 19,99 $, 6 400 sacs",
        "ISBN 978-2-07-036822-8",
    ):
        assert keys(text, "phone") == [], text


def test_dates_written_in_digits_and_years_are_facts() -> None:
    # the seen failure: «nous avons envoyé le blocage pour le 31/05/2024» passed unflagged
    assert keys("envoyé le 31/05/2024.", "date") == ["05-31"]
    assert keys("le 31.05.24 ou le 05/31", "date") == ["05-31", "05-31"]
    assert keys("le 12/05 à 10 h", "date") == ["05-12"]
    for text in ("le 1/2 litre", "ratio 3/4", "4.50 $ le sac", "en 2024", "Noté 9/10", "10/10"):
        assert keys(text, "date") == [], text
    # a year alone is a stated fact of its own kind (a season's dates stay "MM-DD")
    years = [
        (f.kind, f.key) for f in stated_facts("En 2024, depuis 2012, le 31/05/2024, vers 2030.")
    ]
    assert years == [("year", "2024"), ("year", "2012"), ("date", "05-31"), ("year", "2030")]
    for text in ("Formule 2000 g", "#2024", "2024,50 $", "à 2012 h"):
        assert [f for f in stated_facts(text) if f.kind == "year"] == [], text
    sources = FactSources.build(
        [("Fondée en 2012 à Montréal.", Source("06-facts.md", "", 1, ""))], []
    )
    found = [sources.find(f) for f in stated_facts("Depuis 2012, et en 2024.")]
    assert found[0] is not None and found[1] is None
    # the year of a full date in the store grounds the year alone
    sources = FactSources.build([("Rappel du 31/05/2024.", Source("06-facts.md", "", 1, ""))], [])
    assert sources.find(stated_facts("En 2024, on a rappelé un lot.")[0]) is not None


def test_a_store_phone_is_known_however_it_is_written() -> None:
    index = FactIndex.build(["Service client : 1-800-555-0199 ou +33 4 78 12 34 56."])
    written = "Call (800) 555-0199, +1 800 555 0199 or 04.78.12.34.56; not 418-555-0100."
    found = [f for f in extract(written) if f.kind == "phone"]
    assert [index.knows(f) for f in found] == [True, True, True, False]


# -- prices -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "key"),
    [
        ("200 euros", "200.00 EUR"),
        ("200 €", "200.00 EUR"),
        ("€200", "200.00 EUR"),
        ("200 EUR", "200.00 EUR"),
        ("deux cents euros", "200.00 EUR"),
        ("19$", "19.00"),
        ("19 $", "19.00"),
        ("CA$19", "19.00"),
        ("19 $ CAD", "19.00"),
        ("19 dollars", "19.00"),
        ("dix-neuf dollars", "19.00"),
        ("vingt dollars", "20.00"),
        ("twenty dollars", "20.00"),
        ("Vingt-cinq dollars", "25.00"),
        ("a hundred dollars", "100.00"),
        ("1,5 k$", "1500.00"),
        ("$1.5k", "1500.00"),
        ("4,35 $ US", "4.35 USD"),
        ("US$19", "19.00 USD"),
        ("25 cents", "0.25"),
    ],
)
def test_prices_in_words_and_symbols_keep_their_currency(written: str, key: str) -> None:
    text = f"Le sac est à {written} cette semaine."
    found = [f for f in extract(text) if f.kind == "price"]
    assert [(f.text, f.key) for f in found] == [(written, key)]
    assert found[0].amount == key.split()[0] and found[0].currency == key.partition(" ")[2]


def test_the_same_amount_in_another_currency_is_another_price() -> None:
    index = FactIndex.build(["La Formule Classique : 19 $ le sac."])
    same, euros, words = (
        next(f for f in extract(t) if f.kind == "price")
        for t in ("Classic plan: $19 a bag", "Formule à 19 €", "dix-neuf dollars le sac")
    )
    assert index.knows(same) and index.knows(words) and not index.knows(euros)


def test_number_words_that_are_no_price_are_left_alone() -> None:
    text = "Un café, deux amis et trois croissants; the dollars we save; one of us."
    assert keys(text, "price") == []


# -- clock times, ranges and times that cannot be -----------------------------------------


@pytest.mark.parametrize(
    ("written", "opens", "closes"),
    [
        ("de 7 h à 18 h", "07:00", "18:00"),
        ("de 7 h 30 à 20 h", "07:30", "20:00"),
        ("7 a.m. to 6 p.m.", "07:00", "18:00"),
        ("from 9 to 5", "09:00", "17:00"),
        ("10h-18h", "10:00", "18:00"),
        ("entre 9 h et 17 h", "09:00", "17:00"),
        ("between 7 and 9 a.m.", "07:00", "09:00"),
        ("open 9–5", "09:00", "17:00"),
        ("1 to 5 p.m.", "13:00", "17:00"),
        ("de 9 h à midi", "09:00", "12:00"),
        ("de 9 à 17 h", "09:00", "17:00"),
    ],
)
def test_time_ranges_in_french_and_english(written: str, opens: str, closes: str) -> None:
    text = f"Le café est ouvert {written} tous les jours."
    (r,) = time_ranges(text)
    assert (r.opens, r.closes) == (opens, closes)
    assert written.endswith(text[r.start : r.end])
    # each end is a time fact, even the bare "9" of "from 9 to 5"
    assert {opens, closes} <= set(keys(text, "time"))


@pytest.mark.parametrize(
    ("text", "opens", "closes"),
    [
        ("On Sundays our café opens at 7 a.m. and closes at 5 p.m.", "07:00", "17:00"),
        ("We open at 8 and close at 6 on Saturdays.", "08:00", "18:00"),
        ("It opens at 7 a.m., closes at 5 p.m.", "07:00", "17:00"),
        ("Le dimanche, le café ouvre à 7 h et ferme à 17 h.", "07:00", "17:00"),
        ("Le samedi, on ouvre à 8 h et on ferme à 18 h.", "08:00", "18:00"),
        ("Ouvert dès 7 h jusqu'à 17 h le dimanche.", "07:00", "17:00"),
        ("Ouvert dès 7 h et jusqu'à 17 h le dimanche.", "07:00", "17:00"),
    ],
)
def test_opens_at_and_closes_at_is_a_range(text: str, opens: str, closes: str) -> None:
    (r,) = time_ranges(text)
    assert (r.opens, r.closes) == (opens, closes)
    assert text[r.start : r.end].split()[0] in ("7", "8")


def test_closing_before_opening_or_a_bare_close_is_no_range() -> None:
    for text in ("We close at 5 and open at 9 tomorrow.", "On ferme à 17 h et on rouvre lundi."):
        assert time_ranges(text) == [], text


def test_numbers_that_are_not_hours_make_no_range() -> None:
    for text in (
        "du 10 au 20 mai",
        "de 2 à 3 ans",
        "entre 7 et 45 jours après la torréfaction",
        "from 10 to 20 people",
        "open 24-7",
        "2024-2025",
        "10-12 ans",
        "we won 9-5 on Sunday",
    ):
        assert time_ranges(text) == [], text


@pytest.mark.parametrize(
    ("text", "bad"),
    [
        ("le Nuit Polaire est ouvert du 10 à 25h (comme toujours)", ["10 à 25h"]),
        ("Réouverture à 25h.", ["25h"]),
        ("open 10 to 25h", ["10 to 25h"]),
        ("Rendez-vous à 25:00 ou à 10:75", ["25:00", "10:75"]),
        ("See you at 13 p.m. or 10h75", ["13 p.m.", "10h75"]),
    ],
)
def test_times_that_cannot_be_are_exposed_not_dropped(text: str, bad: list[str]) -> None:
    assert spans(text, bad_times(text)) == bad
    assert [b.text for b in bad_times(text)] == bad


def test_delays_are_no_bad_times_and_no_clock_times() -> None:
    text = "Livraison en 48h, 48h chrono, ouvert 24h/24, réponse sous 24 h, il y a 30 h."
    assert bad_times(text) == []
    assert keys(text, "time") == []  # "sous 24 h" is a delay, not midnight
    assert [f.key for f in stated_facts(text) if f.kind == "duration"] == ["48h", "24h"]


def test_spelled_hours_are_a_time_only_where_a_time_is_meant() -> None:
    assert keys("On ferme à 18 heures.", "time") == ["18:00"]
    assert keys("Comptez 2 heures de route.", "time") == []


# -- weekdays -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Réouverture lundi", [("lundi", {0})]),
        ("Fermé le dimanche", [("dimanche", {6})]),
        ("Fermé les lundis", [("lundis", {0})]),
        ("Closed Mondays", [("Mondays", {0})]),
        ("See you on Sunday", [("Sunday", {6})]),
        ("Ouvert du lundi au vendredi", [("lundi au vendredi", {0, 1, 2, 3, 4})]),
        ("Open Monday to Friday", [("Monday to Friday", {0, 1, 2, 3, 4})]),
        ("Open Mon–Fri", [("Mon–Fri", {0, 1, 2, 3, 4})]),
        ("du vendredi au lundi", [("vendredi au lundi", {4, 5, 6, 0})]),
        ("Open weekends", [("weekends", {5, 6})]),
        ("Ouvert la fin de semaine", [("fin de semaine", {5, 6})]),
        ("Ouvert en semaine", [("en semaine", {0, 1, 2, 3, 4})]),
        ("Ouvert tous les jours", [("tous les jours", set(range(7)))]),
        ("Open every day", [("every day", set(range(7)))]),
    ],
)
def test_weekdays_in_french_and_english(text: str, found: list[tuple[str, set[int]]]) -> None:
    assert [(d.text, set(d.days)) for d in weekdays(text)] == found
    assert all(text[d.start : d.end] == d.text and not d.excluded for d in weekdays(text))


def test_days_left_out_are_marked_excluded() -> None:
    days = weekdays("Ouvert tous les jours sauf le lundi et le mardi; open daily except Sundays.")
    assert [(d.text, d.excluded) for d in days] == [
        ("tous les jours", False),
        ("lundi", True),
        ("mardi", True),
        ("Sundays", True),
    ]


def test_words_that_merely_look_like_days_are_none() -> None:
    assert weekdays("everyday words, @sunny.sips.daily, 12 mars, I sat to sun myself") == []


# -- delays -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "key"),
    [
        ("2 ou 3 semaines", "2-3w"),
        ("2 or 3 weeks", "2-3w"),
        ("deux à trois jours", "2-3d"),
        ("2-3 business days", "2-3bd"),
        ("entre 2 et 3 mois", "2-3mo"),
        ("sous 48 h", "48h"),
        ("d'ici une semaine", "1w"),
        ("within a week", "1w"),
        ("in an hour", "1h"),
        ("quinze jours", "15d"),
        ("vingt et un jours", "21d"),
        ("30 jours", "30d"),
        ("a three-year warranty", "3y"),
    ],
)
def test_delays_are_found_in_every_format(written: str, key: str) -> None:
    durations = [f for f in stated_facts(f"On vous répond {written}.") if f.kind == "duration"]
    assert [f.key for f in durations] == [key]
    assert durations[0].text in written


def test_duration_keys_keep_their_zeros_and_ranges() -> None:
    assert duration_key("30", "jours") != duration_key("3", "jours")
    assert duration_key("2,50", "weeks") == "2.5w"
    assert duration_key("trois", "semaines", low="deux") == "2-3w"
    assert duration_key("2", "days", low="2") == "2d"


def _store(brand: str) -> FactSources:
    """The brand's fact sources, built from its guideline paragraphs and past replies."""
    root = BRANDS[brand]
    passages = [
        (para, Source(md.name, "", None, ""))
        for md in sorted(root.glob("0*.md"))
        for para in md.read_text(encoding="utf-8").split("\n\n")
    ]
    with open(root / "replies.jsonl", encoding="utf-8") as fh:
        replies = [
            (json.loads(line)["reply"], Source("replies.jsonl", "", None, "")) for line in fh
        ]
    return FactSources.build(passages, replies)


def test_an_invented_delay_is_not_grounded_by_a_single_figure_of_the_store() -> None:
    store = _store("boreale")

    def grounded(text: str) -> list[bool]:
        return [store.find(f) is not None for f in stated_facts(text) if f.kind == "duration"]

    # a past reply says "three weeks": that does not make "2 ou 3 semaines" a brand delay
    assert grounded("Votre colis arrivera d'ici 2 ou 3 semaines.") == [False]
    assert grounded("Remboursement sous 5 jours ouvrables.") == [True]
    # the store's "2 à 4 jours ouvrables" grounds the range and its ends, not another range
    assert grounded("Livraison en 2 à 4 jours ouvrables, au plus 4 business days.") == [True, True]
    assert grounded("Livraison en 2 à 6 jours ouvrables.") == [False]
    assert grounded("Livraison en 2 ou 3 jours ouvrables.") == [False]


def test_the_sample_brands_texts_hold_no_time_that_cannot_be() -> None:
    texts: list[str] = []
    for root in BRANDS.values():
        with open(root / "posts.csv", newline="", encoding="utf-8") as fh:
            texts += [row["text"] for row in csv.DictReader(fh)]
        for line in (root / "replies.jsonl").read_text(encoding="utf-8").splitlines():
            texts.append(json.loads(line)["reply"])
    assert len(texts) > 150
    assert [b.text for t in texts for b in bad_times(t)] == []
    ranges = [r for t in texts for r in time_ranges(t)]
    assert len(ranges) >= 20 and all(r.opens < r.closes for r in ranges)
