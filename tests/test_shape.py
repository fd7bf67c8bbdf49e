"""The shape of generated text, checked with a real Chroma store of both sample brands: the
brief's instructions copied in, few-shot scaffolding, a text cut off, near-copies of past
posts and replies, and the hashtags a brand requires. Each failure seen in drafts is
caught; the brands' own past posts and replies are not flagged."""

from __future__ import annotations

import csv
import dataclasses
import json
import re
import shutil
import threading
from pathlib import Path

import pytest

from cmassist.adapters.store import KnowledgeStore
from cmassist.bootstrap import Services
from cmassist.config import Settings
from cmassist.services.checking.checker import Checker, CheckResult, apply_fixes
from cmassist.services.checking.copies import POST_COPY, body_words, copy_index
from cmassist.services.ingest import ingest
from cmassist.services.ports.models import Embedder

ROOT = Path(__file__).resolve().parents[1]
FOLDERS = {
    "boreale": ROOT / "brand_guidelines",
    "velofleuve": ROOT / "tests/data/brands/velofleuve",
}
SHAPE = {"copied_brief", "scaffolding", "cut_off", "near_copy", "required_hashtag"}
# Posts the brand did publish twice, adapted: the same recall notice on X and Mastodon, and
# the same International Coffee Day post in 2025 and 2026 (both languages).
DUPLICATES = {("boreale", p) for p in ("p035", "p038", "p040", "p080", "p041", "p081")}


