"""Applying the checker's mechanical fixes ("Apply suggested fixes"): the text reads as a
person would write it, in French and English: no double space, no space before a comma,
no orphan punctuation, capitals only where a sentence starts, overlapping fixes resolved."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from cmassist.adapters.embeddings import SentenceTransformerEmbedder
from cmassist.bootstrap import Services
from cmassist.config import Settings
from cmassist.services.checking.checker import Checker, Finding, apply_fixes, sentence_start


def fix(text: str, *fixes: tuple[str, str] | tuple[str, str, str], nth: int = 0) -> str:
    """apply_fixes with findings written as (words, replacement[, severity])."""
    findings = []
    for words, new, *severity in fixes:
        start = text.index(words)
        findings.append(
            {
                "rule": "x",
                "severity": severity[0] if severity else "warn",
                "start": start,
                "end": start + len(words),
                "replacement": new,
            }
        )
    return apply_fixes(text, findings)


@pytest.mark.parametrize(
    ("text", "fixes", "fixed"),
    [
        # replacements: the checker's case mid-sentence, a capital at a sentence start
        (
            "Our cheap coffee is great.",
            [("cheap", "affordable")],
            "Our affordable coffee is great.",
        ),
        ("Cheap coffee is great.", [("Cheap", "affordable")], "Affordable coffee is great."),
        ("Wow!!! cheap coffee", [("!!!", "!"), ("cheap", "affordable")], "Wow! Affordable coffee"),
        ("Buy NOW, it's great", [("NOW", "now")], "Buy now, it's great"),
        ("Prix : pas cher", [("pas cher", "abordable")], "Prix : abordable"),
        (
            "Vite, c'est satisfaction garantie.",
            [("satisfaction garantie", "Promesse Boréale")],
            "Vite, c'est Promesse Boréale.",
        ),
        ("Le café\nbon marché est là", [("bon marché", "abordable")], "Le café\nAbordable est là"),
        # removals: no double space, no space before punctuation, no orphan mark
        ("Our coffee 🔥 is great.", [("🔥", "")], "Our coffee is great."),
        ("Great coffee 🔥!", [("🔥", "")], "Great coffee!"),
        ("Great coffee, #cheap.", [("#cheap", "")], "Great coffee."),
        ("Our coffee, cheap, is good.", [("cheap", "")], "Our coffee, is good."),
        ("Café (🔥) du jour.", [("🔥", "")], "Café du jour."),
        ("Super café #Cheap", [("#Cheap", "")], "Super café"),
        ("Line one 🔥\nLine two", [("🔥", "")], "Line one\nLine two"),
        ("Café #a #b #c", [("#b", ""), ("#c", "")], "Café #a"),
        ("Buy NOW 🔥!", [("NOW", "now"), ("🔥", "")], "Buy now!"),
        # a removed first word: the next one takes the capital
        ("Cheap coffee here.", [("Cheap", "")], "Coffee here."),
        ("🔥, great coffee", [("🔥", "")], "Great coffee"),
        ("Done. Cheap beans here.", [("Cheap ", "")], "Done. Beans here."),
        # French typography: the text's own space before ; : ! ? stays, where it writes one
        ("Super café 🔥 !", [("🔥", "")], "Super café !"),
        ("Le café est bon 😀 ; vraiment.", [("😀", "")], "Le café est bon ; vraiment."),
        ("Génial\u202f? Oui 🔥\u202f!", [("🔥", "")], "Génial\u202f? Oui\u202f!"),
        ("Wow! Great 🔥 !", [("🔥", "")], "Wow! Great!"),  # this text puts no space before !
        ("Super !!! merci", [("!!!", "!")], "Super ! merci"),
        # overlapping fixes: the blocking one, then the longer one, then the first one
        ("Our cheap", [("cheap", "fine", "block"), ("cheap", "Cheap")], "Our fine"),
        ("The BEST coffee", [("BEST", "best"), ("BEST coffee", "coffee")], "The coffee"),
        (
            "Our cheap beans",
            [("cheap beans", "beans"), ("cheap", "fine", "block")],
            "Our fine beans",
        ),
    ],
)
def test_fixes_read_as_written_by_hand(text: str, fixes: list[tuple[str, ...]], fixed: str) -> None:
    assert fix(text, *fixes) == fixed  # type: ignore[arg-type]


def test_an_insertion_inside_a_replaced_span_is_left_and_one_at_the_end_is_kept() -> None:
    text = "Our cheap"
    findings = [
        {"rule": "banned_term", "severity": "block", "start": 4, "end": 9, "replacement": "fine"},
        {"rule": "x", "severity": "warn", "start": 6, "end": 6, "replacement": "!"},
        {
            "rule": "reply_signature",
            "severity": "warn",
            "start": 9,
            "end": 9,
            "replacement": "\n— Team",
        },
    ]
    assert apply_fixes(text, findings) == "Our fine\n— Team"


def test_findings_without_a_fix_or_out_of_the_text_change_nothing() -> None:
    text = "Plain text."
    findings = [
        {"rule": "voice", "severity": "warn", "start": 0, "end": 11, "replacement": None},
        {"rule": "x", "severity": "warn", "start": 5, "end": 40, "replacement": "y"},
        {"rule": "x", "severity": "warn", "start": 6, "end": 2, "replacement": "y"},
    ]
    assert apply_fixes(text, findings) == text
    assert apply_fixes(text, []) == text


def test_finding_objects_are_accepted_as_well_as_their_json() -> None:
    f = Finding(
        rule="banned_term", severity="block", start=4, end=9, message="m", replacement="affordable"
    )
    assert apply_fixes("Our cheap coffee", [f]) == "Our affordable coffee"
    assert apply_fixes("Our cheap coffee", [f.model_dump(mode="json")]) == "Our affordable coffee"


@pytest.mark.parametrize(
    ("before", "start"),
    [
        ("", True),
        ("Done. ", True),
        ("Oui !\n", True),
        ("Wow!!! ", True),
        ("« ", True),
        ("Hi, ", False),
        ("Prix : ", False),
        ("our ", False),
        ("Done.\n- ", True),
    ],
)
def test_a_sentence_starts_after_a_full_stop_or_a_line_break(before: str, start: bool) -> None:
    assert sentence_start(before) is start


# -- through the checker -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def checker(
    sample_data_dir: Path,
    tmp_path_factory: pytest.TempPathFactory,
    embedder: SentenceTransformerEmbedder,
) -> Checker:
    data = tmp_path_factory.mktemp("fixes") / "data"
    shutil.copytree(sample_data_dir, data)
    return Services(Settings(data_dir=data), embedder=embedder).checker


@pytest.mark.parametrize(
    ("text", "kind", "fixed"),
    [
        (
            "Our CHEAP coffee is the BEST!!! 🔥 Buy NOW #coffeeaddict #café",
            "post",
            "Our affordable coffee is the best! Buy now #Cafe",
        ),
        (
            "Cheap coffee, GRATUIT et VITE!!! C'est URGENT 🔥🔥 #cafe",
            "post",
            "Affordable coffee, gratuit et vite! C'est urgent #Cafe",
        ),
        (
            "BORÉALE est de retour!!! Bon marché, c'est fini.",
            "post",
            "Boréale est de retour! Abordable, c'est fini.",
        ),
        ("Merci, on règle ça en privé", "reply", "Merci, on règle ça en privé\n— L'équipe Boréale"),
    ],
)
def test_the_checkers_fixes_leave_a_clean_text(
    checker: Checker, text: str, kind: str, fixed: str
) -> None:
    result = checker.check(text, platform="instagram", brand="boreale", kind=kind, voice=False)
    assert apply_fixes(text, result.public()["findings"]) == fixed
    again = checker.check(fixed, platform="instagram", brand="boreale", kind=kind, voice=False)
    assert not [f for f in again.findings if f.replacement is not None], again.findings


@pytest.mark.parametrize(
    ("reply", "fixed"),
    [
        (
            "Merci, on s'en occupe aujourd'hui. — L'équipe Boréale 🙏",
            "Merci, on s'en occupe aujourd'hui. — L'équipe Boréale",
        ),
        (
            "Merci, on s'en occupe aujourd'hui.\n– l'equipe boreale",
            "Merci, on s'en occupe aujourd'hui.\n— L'équipe Boréale",
        ),
        (
            "Thanks, we're on it today. — the boreale team 😊",
            "Thanks, we're on it today. — The Boréale team",
        ),
    ],
)
def test_a_signature_followed_by_an_emoji_or_respelled_is_fixed_in_place_not_added_twice(
    checker: Checker, reply: str, fixed: str
) -> None:
    lang = "fr" if "Merci" in reply else "en"
    result = checker.check(
        reply, platform="instagram", brand="boreale", kind="reply", language=lang
    )
    signature = [f for f in result.findings if f.rule == "reply_signature"]
    assert len(signature) == 1
    assert apply_fixes(reply, [signature[0]]) == fixed
    again = checker.check(fixed, platform="instagram", brand="boreale", kind="reply", language=lang)
    assert not [f for f in again.findings if f.rule == "reply_signature"]


def test_text_with_broken_characters_is_checked_not_refused_as_binary(checker: Checker) -> None:
    text = "Merci ���� pour votre message! On s'en occupe. — L'équipe Boréale"
    result = checker.check(text, platform="instagram", brand="boreale", kind="reply", language="fr")
    assert result.verdict in ("pass", "warn", "block")
