"""The app in French and English: every string the app shows has its French, the language
follows the browser and the switch, and French errors read as French."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from cmassist.interfaces.i18n import MISSED, Translator, catalog, negotiate, translate
from cmassist.interfaces.web.app import L, build_app
from cmassist.interfaces.web.language import auth_message

ROOT = Path(__file__).resolve().parents[1]
WEB = ROOT / "src" / "cmassist" / "interfaces" / "web"
SAMPLE_INBOX = ROOT / "brand_guidelines" / "inbox" / "sample.jsonl"


def literal_messages() -> list[str]:
    """Every literal passed to tr(...) or L(...) in the app's code."""
    found = []
    trees = [ast.parse(p.read_text(encoding="utf-8")) for p in sorted(WEB.glob("*.py"))]
    for node in (n for tree in trees for n in ast.walk(tree)):
        if isinstance(node, ast.Call) and node.args:
            f = node.func
            name = f.id if isinstance(f, ast.Name) else getattr(f, "attr", None)
            arg = node.args[0]
            if name in ("tr", "L") and isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                found.append(arg.value)
    return found


def test_every_message_of_the_app_has_its_french() -> None:
    messages = literal_messages()
    assert len(messages) > 250
    missing = sorted({m for m in messages if m not in catalog()})
    assert missing == []


def test_every_label_laid_out_has_its_french(services) -> None:
    build_app(services)
    assert L.missing() == []
    translations = L.translations().translations
    assert set(translations) == {"en", "fr"}
    assert translations["fr"][next(iter(translations["fr"]))]


@pytest.mark.parametrize(
    ("header", "cookie", "expected"),
    [
        ("fr-CA,fr;q=0.9,en;q=0.8", None, "fr"),
        ("en-US,en;q=0.9", None, "en"),
        ("de-DE,de;q=0.9,fr;q=0.5", None, "fr"),
        ("de-DE", None, "en"),
        ("fr-FR", "en", "en"),
        ("en-US", "fr", "fr"),
        (None, None, "en"),
        ("en;q=0.2,fr;q=0.8", None, "fr"),
    ],
)
def test_the_language_is_the_choice_else_the_browser_s(
    header: str | None, cookie: str | None, expected: str
) -> None:
    assert negotiate(header, cookie) == expected


def test_errors_with_fields_are_translated_and_the_rest_left_as_is() -> None:
    assert translate("the brief is empty", "fr") == "le champ consigne est vide"
    text = "variants must be a whole number from 1 to 5, not 9"
    assert (
        translate(text, "fr") == "le nombre de variantes doit être un nombre entier de 1 à 5, pas 9"
    )
    assert translate("something nobody wrote", "fr") == "something nobody wrote"
    assert translate("the brief is empty", "en") == "the brief is empty"


def test_numbers_are_written_as_each_language_writes_them() -> None:
    assert Translator("en")("{n} characters", n=12345) == "12,345 characters"
    assert Translator("fr")("{n} characters", n=12345) == "12\u202f345 caractères"
    MISSED.discard("{n} characters")


def test_the_login_message_is_in_the_language_and_offers_the_other() -> None:
    fr = auth_message("fr")
    assert "Connectez-vous" in fr and 'href="/language/en"' in fr and "Français" not in fr
    en = auth_message("en")
    assert "Log in" in en and 'href="/language/fr"' in en


# English words that a French reason must not keep outside the quoted words.
ENGLISH = re.compile(
    r"\b(the|and|with|of|asks|tells|words|model|yes|report|past|comments|mentions|like|"
    r"similar|negative|positive|complaint|problem|threat|insults|aimed|request|expected)\b"
)


def test_the_triage_s_reasons_and_the_crisis_alert_read_as_french(services) -> None:
    inbox = services.inbox
    inbox.import_file(SAMPLE_INBOX, brand="boreale")
    inbox.triage_pending(limit=5000)
    reasons = {
        v for m in inbox.list(limit=500) for v in ((m.triage or {}).get("reasons") or {}).values()
    }
    reasons |= {a.reason for a in inbox.alerts()}
    assert len(reasons) > 200
    left = sorted(r for r in reasons if ENGLISH.search(re.sub(r"“[^”]*”", "", translate(r, "fr"))))
    assert len(left) <= len(reasons) // 100, left[:5]
    # Quoted words are the customer's: never translated.
    quoted = next(r for r in reasons if "“reply" in r.lower() or "“" in r)
    assert re.findall(r"“[^”]*”", quoted) == re.findall(r"“[^”]*”", translate(quoted, "fr"))


def test_the_checker_s_findings_are_translated(services) -> None:
    texts = [
        ("Our CHEAP coffee is the BEST!!! Buy NOW at bit.ly/promo #coffeeaddict 4,99 $", "post"),
        ("Envoyez-nous votre numéro de carte et votre NIP. Merci! 🙏", "reply"),
        ("Thanks for writing, we'll sort it out. — The Boréale team 😊", "reply"),
    ]
    messages = []
    for text, kind in texts:
        result = services.checker.check(text, platform="instagram", brand="boreale", kind=kind)
        messages += [f.message for f in result.findings] + [
            f.suggestion for f in result.findings if f.suggestion
        ]
    assert len(messages) >= 8
    untranslated = [m for m in messages if translate(m, "fr") == m]
    assert len(untranslated) <= len(messages) // 10, untranslated
