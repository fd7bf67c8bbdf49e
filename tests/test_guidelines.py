from cmassist.domain.guidelines import BrandRules, TermRule, parse_document, split_passages

DOC = """---
brand: acme
brand_name: "Acme Vélos"
title: Voice
rules:
  banned_terms:
    - term: cheap
      lang: en
      replacement: affordable
      reason: We never talk down our bikes.
    - term: pas cher
      lang: fr
    - term: free
      reason: Nothing is free.
  emoji:
    max_per_post: 2
  sparkles: true
  platforms:
    x: {max_hashtags: 1}
    tiktok: {max_hashtags: 3}
---
# Voice

Intro paragraph about the voice.

## Tone (EN)

We are warm and precise.

### Examples

- "Your bike is ready."

## Ton (FR)

Nous sommes chaleureux et précis.
"""


def test_rules_are_parsed_with_their_file_and_line() -> None:
    doc = parse_document(DOC, "voice.md")
    assert doc.brand == "acme" and doc.brand_name == "Acme Vélos" and doc.title == "Voice"
    terms = [r.term for r in doc.rules.banned_terms]
    assert terms == ["cheap", "free"]  # "pas cher" has no reason: skipped, reported
    assert doc.rules.banned_terms[0].line == 7
    assert doc.rules.banned_terms[0].source == "voice.md"
    assert doc.rules.emoji is not None and doc.rules.emoji.max_per_post == 2
    assert doc.rules.platforms["x"].max_hashtags == 1


def test_malformed_rules_are_reported_and_the_rest_still_loads() -> None:
    doc = parse_document(DOC, "voice.md")
    messages = [str(i) for i in doc.issues]
    assert any(m.startswith("voice.md:11:") and "reason" in m for m in messages), messages
    assert any("sparkles" in m and "unknown rule" in m for m in messages), messages
    assert any("tiktok" in m and "unknown platform" in m for m in messages), messages
    assert len(doc.passages) == 4


def test_invalid_yaml_keeps_the_text_and_names_the_line() -> None:
    doc = parse_document("---\nbrand: x\nrules: [unclosed\n---\n# Title\n\nBody text.\n", "bad.md")
    assert doc.issues and doc.issues[0].line is not None and doc.issues[0].line >= 3
    assert doc.passages and "Body text." in doc.passages[0].text


def test_passages_follow_headings_with_their_path() -> None:
    passages = split_passages("# A\n\nx\n\n## B\n\ny\n\n### C\n\nz\n\n## D\n\nw\n")
    assert [p.heading for p in passages] == ["A", "A > B", "A > B > C", "A > D"]
    assert passages[2].text.startswith("### C")


def test_headings_inside_code_blocks_are_text() -> None:
    passages = split_passages("# A\n\n```\n# not a heading\n```\n")
    assert len(passages) == 1 and "# not a heading" in passages[0].text


def test_passage_language_is_detected_per_section() -> None:
    doc = parse_document(DOC, "voice.md")
    langs = {p.heading: p.language for p in doc.passages}
    assert langs["Voice > Tone (EN)"] == "en"
    assert langs["Voice > Ton (FR)"] == "fr"


def test_long_sections_are_split() -> None:
    body = "# Long\n\n" + "\n\n".join(f"Paragraphe numéro {i}. " * 20 for i in range(10))
    passages = split_passages(body)
    assert len(passages) > 1 and all(len(p.text) <= 1500 for p in passages)


def test_no_front_matter_is_fine() -> None:
    doc = parse_document("# Just text\n\nHello.\n", "plain.md")
    assert doc.rules.is_empty() and not doc.issues and doc.passages


def test_rules_merge_across_documents() -> None:
    a = BrandRules(banned_terms=[TermRule(term="cheap", reason="r")])
    b = BrandRules(
        banned_terms=[TermRule(term="Cheap", reason="dup"), TermRule(term="free", reason="r")]
    )
    merged = a.merge(b)
    assert [t.term for t in merged.banned_terms] == ["cheap", "free"]
