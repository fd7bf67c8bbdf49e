"""The brand fact sheet: the facts of a brand's guidelines read into typed records (hours
per place, weekday and season, prices, delays, policies with what they allow and forbid,
addresses, contacts and names), on both sample brands ingested into a real store, kept with
the checking profile on disk, printed by `cmassist facts` and shown in the Knowledge tab.

Nothing in the readers knows either brand: they read the cmassist guideline format, and a
test checks that no name of either brand is written in their code.
"""

from __future__ import annotations

import ast
import json
import pkgutil
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

import cmassist.services.knowledge as knowledge
from cmassist.adapters.store import KnowledgeStore
from cmassist.bootstrap import Services
from cmassist.config import Settings
from cmassist.domain.facts import extract
from cmassist.domain.factsheet import FACT_KINDS, FactSheet, Hours
from cmassist.domain.models import Kind
from cmassist.domain.textmatch import fold_str
from cmassist.interfaces.cli.main import main
from cmassist.interfaces.i18n import Translator
from cmassist.interfaces.web.knowledge import KnowledgeHandlers, fact_cells
from cmassist.services.checking import profile_cache
from cmassist.services.ingest import ingest
from cmassist.services.knowledge import build_factsheet
from cmassist.services.knowledge.hours import read_hours
from cmassist.services.knowledge.policies import read_policies
from cmassist.services.knowledge.sections import Guidelines
from cmassist.services.ports.models import Embedder

ROOT = Path(__file__).resolve().parents[1]
SECOND = ROOT / "tests" / "data" / "brands" / "velofleuve"
MONDAY, TUESDAY, SATURDAY, SUNDAY = 0, 1, 5, 6


