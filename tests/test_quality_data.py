"""The quality bench's data: the briefs and comments written for it (bench/quality/), the
labels a person gave the returned texts (tests/data/quality_labels/), and the mechanical
defect script (bench/defects.py) on hand-made texts, the issue's seen failures among them."""

from __future__ import annotations

import csv
import importlib.util
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from cmassist.domain.platforms import get_platform

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "bench" / "quality"
LABELS = ROOT / "tests" / "data" / "quality_labels"
BRANDS = {
    "boreale": ROOT / "brand_guidelines",
    "velofleuve": ROOT / "tests" / "data" / "brands" / "velofleuve",
}
LABEL_VALUES = {"usable", "light_edit", "unusable"}
COMMENT_CATEGORIES = {"question", "complaint", "crisis", "safety", "praise"}


def _load_defects():
    spec = importlib.util.spec_from_file_location("defects", ROOT / "bench" / "defects.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["defects"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


defects = _load_defects()


def read_jsonl(path: Path) -> list[dict[str, object]]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def few_shot_texts(folder: Path) -> list[str]:
    """Every text the product can show the model as an example: past posts (and their
    topics), past comments and replies, and the sample inbox."""
    out: list[str] = []
    with (folder / "posts.csv").open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            out += [row["text"], row["topic"]]
    for row in read_jsonl(folder / "replies.jsonl"):
        out += [str(row["comment"]), str(row["reply"])]
    inbox = folder / "inbox" / "sample.jsonl"
    if inbox.is_file():
        out += [str(row["text"]) for row in read_jsonl(inbox)]
    return out


# -- the briefs and comments --------------------------------------------------------------


@pytest.mark.parametrize("brand", sorted(BRANDS))
@pytest.mark.parametrize("name", ["briefs", "comments"])
def test_cases_are_many_bilingual_and_well_formed(brand: str, name: str) -> None:
    rows = read_jsonl(DATA / brand / f"{name}.jsonl")
    assert len(rows) >= 40
    ids = [r["id"] for r in rows]
    assert len(set(ids)) == len(ids)
    assert all(str(i).startswith(f"{brand}-{name[0]}") for i in ids)
    languages = Counter(r["language"] for r in rows)
    assert set(languages) == {"fr", "en"}
    assert min(languages.values()) >= 0.4 * len(rows)  # about half each
    for r in rows:
        get_platform(str(r["platform"]))  # a platform cmassist knows
        assert isinstance(r["text"], str) and len(r["text"]) >= 15
        assert isinstance(r["expects"], list) and all(isinstance(e, str) for e in r["expects"])
        if name == "briefs":
            assert isinstance(r["kind"], str) and r["kind"]
        else:
            assert r["category"] in COMMENT_CATEGORIES
            assert r["expects"], f"{r['id']}: a comment says what its answer must be about"


@pytest.mark.parametrize("brand", sorted(BRANDS))
def test_cases_cover_questions_complaints_crisis_and_safety(brand: str) -> None:
    comments = Counter(r["category"] for r in read_jsonl(DATA / brand / "comments.jsonl"))
    assert all(comments[c] >= 2 for c in COMMENT_CATEGORIES), comments
    briefs = Counter(r["kind"] for r in read_jsonl(DATA / brand / "briefs.jsonl"))
    assert briefs["crisis"] >= 2 and briefs["safety"] >= 1 and len(briefs) >= 8, briefs


@pytest.mark.parametrize("brand", sorted(BRANDS))
def test_cases_are_not_copies_of_the_few_shot_data(brand: str) -> None:
    past = [(t, defects.fold(t), defects.shingles(t, 4)) for t in few_shot_texts(BRANDS[brand])]
    for name in ("briefs", "comments"):
        for row in read_jsonl(DATA / brand / f"{name}.jsonl"):
            text = str(row["text"])
            mine = defects.shingles(text, 4)
            for other, folded, theirs in past:
                assert defects.fold(text) != folded, row["id"]
                share = len(mine & theirs) / max(1, len(mine))
                assert share < 0.5, f"{row['id']} shares {share:.0%} with: {other[:80]}"


def test_the_copy_test_can_fail() -> None:
    """A comment taken from replies.jsonl, lightly changed, is caught as a near-copy."""
    row = read_jsonl(BRANDS["boreale"] / "replies.jsonl")[0]
    copied = str(row["comment"]).replace("8 jours", "9 jours")
    mine, theirs = defects.shingles(copied, 4), defects.shingles(str(row["comment"]), 4)
    assert len(mine & theirs) / len(mine) >= 0.5


# -- the labels -----------------------------------------------------------------------------


def label_files() -> list[Path]:
    return sorted(LABELS.glob("*.jsonl")) if LABELS.is_dir() else []


@pytest.mark.parametrize("path", label_files(), ids=lambda p: p.name)
def test_label_files_are_complete(path: Path) -> None:
    brand = path.name.split("-")[0]
    assert brand in BRANDS
    known = {
        str(r["id"]): r
        for name in ("briefs", "comments")
        for r in read_jsonl(DATA / brand / f"{name}.jsonl")
    }
    rows = read_jsonl(path)
    assert rows and len({r["id"] for r in rows}) == len(rows)
    for r in rows:
        assert r["id"] in known, r["id"]
        assert r["request"] == known[str(r["id"])]["text"]
        assert r["kind"] == ("post" if "-b" in str(r["id"]) else "reply")
        assert isinstance(r["text"], str) and r["text"].strip()
        assert r["label"] in LABEL_VALUES, f"{r['id']}: label {r['label']!r}"
        assert isinstance(r["reason"], str) and len(r["reason"]) >= 10, r["id"]


# -- the defect script ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def boreale():
    return defects.BrandFiles.load(BRANDS["boreale"])


@pytest.fixture(scope="module")
def velo():
    return defects.BrandFiles.load(BRANDS["velofleuve"])


def kinds(text: str, request: object, brand: object) -> set[str]:
    return {d.kind for d in defects.find_defects(text, request, brand)}


def post(brief: str, language: str = "fr") -> object:
    return defects.Request("post", brief, language, "instagram")


def reply(comment: str, language: str = "fr") -> object:
    return defects.Request("reply", comment, language, "facebook")


def test_the_script_does_not_use_the_checker() -> None:
    code = (
        "import sys; sys.path.insert(0, 'bench'); import defects; "
        "print(any(m.startswith('cmassist.services') for m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "False"


def test_clean_texts_have_no_defect(boreale, velo) -> None:
    fr = (
        "Bonjour, le café Mile End ouvre le dimanche à 8 h et ferme à 18 h. "
        "Au plaisir de vous y voir!\n— L'équipe Boréale"
    )
    assert kinds(fr, reply("Le Mile End ouvre à quelle heure dimanche?"), boreale) == set()
    en = (
        "Hi, thanks for asking before ordering. Our unwrapped pastries share the display case "
        "with products containing peanuts, so we can't rule out cross-contact.\n"
        "— The Boréale team"
    )
    assert kinds(en, reply("Is the muffin ok for a peanut allergy?", "en"), boreale) == set()
    bike = (
        "Les crevaisons se font sans rendez-vous : 18 $ de main-d'œuvre, plus 9 $ pour une "
        "chambre à air neuve. Détails : velofleuve.example/rendez-vous #velofleuve"
    )
    assert kinds(bike, post("Les crevaisons sans rendez-vous"), velo) == set()


def test_invented_names_and_a_wrong_year_are_found(boreale) -> None:
    text = (
        "Toutes les matières de l'Abonnement Boréal (Céramique, Cerasses et Bâtiments) sont "
        "disponibles pour le paiement en ligne, en 2031."
    )
    found = defects.find_defects(text, post("L'Abonnement Boréal"), boreale)
    assert {d.span for d in found if d.kind == "unknown_name"} >= {"Cerasses", "Bâtiments"}
    assert any(d.kind == "invented_fact" and d.span == "2031" for d in found)


def test_the_briefs_instructions_copied_are_a_copy(boreale) -> None:
    brief = "Formule Classique à 19 $ le sac. Ton chaleureux, un seul point d'exclamation."
    text = "L'Abonnement Boréal, " + brief
    assert "copy" in kinds(text, post(brief), boreale)
    assert "copy" not in kinds(
        "L'Abonnement Boréal, Formule Classique à 19 $ le sac.", post(brief), boreale
    )


def test_a_past_post_copied_is_a_copy(boreale) -> None:
    with (BRANDS["boreale"] / "posts.csv").open(encoding="utf-8", newline="") as f:
        past = next(csv.DictReader(f))
    assert "copy" in kinds(past["text"], post(past["topic"]), boreale)


def test_cut_off_text_is_found(boreale) -> None:
    assert "cut_off" in kinds(
        "Notre cold brew infuse 18 heures avec le", post("Cold brew"), boreale
    )
    assert "cut_off" in kinds(
        "Our new bags are recyclable where…",
        post(
            "Bags",
        ),
        boreale,
    )
    ends_on_link = "Réservez votre visite : brulerie-boreale.example/visites"
    assert "cut_off" not in kinds(ends_on_link, post("Visites"), boreale)


def test_another_cafes_hours_are_a_contradiction(boreale) -> None:
    text = "Bonjour, le café Mile End est ouvert le dimanche de 8 h à 17 h.\n— L'équipe Boréale"
    found = defects.find_defects(text, reply("Le Mile End est ouvert dimanche?"), boreale)
    assert [d.span for d in found if d.kind == "contradicted_fact"] == ["17 h"]
    price = "Hi, the Nuit Polaire is $21 a bag.\n— The Boréale team"
    assert "contradicted_fact" in kinds(price, reply("How much is the decaf?", "en"), boreale)
    right = "Hi, the Nuit Polaire is $23 a bag.\n— The Boréale team"
    assert kinds(right, reply("How much is the decaf?", "en"), boreale) == set()


def test_a_closed_day_is_a_contradiction(velo) -> None:
    assert "contradicted_fact" in kinds("Réouverture lundi à 10 h!", post("Réouverture"), velo)
    hours = "Ouvert du lundi au vendredi de 9 h à 19 h."
    assert "contradicted_fact" not in kinds(hours, post("Horaire d'été"), velo)


def test_invented_facts_in_every_format(boreale, velo) -> None:
    plastic = reply("J'ai trouvé du plastique dans mes grains de Nuit Polaire")
    nonsense = "Bonjour, le Nuit Polaire est ouvert du 10 à 25h.\n— L'équipe Boréale"
    assert "invented_fact" in kinds(nonsense, plastic, boreale)
    late = reply("Commande passée il y a 12 jours, rien reçu.")
    quoted = "Bonjour, 12 jours, c'est long, on comprend.\n— L'équipe Boréale"
    assert kinds(quoted, late, boreale) == set()  # the customer's own figure
    promise = (
        "Bonjour, 12 jours, c'est long. Il arrivera d'ici 2 ou 3 semaines.\n— L'équipe Boréale"
    )
    assert "invented_fact" in kinds(promise, late, boreale)
    found = defects.find_defects(
        "Appelle au +33 6 12 34 56 78 ou au 04 78 12 34 56. La mise au point : 200 euros.",
        post("Mise au point"),
        velo,
    )
    spans = {d.span for d in found if d.kind == "invented_fact"}
    assert spans >= {"+33 6 12 34 56 78", "04 78 12 34 56", "200 euros"}


def test_scaffolding_is_found(boreale) -> None:
    leaked = "Merci!\n--- Comment: «Vous ouvrez quand?» Reply: Bonjour"
    assert "scaffolding" in kinds(leaked, reply("Vous ouvrez quand?"), boreale)
    template = "Notre café [nom] est fermé aujourd'hui. Mise à jour d'ici [heure]."
    assert "scaffolding" in kinds(template, post("Café fermé"), boreale)


def test_language_and_signature(boreale) -> None:
    question = reply("Do you ship to the United States?", "en")
    french = "Bonjour, nous livrons au Canada seulement, pas aux États-Unis.\n— L'équipe Boréale"
    assert {"wrong_language", "missing_signature"} <= kinds(french, question, boreale)
    unsigned = "Hi, thanks for thinking of us. Our online shop delivers in Canada only."
    assert "missing_signature" in kinds(unsigned, question, boreale)
    signed = unsigned + "\n— The Boréale team"
    assert kinds(signed, question, boreale) == set()


def test_a_wrong_street_number_a_made_up_site_and_a_shouted_name(boreale) -> None:
    wrong = "Passez au kiosque du 24, rue Saint-Jean. Infos sur Brulerie-Boréale.com."
    spans = {d.span for d in defects.find_defects(wrong, post("Le café Vieux-Québec"), boreale)}
    assert {"24, rue", "Brulerie-Boréale.com"} <= spans
    right = "Le café Vieux-Québec est au 61, rue Saint-Jean."
    assert kinds(right, post("Le café Vieux-Québec"), boreale) == set()
    assert "unknown_name" in kinds("Venez à l'événement BOURBON.", post("Cupping"), boreale)
    assert kinds("On accepte les codes QR.", post("Paiement"), boreale) == set()