@pytest.fixture(scope="module")
def checker(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Checker:
    """Both sample brands ingested into one store, checked without writing to it."""
    data = tmp_path_factory.mktemp("shape") / "data"
    store = KnowledgeStore(Settings(data_dir=data), embedder)
    for brand, folder in FOLDERS.items():
        assert ingest(store, [folder], brand=brand).ok
    return Services(Settings(data_dir=data), embedder=embedder).checker


def posts(brand: str) -> list[dict[str, str]]:
    with (FOLDERS[brand] / "posts.csv").open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def replies(brand: str) -> list[dict[str, str]]:
    lines = (FOLDERS[brand] / "replies.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


def found(result: CheckResult, rule: str) -> list:
    return [f for f in result.findings if f.rule == rule]


def check(checker: Checker, text: str, **kw: object) -> CheckResult:
    kw = {"platform": "x", "brand": "boreale", "voice": False, **kw}
    return checker.check(text, **kw)  # type: ignore[arg-type]


# -- the brief's instructions ------------------------------------------------------------------

SEEN_BRIEF = (
    "Annoncer l'Abonnement Boréal : Formule Classique à 19 $ le sac. "
    "Ton chaleureux, un seul point d'exclamation."
)


def test_the_seen_copied_brief_is_caught_and_removed(checker: Checker) -> None:
    text = (
        "L'Abonnement Boréal arrive chaque mois chez vous : Formule Classique à 19 $ le sac. "
        "Ton chaleureux, un seul point d'exclamation."
    )
    r = check(checker, text, brief=SEEN_BRIEF)
    [f] = found(r, "copied_brief")
    assert text[f.start : f.end] == "Ton chaleureux, un seul point d'exclamation."
    assert f.severity == "block" and r.verdict == "block" and f.citation is not None
    assert apply_fixes(text, [f]).endswith("Formule Classique à 19 $ le sac.")
    # The brief's topic and facts are the post's to say.
    fine = (
        "Nouveau : la Formule Classique de l'Abonnement Boréal, à 19 $ le sac. Bonne dégustation!"
    )
    assert not found(check(checker, fine, brief=SEEN_BRIEF), "copied_brief")


@pytest.mark.parametrize(
    ("brief", "text", "copied"),
    [
        (
            "Introduce the Ethiopia Tesfa Alem washed: $27 per 340 g bag. Warm tone, no emoji, "
            "under 200 characters.",
            "The Ethiopia Tesfa Alem washed is here: $27 per 340 g bag. Warm tone, no emoji, "
            "under 200 characters.",
            "Warm tone, no emoji, under 200 characters.",
        ),
        (
            "Présenter le Nuit Polaire, notre déca : cacao et datte. Sans hashtag, tutoie le "
            "lecteur.",
            "Le Nuit Polaire, notre déca : cacao et datte ☕ Sans hashtag, tutoie le lecteur.",
            "Sans hashtag, tutoie le lecteur.",
        ),
        (
            "Présenter le Nuit Polaire, notre déca procédé Swiss Water.",
            "Présenter le Nuit Polaire, notre déca procédé Swiss Water.",
            "Présenter le Nuit Polaire",
        ),
        (
            "Mentionne la boutique en ligne. Parle du Mélange Boréal.",
            "Le Mélange Boréal, tout simplement. Mentionne la boutique en ligne.",
            "Mentionne la boutique en ligne",
        ),
    ],
)
def test_instructions_copied_in_french_and_english_are_caught(
    checker: Checker, brief: str, text: str, copied: str
) -> None:
    [f] = found(check(checker, text, brief=brief), "copied_brief")
    assert text[f.start : f.end] == copied


@pytest.mark.parametrize(
    ("brief", "text"),
    [
        # the text speaks to its readers; the brief spoke to the writer
        ("Rappelle que le café est fermé lundi.", "On vous rappelle que le café est fermé lundi."),
        # "ton" is "your" here, and the quoted words are the post's to say
        (
            "Ajoute « Ton vélo mérite une mise au point » au début.",
            "Ton vélo mérite une mise au point avant la saison, on s'en occupe.",
        ),
        # a question the brief asks of the readers
        (
            "Question : quel est ton emoji café préféré? Ton fun.",
            "Quel est ton emoji café préféré?",
        ),
        (
            "Invite tes amis à la clinique du 14 novembre.",
            "Invite tes amis à la clinique du 14 novembre : 20 places.",
        ),
    ],
)
def test_a_text_that_only_shares_words_with_its_brief_is_not_flagged(
    checker: Checker, brief: str, text: str
) -> None:
    assert not found(check(checker, text, brief=brief, brand="velofleuve"), "copied_brief")


INSTRUCTIONS = {
    "fr": "Ton chaleureux, un seul point d'exclamation, mentionne le prix.",
    "en": "Warm tone, one exclamation mark at most, mention the price.",
}


@pytest.mark.parametrize("brand", list(FOLDERS))
def test_past_posts_with_their_topic_and_instructions_as_brief(
    checker: Checker, brand: str
) -> None:
    """Every past post, checked against a brief made of its topic and instructions: never
    flagged; with the instructions pasted at its end, always."""
    missed, flagged = [], []
    for row in posts(brand):
        brief = f"{row['topic']}. {INSTRUCTIONS[row['language']]}"
        if found(check(checker, row["text"], brand=brand, brief=brief), "copied_brief"):
            flagged.append(row["id"])
        pasted = f"{row['text'].rstrip()} {INSTRUCTIONS[row['language']]}"
        if not found(check(checker, pasted, brand=brand, brief=brief), "copied_brief"):
            missed.append(row["id"])
    assert flagged == [] and missed == []


# -- few-shot scaffolding ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind", "fixed"),
    [
        (  # seen: a reply that went on with the prompt's next example
            "Bonjour, le café Mile End ouvre à 8 h le dimanche.\n— L'équipe Boréale\n"
            "--- Comment: «Et le lundi?»\nReply: Oui!",
            "reply",
            "Bonjour, le café Mile End ouvre à 8 h le dimanche.\n— L'équipe Boréale",
        ),
        (
            "Reply: Hi, the Mile End café opens at 8 a.m. on Sundays.\n— The Boréale team",
            "reply",
            "Hi, the Mile End café opens at 8 a.m. on Sundays.\n— The Boréale team",
        ),
        (
            "Brûlerie Boréale · Instagram · français\nPost: Le Nuit Polaire est de retour.",
            "post",
            "Le Nuit Polaire est de retour.",
        ),
        (
            "Le Nuit Polaire est de retour ☕<end_of_turn>",
            "post",
            "Le Nuit Polaire est de retour ☕",
        ),
        (
            "Le Nuit Polaire est de retour. ### Topic: cold brew",
            "post",
            "Le Nuit Polaire est de retour.",
        ),
        (
            "Réponse : Bonjour, oui, on livre partout au Canada.\n— L'équipe Boréale",
            "reply",
            "Bonjour, oui, on livre partout au Canada.\n— L'équipe Boréale",
        ),
        (
            "Merci, on regarde ça.\n\nCommentaire : « Vous êtes ouverts à Noël? »",
            "reply",
            "Merci, on regarde ça.",
        ),
        ("<comment>Merci à vous ☕", "reply", "Merci à vous ☕"),
        ("Merci à vous ☕ </comment>", "reply", "Merci à vous ☕"),
        ("Past replies by Brûlerie Boréale: merci!", "reply", ""),
        (
            "Sujet : le cold brew\nLe cold brew est de retour.",
            "post",
            "Le cold brew est de retour.",
        ),
    ],
)
def test_scaffolding_is_caught_and_the_fix_leaves_the_text(
    checker: Checker, text: str, kind: str, fixed: str
) -> None:
    r = check(checker, text, kind=kind)
    hits = found(r, "scaffolding")
    assert hits and all(f.severity == "block" for f in hits)
    if fixed:
        assert apply_fixes(text, hits).strip() == fixed


def test_a_note_line_of_guideline_text_is_scaffolding(checker: Checker) -> None:
    """post.j2 writes "Note: <guideline excerpt>" lines; a note of the post's own is fine."""
    passage = next(p for p in checker.profile("boreale").passages if "Instagram" in p.heading)
    note = " ".join(passage.text.split()[4:30])
    text = f"Le Nuit Polaire est de retour.\nNote: {note}"
    [f] = found(check(checker, text), "scaffolding")
    assert apply_fixes(text, [f]) == "Le Nuit Polaire est de retour."
    own = "Le Nuit Polaire est de retour.\nNote : le café Mile End ferme à 15 h le 24 décembre."
    assert not found(check(checker, own), "scaffolding")


@pytest.mark.parametrize(
    "text",
    [
        "Our reply to your question: a topic we love, answered in the café.",
        "Comment ça marche ? Simple : vous choisissez, on torréfie, on livre.",
        "Note : le café Mile End ferme à 15 h le 24 décembre.",
        "Note: our cafés close at 3 p.m. on December 24.",
        "Mile End · Saint-Henri · Vieux-Québec : trois cafés, le même café.",
        "Réponse courte : oui, la visite est gratuite.",
        "Les notes de publication de l'appli sont en ligne.",
        "#CafeDeSpecialite #BrulerieBoreale",
    ],
)
def test_normal_words_are_not_scaffolding(checker: Checker, text: str) -> None:
    assert not found(check(checker, text, platform="instagram"), "scaffolding")


# -- a text cut off ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind", "span", "fixed"),
    [
        (  # seen: an X draft cut mid-sentence
            "Le Nuit Polaire est de retour. Il est offert dans nos trois cafés et",
            "post",
            "Il est offert dans nos trois cafés et",
            "Le Nuit Polaire est de retour.",
        ),
        (
            "Le Nuit Polaire est de retour, avec ses notes de cacao et de",
            "post",
            "Le Nuit Polaire est de retour, avec ses notes de cacao et de",
            None,
        ),
        (
            "Our new roast is here. Try it with the",
            "post",
            "Try it with the",
            "Our new roast is here.",
        ),
        (
            "The Aurore is back in our three cafés",
            "post",
            "The Aurore is back in our three cafés",
            None,
        ),
        (
            "Le Tesfa Alem arrive. On a hâte de vous le faire goûter avec 🧡",
            "post",
            "On a hâte de vous le faire goûter avec",
            "Le Tesfa Alem arrive. 🧡",
        ),
        ("Details here:", "post", "Details here:", None),
        (
            "Bonjour, merci! On regarde ça et on revient vers\n— L'équipe Boréale",
            "reply",
            "On regarde ça et on revient vers",
            "Bonjour, merci!\n— L'équipe Boréale",
        ),
    ],
)
def test_a_text_cut_off_is_caught(
    checker: Checker, text: str, kind: str, span: str, fixed: str | None
) -> None:
    [f] = found(check(checker, text, kind=kind), "cut_off")
    # a dangling word or mark blocks; a sentence without its full stop may be whole: a warning
    assert text[f.start : f.end] == span
    assert f.severity == ("warn" if "final punctuation" in f.message else "block")
    if fixed is None:
        assert f.replacement is None
    else:
        assert apply_fixes(text, [f]) == fixed


