"""Names the brand's store does not know (`unknown_name`), on a real store of both sample
brands: invented product, place, programme and people names are caught; the brand's own
names, weekdays, holidays, cities and a customer's words are not."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest

from cmassist.adapters.store import KnowledgeStore
from cmassist.bootstrap import Services
from cmassist.config import Settings
from cmassist.domain.factsheet import FactSheet, Name
from cmassist.services.checking.checker import Checker, CheckResult
from cmassist.services.checking.names import build_vocabulary, name_runs
from cmassist.services.ingest import ingest
from cmassist.services.ports.models import Embedder

ROOT = Path(__file__).resolve().parents[1]
SECOND = ROOT / "tests" / "data" / "brands" / "velofleuve"

# New texts written for boreale with only the names of its guidelines (and weekdays,
# holidays, cities, countries): none may be flagged.
ON_BRAND = [
    ("post", "Le Nuit Polaire est de retour en tablette dans nos trois cafés : cacao, datte "
     "et biscuit, sans la caféine. Passez au Mile End ou à Saint-Henri dès jeudi! ☕"),
    ("post", "Our Ethiopia Tesfa Alem natural is back for spring: strawberry, cocoa and "
     "hibiscus. Find it at the Vieux-Québec café or in the online shop while it lasts."),
    ("post", "Bonne Fête nationale! Nos cafés suivent l'horaire de fin de semaine le 24 juin, "
     "et le café Vieux-Québec passe à l'horaire d'été."),
    ("post", "Halloween at the Mile End café: come in costume on Friday and say hi to the team."),
    ("reply", "Bonjour! Oui, l'Abonnement Boréal se met en pause de 1 à 12 semaines, "
     "directement dans votre compte client. Bonne journée!\n— Camille, Brûlerie Boréale"),
    ("reply", "Thanks for the kind words! Karim will be happy to hear the Aurore worked so "
     "well in your moka pot."),
    ("post", "Tomás Quintero revient de Planadas, dans le Tolima, où il a visité l'Asociación "
     "Brisas del Nevado. La nouvelle récolte arrive à Montréal en octobre."),
    ("post", "New at the Mile End café: mugs from Atelier Grès du Nord. Bring your own cup on "
     "Monday and tell us what you think!"),
    ("post", "Le Cercle Boréal double vos points ce samedi, dans les trois cafés et dans "
     "l'application Boréale."),
    ("reply", "So sorry your parcel is late. Write to us with your order number and we'll "
     "sort it out under the Promesse Boréale, without waiting for Canada Post."),
    ("reply", "Merci d'avoir signalé le bogue! Écrivez à notre soutien avec le modèle de votre "
     "téléphone et la version de l'application Boréale : vos points du Cercle Boréal sont "
     "conservés dans votre compte."),
    ("post", "From Gedeb, Ethiopia, to Montréal: the Tesfa Alem Cooperative's new crop lands "
     "in May. Jasmine, bergamot, white peach."),
    ("post", "Joyeux Noël de toute l'équipe de Brûlerie Boréale! On se revoit après les "
     "Fêtes, au Mile End, à Saint-Henri et au Vieux-Québec."),
    ("post", "Our pastries come from Boulangerie Les Trois Pignons in Saint-Henri every "
     "morning, and the gluten-free cookie from Atelier Sans Détour in Laval."),
    ("reply", "Oui, on livre partout au Canada, de la Colombie-Britannique aux "
     "Îles-de-la-Madeleine, mais pas aux États-Unis ni en France pour l'instant."),
    ("reply", "Hi! The Discovery plan changes origin with every delivery, and each bag comes "
     "with a tasting card. The Classic plan keeps you on Boréal Blend, Aurore or Nuit Polaire."),
    ("post", "Le Pérou Sol del Chinchipe, biologique certifié, est arrivé : chocolat au lait, "
     "caramel et mandarine. Élise Bouchard l'a goûté en premier, évidemment."),
    ("post", "Come see the roaster through the glass wall at Saint-Henri this Saturday. Audrey "
     "Pelletier and the café team will pour cold brew made with Boréal Blend."),
    ("reply", "Désolés pour l'attente au Vieux-Québec dimanche. On transmet vos commentaires à "
     "Audrey Pelletier, notre directrice des cafés. Merci de votre patience!"),
    ("reply", "Ordering from Toronto or Sherbrooke? Ontario and Québec deliveries usually "
     "arrive a few business days after shipping, and Paris will have to wait: we ship "
     "within Canada only."),
]  # fmt: skip

# Invented names of every kind, as a small model writes them: each must be flagged, and
# the flagged words must include the invented one.
INVENTED = [
    ("Toutes les matières de l'Abonnement Boréal (Céramique, Cerasses et Bâtiments) sont "
     "disponibles pour le paiement en ligne, en 2024.", "Cerasses"),
    ("Notre nouveau mélange Aube Dorée arrive en tablette ce jeudi, dans les trois cafés!",
     "Aube Dorée"),
    ("Try our Midnight Velvet blend, roasted in Saint-Henri: dark cocoa and cherry.",
     "Midnight Velvet"),
    ("Le café Plateau est ouvert tous les jours, venez nous voir!", "Plateau"),
    ("Join the Boréal Rewards Club and earn double points this weekend!", "Rewards Club"),
    ("Nos baristas Julien et Sophie vous attendent au Mile End ce samedi.", "Sophie"),
    ("The Aurora Espresso Reserve is back at the Vieux-Québec café.", "Espresso Reserve"),
    ("Profitez de la Carte Privilège Boréale pour économiser sur vos cafés.", "Carte Privilège"),
    ("Our head roaster Marc Tremblay picked this lot himself.", "Marc Tremblay"),
    ("Découvrez notre Kenya Kiambu, torréfié cette semaine à Saint-Henri.", "Kiambu"),
]  # fmt: skip


@pytest.fixture(scope="module")
def two_brands(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Path:
    data = tmp_path_factory.mktemp("names-brands") / "data"
    store = KnowledgeStore(Settings(data_dir=data), embedder)
    assert ingest(store, [ROOT / "brand_guidelines"], brand="boreale").ok
    assert ingest(store, [SECOND], brand="velofleuve").ok
    return data


@pytest.fixture
def checker(two_brands: Path, tmp_path: Path, embedder: Embedder) -> Checker:
    data = tmp_path / "data"
    shutil.copytree(two_brands, data)
    return Services(Settings(data_dir=data), embedder=embedder).checker


def names_of(result: CheckResult, text: str) -> list[tuple[str, str]]:
    return [
        (f.severity, text[f.start : f.end]) for f in result.findings if f.rule == "unknown_name"
    ]


def check(checker: Checker, text: str, kind: str = "post", **kw: object) -> CheckResult:
    return checker.check(text, platform="instagram", brand="boreale", kind=kind, voice=False, **kw)


def test_the_seen_invented_product_names_block_the_draft(checker: Checker) -> None:
    text = INVENTED[0][0]
    r = check(checker, text)
    found = names_of(r, text)
    assert ("block", "Cerasses") in found and r.verdict == "block"
    # the brand writes "céramique" in lower case only: capitalised here, a warning
    assert ("warn", "Céramique") in found
    assert all(w != "Abonnement Boréal" for _, w in found)
    finding = next(f for f in r.findings if text[f.start : f.end] == "Cerasses")
    assert "may be invented" in finding.message and finding.citation is not None


@pytest.mark.parametrize(("text", "name"), INVENTED)
def test_invented_names_of_every_kind_are_flagged(checker: Checker, text: str, name: str) -> None:
    found = names_of(check(checker, text), text)
    assert any(sev == "block" and name in words for sev, words in found), found


def test_new_on_brand_texts_with_the_brand_s_names_are_not_flagged(checker: Checker) -> None:
    flagged = []
    for kind, text in ON_BRAND:
        found = names_of(check(checker, text, kind), text)
        if found:
            flagged.append((found, text))
    assert flagged == []


def test_every_past_post_and_reply_of_the_second_brand_knows_its_names(
    checker: Checker,
) -> None:
    with (SECOND / "posts.csv").open(encoding="utf-8") as f:
        texts = [(row["text"], "post", row["platform"]) for row in csv.DictReader(f)]
    for line in (SECOND / "replies.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        texts.append((row["reply"], "reply", row["platform"]))
    assert len(texts) > 40
    flagged = []
    for text, kind, platform in texts:
        r = checker.check(text, platform=platform, brand="velofleuve", kind=kind, voice=False)
        if names_of(r, text):
            flagged.append((names_of(r, text), text[:80]))
    assert flagged == []


@pytest.mark.parametrize(
    "text",
    [
        "Lundi, on ouvre à 7 h comme d'habitude.\nMardi aussi!",
        "Joyeux Noël et bonne année! On se revoit en Janvier.",
        "Happy Easter from all of us! Closed on Good Friday? No: weekend hours.",
        "Nos amis de Paris, Lyon et Bruxelles nous demandent souvent si on livre en Europe.",
        "We get asked about shipping to New York, Chicago and Mexico every week.",
        "#Partenariat Notre coffret avec l'Atelier Grès du Nord est de retour.",
        "Merci @CafeVoisin pour la visite! Tout est sur brulerie-boreale.example/Visites.",
        "Bonjour Madame, merci pour votre message.",
        "« Vraiment délicieux », nous écrit une cliente : Merci!",
        "Our French press guide is up, and the Spanish version follows.",
    ],
)
def test_calendar_places_line_starts_tags_and_links_are_not_names(
    checker: Checker, text: str
) -> None:
    assert names_of(check(checker, text), text) == []


def test_a_name_the_customer_wrote_is_not_an_invention(checker: Checker) -> None:
    reply = "Bonjour! Pour une Moccamaster, visez une mouture moyenne."
    alone = check(checker, reply, "reply")
    assert ("block", "Moccamaster") in names_of(alone, reply)
    comment = "Quelle mouture pour ma moccamaster?"
    answered = check(checker, reply, "reply", replying_to=comment)
    assert names_of(answered, reply) == []


def test_a_name_the_brief_gave_is_not_an_invention(checker: Checker) -> None:
    text = "Bienvenue à Léonie, notre nouvelle barista au Mile End!"
    assert ("block", "Léonie") in names_of(check(checker, text), text)
    assert names_of(check(checker, text, brief="annonce l'arrivée de Léonie"), text) == []


def test_a_real_place_the_text_calls_the_brand_s_own_is_flagged(checker: Checker) -> None:
    # "Kiambu" and "Plateau" are real places: a place is fine, the brand's café is not.
    place = "Nos amis du Plateau sont passés."
    assert names_of(check(checker, place), place) == []
    text = "Ouverture du café Plateau lundi!"
    assert ("block", "Plateau") in names_of(check(checker, text), text)


def test_the_fact_sheet_s_names_are_known(tmp_path: Path, embedder: Embedder) -> None:
    folder = tmp_path / "tiny"
    folder.mkdir()
    (folder / "voice.md").write_text("# Voice\n\n## Tone\n\nWe sell coffee, kindly.\n")
    services = Services(Settings(data_dir=tmp_path / "data"), embedder=embedder)
    assert ingest(services.store, [folder], brand="tiny-names").ok
    text = "Our Givre Polaire blend is back."
    before = services.checker.check(text, platform="x", brand="tiny-names", voice=False)
    assert ("block", "Givre Polaire") in names_of(before, text)
    profile = services.checker.profile("tiny-names")
    profile.factsheet = FactSheet("tiny-names", names=[Name("Givre Polaire", "product")])
    after = services.checker.check(text, platform="x", brand="tiny-names", voice=False)
    assert names_of(after, text) == []


def test_candidates_skip_sentence_starts_but_not_enumerations() -> None:
    runs, skipped = name_runs("Céramique, Cerasses et Bâtiments. Le café est Ouvert.")
    assert [" ".join(w.text for w in r.words) for r in runs] == [
        "Céramique",
        "Cerasses",
        "Bâtiments",
        "Ouvert",
    ]
    assert skipped == 0
    runs, skipped = name_runs("Our New Fall Lineup Is Here\nCome taste it.")
    assert runs == [] and skipped == 1  # a title-case line is not judged


def test_the_vocabulary_tells_names_from_lower_case_words() -> None:
    vocab = build_vocabulary(
        ["Le Mélange Boréal est en céramique.", "Céramique: rien."], ["Nuit Polaire"]
    )
    assert vocab.proper("melange") and vocab.proper("boreal") and vocab.proper("polaire")
    assert vocab.written("ceramique") and not vocab.proper("ceramique")
    assert vocab.written("ceramiques")  # a plural of a word it wrote
    assert "nuit polaire" in vocab.names