@pytest.fixture(scope="module")
def brands_dir(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Path:
    """Both sample brands ingested into one real store, once for the module."""
    data = tmp_path_factory.mktemp("factsheet") / "data"
    store = KnowledgeStore(Settings(data_dir=data), embedder)
    assert ingest(store, [ROOT / "brand_guidelines"], brand="boreale").ok
    assert ingest(store, [SECOND], brand="velofleuve").ok
    return data


@pytest.fixture
def data_dir(brands_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    data = tmp_path / "brands"
    shutil.copytree(brands_dir, data)
    monkeypatch.setenv("CMASSIST_DATA_DIR", str(data))
    return data


@pytest.fixture
def services(data_dir: Path, embedder: Embedder) -> Services:
    return Services(Settings(data_dir=data_dir), embedder=embedder)


@pytest.fixture(scope="module")
def sheets(brands_dir: Path, embedder: Embedder) -> dict[str, FactSheet]:
    """Each brand's fact sheet built from the passages its store holds."""
    store = KnowledgeStore(Settings(data_dir=brands_dir), embedder)
    out = {}
    for brand in ("boreale", "velofleuve"):
        passages = [
            _Passage(r.text, r.source, r.heading, r.line, r.language)
            for r in store.records(brand, [Kind.GUIDELINE])
        ]
        out[brand] = build_factsheet(brand, passages, store.brand_name(brand))
    return out


@dataclass(frozen=True)
class _Passage:
    text: str
    source: str
    heading: str
    line: int | None
    language: str | None


def one(records: list[Hours]) -> tuple[str | None, str | None]:
    """The opening and closing of the one record asked for."""
    assert len(records) == 1, records
    return records[0].opens, records[0].closes


def in_season(records: list[Hours], season: str) -> list[Hours]:
    return [h for h in records if h.season == season]


# -- hours ----------------------------------------------------------------------------------


def test_cafe_hours_per_weekday_and_season(sheets: dict[str, FactSheet]) -> None:
    sheet = sheets["boreale"]
    assert {"Mile End", "Saint-Henri", "Vieux-Québec"} <= set(sheet.places())
    assert one(sheet.hours_of("Mile End", SUNDAY)) == ("08:00", "18:00")
    assert one(sheet.hours_of("mile end", MONDAY)) == ("07:00", "18:00")  # folded match
    assert {h.closes for h in sheet.hours_of("Saint-Henri")} == {"17:00"}
    assert len(sheet.hours_of("Saint-Henri")) == 7
    vieux = sheet.hours_of("Vieux-Québec")
    assert {(h.day, h.opens, h.closes) for h in in_season(vieux, "")} == {
        (d, "07:30", "18:00") for d in range(7)
    }
    summer = [h for h in vieux if h.season]
    assert {(h.day, h.opens, h.closes) for h in summer} == {(d, "07:30", "20:00") for d in range(7)}
    assert {(h.season, h.season_from, h.season_to) for h in summer} == {("summer", "06-24", "")}
    # the English and the French paragraphs say the same: each fact is kept once
    assert len(vieux) == 14
    # the community inbox's and the phone line's hours are no place's hours
    assert sheet.places() == ["Mile End", "Saint-Henri", "Vieux-Québec"]


def test_seasonal_hours_with_closed_days(sheets: dict[str, FactSheet]) -> None:
    sheet = sheets["velofleuve"]
    (place,) = sheet.places()
    low = [h for h in sheet.hours_of(place) if h.season == "low season"]
    high = [h for h in sheet.hours_of(place) if h.season == "high season"]
    assert one([h for h in low if h.day == MONDAY]) == (None, None)
    assert one([h for h in low if h.day == SUNDAY]) == (None, None)
    assert all(h.closed for h in low if h.day in (MONDAY, SUNDAY))
    assert one([h for h in low if h.day == TUESDAY]) == ("10:00", "18:00")
    assert one([h for h in low if h.day == SATURDAY]) == ("10:00", "18:00")
    assert one([h for h in high if h.day == MONDAY]) == ("09:00", "19:00")
    assert one([h for h in high if h.day == SUNDAY]) == ("09:00", "17:00")
    assert {(h.season_from, h.season_to) for h in low} == {("11-01", "03-31")}
    assert {(h.season_from, h.season_to) for h in high} == {("04-01", "10-31")}
    # a clinic "on Saturday, June 6, 2026, from 9 a.m. to noon" is a date, not a schedule
    assert len(sheet.hours) == 14


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Heures : du lundi au vendredi de 7 h à 18 h, samedi et dimanche de 8 h à 18 h.",
            {(d, "07:00", "18:00") for d in range(5)}
            | {(5, "08:00", "18:00"), (6, "08:00", "18:00")},
        ),
        ("Hours: every day 7:30 a.m. to 6 p.m.", {(d, "07:30", "18:00") for d in range(7)}),
        ("Horaire : tous les jours de 9 h à midi.", {(d, "09:00", "12:00") for d in range(7)}),
        (
            "Open Tuesday to Saturday 10 a.m. to 6 p.m., closed Sunday and Monday.",
            {(d, "10:00", "18:00") for d in range(1, 6)} | {(6, None, None), (0, None, None)},
        ),
        ("Ouvert du mardi au samedi; fermé le lundi.", {(0, None, None)}),
        ("Closed on Mondays.", {(0, None, None)}),
        ("We answer Monday to Friday, 9 a.m. to 5 p.m., heure de l'Est.", set()),
        ("Open house on Saturday, June 6, from 9 a.m. to noon.", set()),
        ("Public cupping the first Sunday of each month, 11 a.m. to noon; open to all.", set()),
    ],
)
def test_hours_sentences_in_both_languages(text: str, expected: set[tuple]) -> None:
    g = Guidelines.read([_Passage(text, "f.md", "Doc > Shop (EN)", 1, "en")], "Acme")
    read = {(h.day, h.opens, h.closes) for h in read_hours(g.sections[0], g, "Acme")}
    assert read == expected


# -- prices ---------------------------------------------------------------------------------


def amounts(sheet: FactSheet, product: str) -> set[str]:
    return {p.amount for p in sheet.prices_of(product)}


def test_prices_per_product_with_their_other_language_name(sheets: dict[str, FactSheet]) -> None:
    sheet = sheets["boreale"]
    assert "21.00" in amounts(sheet, "Boréal Blend")
    assert "21.00" in amounts(sheet, "Mélange Boréal")
    blend = sheet.known_name("Mélange Boréal")
    assert blend is not None and blend.name == "Boréal Blend" and blend.kind == "product"
    assert {p.amount for p in sheet.prices_for("Mélange Boréal")} >= {"21.00", "56.00"}
    kilo = [p for p in sheet.prices_of("Boréal Blend") if p.amount == "56.00"]
    assert kilo and "1 kg" in kilo[0].qualifier
    assert amounts(sheet, "Nuit Polaire") == {"23.00"}
    assert amounts(sheet, "latte") == {"5.45"}
    assert amounts(sheet, "maple latte") == {"5.95"}
    assert amounts(sheet, "espresso") == {"3.25"}
    assert amounts(sheet, "filtre du jour") == {"3.50", "1.00"}  # and its refill
    # a list of names after a label is the label's price, not the first name's
    assert amounts(sheet, "Classic plan") == {"19.00"}
    # differences and thresholds are no prices: "$1 less", "$0.50 off", "free from $60"
    assert not {p.amount for p in sheet.prices} & {"0.50", "60.00"}
    assert all(p.source and p.source.excerpt for p in sheet.prices)