@pytest.mark.parametrize(
    "text",
    [
        "Le Nuit Polaire est de retour dans nos trois cafés 🧡",
        "Inscriptions : https://brulerie-boreale.example/evenements",
        "Réserve ta place : velofleuve.example/entreposage #velohiver",
        "Le cold brew est de retour.\n\n#CafeDeSpecialite #Montreal",
        "On est là ☕",
        "Écrivez-nous à support@brulerie-boreale.example",
        "Un allongé pour marcher sur les remparts, quelqu'un? ☕",
        "Le Tesfa Alem (jasmin, bergamote)",
        "今日は新しいコーヒーが届きました。",
    ],
)
def test_complete_texts_are_not_cut_off(checker: Checker, text: str) -> None:
    assert not found(check(checker, text, platform="instagram"), "cut_off")


def test_no_past_post_or_reply_of_either_brand_is_flagged_by_the_shape_rules(
    checker: Checker,
) -> None:
    """177 texts the brands published, each with its topic as the brief: no cut-off, no
    scaffolding, no copied brief (near-copies are measured leaving each text out, below)."""
    flagged = []
    for brand in FOLDERS:
        rows = [(r, r["text"], "post", r["topic"]) for r in posts(brand)]
        rows += [(r, r["reply"], "reply", None) for r in replies(brand)]
        for row, text, kind, brief in rows:
            r = check(checker, text, brand=brand, platform=row["platform"], kind=kind, brief=brief)
            flagged += [
                (brand, row["id"], f.rule) for f in r.findings if f.rule in SHAPE - {"near_copy"}
            ]
    assert flagged == []


