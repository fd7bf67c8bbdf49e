"""Safety, health and legal reports always escalate; ordinary requests are not complaints.

The labelled set is tests/data/safety_labelled.jsonl (how it was written: the .md beside it).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cmassist.bootstrap import Services
from cmassist.domain.safety import CATEGORY_NAMES, read_safety

ROOT = Path(__file__).resolve().parents[1]
LABELLED = ROOT / "tests" / "data" / "safety_labelled.jsonl"
SAMPLE_INBOX = ROOT / "brand_guidelines" / "inbox" / "sample.jsonl"
# Ordinary requests read as complaints: at most this share (the set has 78; none now).
REQUEST_COMPLAINT_MAX = 0.05


def _rows() -> list[dict]:
    with LABELLED.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def test_the_labelled_set_is_as_described() -> None:
    rows = _rows()
    kinds = {k: [r for r in rows if r["kind"] == k] for k in ("safety", "request", "tricky")}
    assert len(kinds["safety"]) >= 60 and len(kinds["request"]) >= 60
    for kind in kinds.values():
        assert {r["language"] for r in kind} == {"fr", "en"}
    assert len({r["id"] for r in rows}) == len(rows)
    assert all(set(r["categories"]) <= set(CATEGORY_NAMES) for r in kinds["safety"])
    assert {c for r in kinds["safety"] for c in r["categories"]} == set(CATEGORY_NAMES)


@pytest.mark.integration
def test_every_report_escalates_and_no_ordinary_message_does(services: Services) -> None:
    rows = _rows()
    got = services.triager.triage("boreale", [r["text"] for r in rows])
    for row, t in zip(rows, got, strict=True):
        if row["kind"] == "safety":
            main = row["categories"][0]
            assert (t.action, t.urgency) == ("escalate", "high"), (row["id"], t.reasons)
            assert main in t.safety, (row["id"], t.safety, t.reasons["safety"])
            # the reason names the category and quotes the words, as the user wrote them
            assert CATEGORY_NAMES[main] in t.reasons["urgency"], t.reasons["urgency"]
            assert "“" in t.reasons["urgency"] and t.reasons["safety"].startswith("report: ")
            assert t.complaint and t.priority == 100
        else:
            assert t.action != "escalate" and t.urgency != "high", (row["id"], t.reasons)
            assert not t.safety, (row["id"], t.reasons.get("safety"))
    requests = [(r, t) for r, t in zip(rows, got, strict=True) if r["kind"] == "request"]
    complaints = [r["id"] for r, t in requests if t.complaint]
    assert len(complaints) <= REQUEST_COMPLAINT_MAX * len(requests), complaints
    asked = [(r, t) for r, t in zip(rows, got, strict=True) if r.get("health_question")]
    assert all(t.health_question for _, t in asked), [r["id"] for r, t in asked]
    assert all(t.reasons["safety"].startswith("health question") for _, t in asked)
    assert all(not t.complaint for _, t in asked)
    not_asked = [
        (r, t) for r, t in zip(rows, got, strict=True) if r.get("health_question") is False
    ]
    assert not [r["id"] for r, t in not_asked if t.health_question]


def test_reports_escalate_during_an_open_crisis_and_requests_stay_requests(
    services: Services,
) -> None:
    """The issue's case: with a crisis alert open on a product, a foreign body and a
    nausea report were answered like any complaint; a booking, an internship question and
    a lost scarf were complaints."""
    services.inbox.import_file(SAMPLE_INBOX, brand="boreale")
    while services.inbox.triage_pending():
        pass
    assert services.inbox.alerts(status="open")
    texts = {
        "plastic": "I found a piece of hard plastic in my beans, I want a refund",
        "nausea": "Felt nauseous all morning after drinking the Nuit Polaire, is that normal?",
        "avocat": "J'ai déjà contacté mon avocat, vous allez recevoir une mise en demeure.",
        "intern": "Hi! Do you take interns in the summer? I study marketing.",
        "table": "Bonjour, est-ce qu'on peut réserver une table pour 6 samedi?",
        "scarf": "I think I left my scarf at the Mile End café yesterday, did anyone find it?",
    }
    rows = [
        {
            "id": f"crisis-{k}",
            "platform": "facebook",
            "text": v,
            "time": "2025-11-15T11:30:00-05:00",
        }
        for k, v in texts.items()
    ]
    data = "\n".join(json.dumps(r, ensure_ascii=False) for r in rows).encode()
    assert not services.inbox.import_bytes(data, "late.jsonl", brand="boreale").errors
    services.inbox.triage_pending()
    by_id = {m.external_id: m for m in services.inbox.list(brand="boreale")}
    for key, category in (("plastic", "foreign_body"), ("nausea", "illness"), ("avocat", "legal")):
        m = by_id[f"crisis-{key}"]
        assert m.action == "escalate" and m.triage["urgency"] == "high", m.triage["reasons"]
        assert category in m.triage["safety"]
        assert CATEGORY_NAMES[category] in m.triage["reasons"]["urgency"]
    for key in ("intern", "table", "scarf"):
        m = by_id[f"crisis-{key}"]
        assert m.action == "reply" and not m.triage["complaint"], m.triage["reasons"]
        assert m.triage["reasons"]["complaint"].startswith("no")


@pytest.mark.parametrize(
    ("text", "category", "words"),
    [
        ("found a hair in my latte", "foreign_body", "found a hair"),
        ("Trouvé un morceau de vitre dans mon sac", "foreign_body", "Trouvé un morceau de vitre"),
        ("chu malade depuis hier, crampes pis diarrhée", "illness", "chu malade"),
        ("j'ai eu mal au cœur toute la nuit", "illness", "mal au cœur"),
        ("Ma fille a fait une réaction allergique", "allergy", "fait une réaction"),
        ("I'm going to sue you", "legal", "going to sue"),
        ("Vous recevrez une mise en demeure", "legal", "mise en demeure"),
        ("my toddler swallowed a coin-sized piece of the lid", "child", "swallowed"),
    ],
)
def test_a_report_names_its_category_and_the_words_as_written(
    text: str, category: str, words: str
) -> None:
    reading = read_safety(text)
    hit = next(h for h in reading.reports if h.category == category)
    assert any(words in w for w in hit.words), hit.words
    assert reading.summary().startswith(f"report: {CATEGORY_NAMES[category]}") or (
        CATEGORY_NAMES[category] in reading.summary()
    )


@pytest.mark.parametrize(
    "text",
    [
        "No one got sick, the catering was perfect!",
        "Personne n'a été malade, merci pour le buffet",
        "I haven't found a single hair in five years of coming here",
        "What happens if someone finds glass in their coffee?",
        "That new roast is sick 🔥",
        "C'est malade bon ce latte!",
        "Un toast à l'avocat svp",
        "Nous allons poursuivre notre collaboration",
        "I fell in love with the maple latte",
        "Je suis tombée sur votre page par hasard",
        "This coffee tastes burnt",
        "found a bug in your app: checkout does nothing",
        "I'm a lawyer, can I book the back room?",
    ],
)
def test_negations_hypotheses_slang_and_homonyms_are_not_reports(text: str) -> None:
    assert not read_safety(text).report, read_safety(text).summary()


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("no allergens?", "allergy"),
        ("gluten-free?", "allergy"),
        ("is it safe for kids?", "safety"),
        ("Can decaf cause headaches?", "illness"),
        ("Est-ce sans danger pour une femme enceinte?", "pregnancy"),
        ("Vos biscuits contiennent-ils des arachides? Mon fils est allergique.", "allergy"),
    ],
)
def test_a_question_is_a_health_question_not_a_report(text: str, category: str) -> None:
    reading = read_safety(text)
    assert not reading.report
    assert category in [h.category for h in reading.health]
    assert reading.summary().startswith("health question, no incident reported")