def test_workshop_prices(sheets: dict[str, FactSheet]) -> None:
    sheet = sheets["velofleuve"]
    assert amounts(sheet, "basic tune-up") == {"89.00"}
    assert amounts(sheet, "mise au point de base") == {"89.00"}
    assert amounts(sheet, "complete tune-up") == {"169.00"}
    assert amounts(sheet, "new inner tube") == {"9.00"}  # "plus $9 for a new inner tube"
    assert amounts(sheet, "Phare Nord") == {"49.00"}
    assert amounts(sheet, "E-bike rentals") == {"20.00", "75.00"}  # "Prices: $20 an hour or $75"
    assert amounts(sheet, "Winter storage") == {"129.00"}  # "from November to April: $129"
    assert "35.00" not in {p.amount for p in sheet.prices}  # "$35 more per bike"
    assert "69.00" not in {p.amount for p in sheet.prices}  # "for $69 instead of $89"
    tune_up = sheet.known_name("basic tune-up")
    assert tune_up is not None and "mise au point de base" in tune_up.aliases


# -- contacts, addresses, delays ------------------------------------------------------------


def contact(sheet: FactSheet, written: str):
    (key,) = {f.key for f in extract(written)}
    found = [c for c in sheet.contacts if c.key == key]
    assert len(found) == 1, (written, sheet.contacts)
    return found[0]


def test_contacts_with_their_purpose(sheets: dict[str, FactSheet]) -> None:
    sheet = sheets["boreale"]
    phone = contact(sheet, "1-800-555-0199")
    assert phone.kind == "phone" and "support" in phone.purpose.lower()
    assert "support" in contact(sheet, "support@brulerie-boreale.example").purpose.lower()
    assert contact(sheet, "presse@brulerie-boreale.example").purpose.lower() == "press"
    assert contact(sheet, "pro@brulerie-boreale.example").purpose.lower() == "wholesale"
    handles = {c.value for c in sheet.contacts if c.kind == "handle"}
    assert handles == {"@brulerieboreale", "@brulerieboreale@mastodon.social"}
    assert not any(c.kind == "email" and "mastodon" in c.key for c in sheet.contacts)
    bike = sheets["velofleuve"]
    assert "support" in contact(bike, "418-555-0142").purpose.lower()
    assert contact(bike, "emplois@velofleuve.example").purpose.lower() == "jobs"


def test_addresses_of_each_place(sheets: dict[str, FactSheet]) -> None:
    boreale = {a.place: a.address for a in sheets["boreale"].addresses}
    assert boreale == {
        "Mile End": "5412, boulevard Saint-Laurent, Montréal (Québec) H2T 1S1",
        "Saint-Henri": "4280, rue Saint-Ambroise, Montréal (Québec) H4C 2E1",
        "Vieux-Québec": "61, rue Saint-Jean, Québec (Québec) G1R 1N9",
    }
    (shop,) = sheets["velofleuve"].addresses
    assert shop.address == "1180, boulevard Champlain, Québec (Québec) G1K 4J1"
    assert shop.place == sheets["velofleuve"].places()[0]


def test_delays_with_their_subject(sheets: dict[str, FactSheet]) -> None:
    delays = sheets["boreale"].delays
    shipping = [d for d in delays if "ship" in d.subject.lower() and (d.low, d.high) == (2, 2)]
    assert shipping and shipping[0].unit == "bd"
    regions = [d for d in delays if "Québec and Ontario" in d.subject]
    assert [(d.low, d.high, d.unit) for d in regions] == [(2, 4, "bd")]
    # the unit carries over the list: "Atlantic provinces 3 to 6; Prairies ... 4 to 7"
    assert any("Atlantic" in d.subject and (d.low, d.high, d.unit) == (3, 6, "bd") for d in delays)
    assert any((d.low, d.high, d.unit) == (1, 1, "bd") for d in sheets["velofleuve"].delays)
    assert not any(d.unit == "y" for d in delays)  # ages and anniversaries are no delays