# -- near-copies -------------------------------------------------------------------------------


@pytest.mark.parametrize("brand", list(FOLDERS))
def test_past_texts_against_the_others_only_declared_duplicates_are_copies(
    checker: Checker, brand: str
) -> None:
    index = copy_index(checker.profile(brand))
    ids = {r["text"]: r["id"] for r in posts(brand)} | {r["reply"]: r["id"] for r in replies(brand)}
    flagged, missed = set(), []
    for j, past in enumerate(index.past):
        reply = past.kind == "reply"
        words = body_words(past.text, index.signatures)
        other = index.nearest(words, whole_past=reply, leave_out=j)
        if other is not None and other.share(reply) >= (0.95 if reply else POST_COPY):
            flagged.add((brand, ids[past.text]))
        if not reply and len(past.text.split()) >= 12:  # one phrase changed: still a copy
            w = past.text.split()
            k = len(w) // 2
            changed = " ".join([*w[:k], "tout", "nouveau", "ici", *w[k + 3 :]])
            r = check(checker, changed, brand=brand, platform="facebook")
            if not found(r, "near_copy"):
                missed.append(ids[past.text])
    assert len(index.past) == len(posts(brand)) + len(replies(brand))
    assert flagged == {d for d in DUPLICATES if d[0] == brand} and missed == []


def test_a_verbatim_copy_of_a_past_post_is_blocked(checker: Checker) -> None:
    past = posts("boreale")[0]["text"]
    [f] = found(check(checker, past), "near_copy")
    assert f.severity == "block" and "100% shared" in f.message and f.citation is not None
    assert past[f.start : f.end].startswith("Bonne année")


def test_one_short_sentence_in_the_brands_stock_words_is_no_copy(checker: Checker) -> None:
    """A one-sentence post that states a fact as a longer past text did (the same stock
    words, the product's name and qualifier) copies none of it; two sentences of a past
    post, its opening dropped, still do."""
    r035 = next(r["reply"] for r in replies("boreale") if r["id"] == "r035")
    holiday = re.search(r"Le 24 décembre, nos trois cafés ferment à 15 h", r035)
    p023 = next(r["text"] for r in posts("velofleuve") if r["id"] == "p023")
    tires = re.search(
        r"La pose de pneus d'hiver cloutés coûte 45 \$ la paire en main-d'œuvre", p023
    )
    assert holiday and tires
    for brand, text in (
        ("boreale", f"Note : {holiday.group()[0].lower()}{holiday.group()[1:]} ❄️"),
        ("velofleuve", tires.group().replace("coûte 45 $", "est à 45 $") + " ❄️"),
    ):
        assert not found(check(checker, text, brand=brand), "near_copy"), text
    p030 = next(r["text"] for r in posts("velofleuve") if r["id"] == "p030")
    shorter = p030.split("? ", 1)[1].split(":")[0] + ". " + p030.rsplit(". ", 1)[1]
    assert len(shorter.split()) < 25
    [f] = found(check(checker, shorter, brand="velofleuve", platform="facebook"), "near_copy")
    assert "p030" not in f.message and "Free winter riding clinic" in f.message