# -- policies -------------------------------------------------------------------------------


def policies_with(sheet: FactSheet, words: str):
    return [p for p in sheet.policies if words in p.text]


def test_refund_policies_allow_and_forbid(sheets: dict[str, FactSheet]) -> None:
    sheet = sheets["boreale"]
    (never,) = policies_with(sheet, "never promises:")
    assert set(never.forbids) >= {"refund", "compensation"} and "refund" not in never.allows
    (jamais,) = policies_with(sheet, "ne promet jamais :")
    assert set(jamais.forbids) >= {"refund", "compensation"}
    (gift,) = policies_with(sheet, "Gift cards are not refundable")
    assert gift.forbids == ("refund",) and gift.allows == ()
    (cartes,) = policies_with(sheet, "Les cartes-cadeaux ne sont pas remboursables.")
    assert cartes.forbids == ("refund",)
    (late,) = policies_with(sheet, "we reship the order or refund it")
    assert set(late.allows) == {"reship", "refund"} and late.forbids == ()
    (promise,) = policies_with(sheet, "we replace it, exchange it or refund it")
    assert set(promise.allows) >= {"replacement", "refund"} and promise.forbids == ()
    (promesse,) = policies_with(sheet, "on le remplace, on l'échange ou on le rembourse")
    assert set(promesse.allows) >= {"replacement", "refund"} and promesse.forbids == ()
    assert all(p.source and p.source.source.endswith(".md") for p in sheet.policies)
    # "Emoji ... never replace words" is about writing, no commitment
    assert not policies_with(sheet, "never replace words")
    (bike,) = policies_with(sheets["velofleuve"], "never promises:")
    assert "refund" in bike.forbids


@pytest.mark.parametrize(
    ("sentence", "allows", "forbids"),
    [
        (
            "We never promise refunds, replacements or credits.",
            set(),
            {"refund", "replacement", "credit"},
        ),
        (
            "If tracking hasn't moved, we reship or refund it, without waiting.",
            {"reship", "refund"},
            set(),
        ),
        ("Les cartes-cadeaux ne sont pas remboursables.", set(), {"refund"}),
        ("Aucun remboursement n'est possible après 30 jours.", set(), {"refund"}),
        ("On rembourse sans poser de questions.", {"refund"}, set()),
        ("What to do (don't consume, refund or exchange without receipt).", {"refund"}, set()),
        ("Nobody will be charged twice and that any error will be refunded.", {"refund"}, set()),
        ("We ask for a credit card for the deposit.", set(), set()),
    ],
)
def test_negation_of_commitments(sentence: str, allows: set[str], forbids: set[str]) -> None:
    g = Guidelines.read([_Passage(sentence, "f.md", "Doc > Policy (EN)", 1, "en")], "Acme")
    read = read_policies(g.sections[0])
    assert {k for p in read for k in p.allows} == allows
    assert {k for p in read for k in p.forbids} == forbids


# -- names ----------------------------------------------------------------------------------


def kind_of(sheet: FactSheet, name: str) -> str | None:
    record = sheet.known_name(name)
    return record.kind if record else None


def test_names_and_their_kinds(sheets: dict[str, FactSheet]) -> None:
    sheet = sheets["boreale"]
    assert kind_of(sheet, "Nuit Polaire") == "product"
    assert kind_of(sheet, "Cercle Boréal") == "programme"
    assert kind_of(sheet, "Boréal Circle") == "programme"  # its English name, an alias
    assert kind_of(sheet, "Abonnement Boréal") == "programme"
    assert kind_of(sheet, "Élise Bouchard") == "person"
    assert kind_of(sheet, "Camille Roy") == "person"
    assert kind_of(sheet, "Mile End") == "place"
    assert kind_of(sheet, "Boulangerie Les Trois Pignons") == "partner"
    assert kind_of(sheet, "Tesfa Alem Cooperative") == "partner"
    assert kind_of(sheet, "Brûlerie Boréale") is None  # the brand itself
    people = {n.name for n in sheet.names if n.kind == "person"}
    assert people == {
        "Élise Bouchard",
        "Karim Haddad",
        "Tomás Quintero",
        "Audrey Pelletier",
        "Maude Lefebvre",
        "Camille Roy",
    }
    bike = sheets["velofleuve"]
    assert {n.name for n in bike.names if n.kind == "person"} == {
        "Mathilde Gagnon",
        "Samuel Ouellet",
        "Léa Bergeron",
    }
    assert kind_of(bike, "Phare Nord") == "partner"
    # shouting in an off-voice example is no name
    assert not any(n.name.isupper() for s in sheets.values() for n in s.names)