def test_replies_are_judged_on_their_body(checker: Checker) -> None:
    row = replies("boreale")[0]  # "Bonjour, on comprend votre frustration, 8 jours c'est long…"
    body = row["reply"].split("\n— ")[0].removeprefix("Bonjour, ")
    # the same answer to another customer, greeting and signature respelled: a copy
    copied = f"Allô, {body}\n- l'équipe boréale"
    [f] = found(check(checker, copied, kind="reply", language="fr"), "near_copy")
    assert "past reply" in f.message
    # the brand's greeting, a stock phrase and its signature, around a new answer: no copy
    own = (
        "Bonjour, merci de nous l'écrire. Le café Saint-Henri ouvre à 7 h en semaine. Écrivez-nous "
        "en privé avec votre numéro de commande et on regarde ça aujourd'hui.\n— L'équipe Boréale"
    )
    assert not found(check(checker, own, kind="reply", language="fr"), "near_copy")


def test_the_index_is_built_once_per_revision_even_from_many_threads(checker: Checker) -> None:
    profile = dataclasses.replace(checker.profile("boreale"), revision="shape-test-revision")
    got: list[object] = []
    threads = [threading.Thread(target=lambda: got.append(copy_index(profile))) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(got) == 8 and all(i is got[0] for i in got)
    assert copy_index(checker.profile("boreale")) is not got[0]
    newer = dataclasses.replace(profile, revision="shape-test-revision-2")
    assert copy_index(newer) is not got[0]


# -- required hashtags -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tagged(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Checker:
    """The sample brand with `hashtags.required: ["#BrulerieBoreale"]` in its front matter."""
    folder = tmp_path_factory.mktemp("tagged") / "brand"
    shutil.copytree(FOLDERS["boreale"], folder)
    platforms = folder / "03-platforms.md"
    text = platforms.read_text(encoding="utf-8")
    assert "    case: camel\n" in text
    platforms.write_text(
        text.replace("    case: camel\n", '    case: camel\n    required: ["#BrulerieBoreale"]\n'),
        encoding="utf-8",
    )
    data = tmp_path_factory.mktemp("tagged-data") / "data"
    assert ingest(KnowledgeStore(Settings(data_dir=data), embedder), [folder], brand="boreale").ok
    return Services(Settings(data_dir=data), embedder=embedder).checker


@pytest.mark.parametrize(
    ("text", "platform", "fixed"),
    [
        (
            "Le cold brew est de retour.",
            "facebook",
            "Le cold brew est de retour.\n\n#BrulerieBoreale",
        ),
        (
            "Le cold brew est de retour.\n\n#CafeDeSpecialite",
            "instagram",
            "Le cold brew est de retour.\n\n#CafeDeSpecialite #BrulerieBoreale",
        ),
        ("Le cold brew est de retour.", "x", "Le cold brew est de retour. #BrulerieBoreale"),
    ],
)
def test_a_required_hashtag_missing_is_found_and_the_fix_adds_it(
    tagged: Checker, text: str, platform: str, fixed: str
) -> None:
    r = check(tagged, text, platform=platform)
    [f] = found(r, "required_hashtag")
    assert f.severity == "warn" and "#BrulerieBoreale" in f.message
    assert f.citation is not None and f.citation.source == "03-platforms.md"
    assert apply_fixes(text, [f]) == fixed
    assert not found(check(tagged, fixed, platform=platform), "required_hashtag")


def test_required_hashtags_are_for_posts_only_and_read_any_case(
    tagged: Checker, checker: Checker
) -> None:
    reply = "Bonjour, oui, le cold brew est de retour.\n— L'équipe Boréale"
    assert not found(check(tagged, reply, kind="reply"), "required_hashtag")
    assert not found(check(tagged, "Le cold brew est là. #brulerieboreale"), "required_hashtag")
    assert not found(check(checker, "Le cold brew est de retour."), "required_hashtag")