# -- the readers know no brand --------------------------------------------------------------


def _code_strings() -> list[str]:
    """Every string the knowledge package's code holds, docstrings and comments aside."""
    out = []
    for info in pkgutil.iter_modules(knowledge.__path__):
        path = Path(knowledge.__path__[0]) / f"{info.name}.py"
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {
            id(node.body[0].value)
            for node in ast.walk(tree)
            if isinstance(node, ast.Module | ast.FunctionDef | ast.ClassDef)
            and node.body
            and isinstance(node.body[0], ast.Expr)
            and isinstance(node.body[0].value, ast.Constant)
        }
        out += [
            n.value
            for n in ast.walk(tree)
            if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docstrings
        ]
    return out


def test_no_brand_is_written_in_the_readers(sheets: dict[str, FactSheet]) -> None:
    code = " ".join(fold_str(s) for s in _code_strings())
    assert len(code) > 2000  # the lexicons are there to search
    names = {fold_str(n) for s in sheets.values() for n in s.all_names()}
    names |= {"boreale", "boreal", "velo fleuve", "brulerie"}
    written = sorted(n for n in names if len(n) > 3 and re.search(rf"\b{re.escape(n)}\b", code))
    assert written == []


# -- kept with the profile, shown by the CLI and the app ------------------------------------


def test_the_profile_keeps_the_fact_sheet_on_disk(services: Services, tmp_path: Path) -> None:
    built = services.checker.profile("boreale")
    assert built.factsheet.brand == "boreale" and len(built.factsheet) > 100
    expected = profile_cache.fingerprint(built.revision, services.store.embedder.name)
    profile_cache.save(tmp_path, built, expected)
    loaded = profile_cache.load(tmp_path, expected)
    assert loaded is not None and loaded.factsheet == built.factsheet
    # a profile saved by the format before the fact sheet is rebuilt, never trusted
    assert profile_cache.FORMAT >= 2
    names = {m.name for m in pkgutil.iter_modules(knowledge.__path__)}
    assert {f"cmassist.services.knowledge.{n}" for n in names} <= set(profile_cache.BUILT_BY)


def test_fact_sheet_json_round_trip(sheets: dict[str, FactSheet]) -> None:
    for sheet in sheets.values():
        again = FactSheet.from_dict(json.loads(json.dumps(sheet.to_dict())))
        assert again == sheet
    with pytest.raises(ValueError, match="not a fact sheet"):
        FactSheet.from_dict({"brand": "x"})


def test_cli_facts(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["facts", "--brand", "velofleuve", "--kind", "hours", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0 and set(out) == {"brand", "counts", "hours"}
    closed = {(h["day"], h["season"]) for h in out["hours"] if h["opens"] is None}
    assert closed == {(MONDAY, "low season"), (SUNDAY, "low season")}
    assert main(["facts", "--brand", "boreale", "--kind", "contacts"]) == 0
    text = capsys.readouterr().out
    assert re.search(r"phone 1-800-555-0199 · customer support .*06-facts\.md", text)
    assert main(["facts", "--brand", "nobody"]) == 2
    assert "unknown brand" in capsys.readouterr().err


def test_knowledge_tab_shows_the_fact_sheet(services: Services) -> None:
    h = KnowledgeHandlers(services)
    table, summary = h.facts("all", "boreale")
    assert "facts read from the guidelines" in summary
    rows = table.values.tolist()
    assert {r[0] for r in rows} == set(FACT_KINDS)
    assert ["hours", "Mile End", "Sunday: 08:00–18:00"] in [r[:3] for r in rows]
    hours, _ = h.facts("hours", "velofleuve")
    assert {r[0] for r in hours.values.tolist()} == {"hours"}
    assert any(r[4].startswith("Address and seasonal hours") for r in hours.values.tolist())
    sheet = services.checker.profile("boreale").factsheet
    sunday = sheet.hours_of("Mile End", SUNDAY)[0]
    assert fact_cells("hours", sunday, Translator("fr"))[1] == "dimanche: 08:00–18:00"
