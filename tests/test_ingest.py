"""Ingest against the real Chroma store and the real embedding model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cmassist.adapters.embeddings import SentenceTransformerEmbedder
from cmassist.adapters.store import KnowledgeStore
from cmassist.config import Settings
from cmassist.domain.errors import ConfigError, UnknownBrandError
from cmassist.domain.models import Kind
from cmassist.services.ingest import ingest

from .conftest import SAMPLE

HEADER = "id,platform,date,language,topic,text,likes,comments,shares,impressions,link\n"


def _write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_text(text, encoding=encoding)
    return path


def test_sample_brand_is_complete(
    sample_settings: Settings, embedder: SentenceTransformerEmbedder
) -> None:
    store = KnowledgeStore(sample_settings, embedder)
    counts = store.counts("boreale")
    assert counts["post"] >= 60 and counts["reply"] >= 30 and counts["guideline"] >= 20
    assert store.brand_name("boreale") == "Brûlerie Boréale"
    rules = store.rules("boreale")
    assert rules.banned_terms and rules.links and rules.reply_signature
    langs = {h.metadata["language"] for h in store.browse("boreale", kind=Kind.POST, limit=500)}
    assert {"fr", "en"} <= langs


def test_ingesting_twice_adds_nothing(
    sample_settings: Settings, embedder: SentenceTransformerEmbedder
) -> None:
    report = ingest(KnowledgeStore(sample_settings, embedder), [SAMPLE], brand="boreale")
    assert report.ok
    assert report.total("added") == 0 and report.total("updated") == 0
    assert report.total("unchanged") > 100


def test_a_changed_file_updates_only_what_changed(store: KnowledgeStore, tmp_path: Path) -> None:
    rows = [
        f"p{i},x,2025-01-0{i}T10:00:00Z,en,t,Post number {i} about coffee,{i},0,0,100,"
        for i in range(1, 6)
    ]
    f = _write(tmp_path / "posts.csv", HEADER + "\n".join(rows) + "\n")
    first = ingest(store, [f], brand="acme")
    assert (first.total("added"), first.total("unchanged")) == (5, 0)
    rows[2] = rows[2].replace(",3,0,0,100,", ",300,0,0,100,")  # new like count for p3
    _write(f, HEADER + "\n".join(rows) + "\n")
    second = ingest(store, [f], brand="acme")
    assert (second.total("added"), second.total("updated"), second.total("unchanged")) == (0, 1, 4)
    post = store.browse("acme", kind=Kind.POST, external_id="p3")[0]
    assert post.metadata["likes"] == 300


def test_malformed_rows_are_reported_and_good_rows_ingested(
    store: KnowledgeStore, tmp_path: Path
) -> None:
    f = _write(
        tmp_path / "posts.csv",
        HEADER
        + "p1,instagram,2025-02-01,fr,t,Bon café,1,2,3,40,\n"
        + "p2,tiktok,2025-02-01,fr,t,Autre café,1,2,3,40,\n"  # unknown platform
        + "p3,x,not a date,en,t,Hello,1,2,3,40,\n"
        + "p4,x,2025-02-01,en,t,,1,2,3,40,\n"  # empty text
        + "p5,x,2025-02-01,en,t,Likes are bad,-4,2,3,40,\n"
        + 'p6,x,2025-02-01,en,t,"unclosed,1\n',
    )
    report = ingest(store, [f], brand="acme")
    assert not report.ok
    problems = [str(p) for p in report.files[0].problems]
    assert report.total("added") == 1 and report.total("rejected") == 5
    assert any("posts.csv row 3" in p and "'platform'" in p and "tiktok" in p for p in problems), (
        problems
    )
    assert any("row 4" in p and "'date'" in p for p in problems), problems
    assert any("row 5" in p and "'text'" in p and "empty" in p for p in problems), problems
    assert any("row 6" in p and "'likes'" in p for p in problems), problems
    assert all("\n" not in p for p in problems)
    assert store.counts("acme")["post"] == 1


def test_a_file_that_is_not_utf8_writes_nothing(store: KnowledgeStore, tmp_path: Path) -> None:
    f = _write(
        tmp_path / "latin1.csv",
        HEADER + "p1,x,2025-01-01,fr,t,Café crème,1,1,1,1,\n",
        encoding="latin-1",
    )
    good = _write(tmp_path / "good.csv", HEADER + "p2,x,2025-01-01,fr,t,Café,1,1,1,1,\n")
    report = ingest(store, [f, good], brand="acme")
    bad = report.files[0]
    assert bad.error and "not UTF-8" in bad.error and "line 2" in bad.error
    assert report.total("added") == 1  # the good file still went in
    assert store.counts("acme")["post"] == 1


def test_exports_with_other_column_names_and_semicolons(
    store: KnowledgeStore, tmp_path: Path
) -> None:
    f = _write(
        tmp_path / "export.csv",
        "Réseau;Date de publication;Texte;J'aime;Partages;Vues;Lien\n"
        "Instagram;2025-03-01 10:00;Notre nouveau café du Pérou est arrivé;1,2K;30;"
        "15 000;https://instagram.com/p/abc\n",
    )
    report = ingest(store, [f], brand="acme")
    assert report.ok and report.files[0].kind == "posts" and report.total("added") == 1
    meta = store.browse("acme", kind=Kind.POST)[0].metadata
    assert meta["platform"] == "instagram" and meta["likes"] == 1200
    assert meta["impressions"] == 15000 and meta["language"] == "fr"


def test_json_and_jsonl_replies(store: KnowledgeStore, tmp_path: Path) -> None:
    pairs = [
        {
            "comment": "Where is my order?",
            "reply": "We're on it, check your DMs.",
            "platform": "x",
            "complaint": "yes",
        },
        {
            "comment": "Où est ma commande ?",
            "response": "On regarde ça en privé.",
            "platform": "facebook",
        },
    ]
    j = _write(tmp_path / "replies.json", json.dumps({"replies": pairs}))
    jl = _write(
        tmp_path / "more.jsonl",
        json.dumps({"comment": "Love it", "reply": "Thank you!"}) + "\n{broken\n",
    )
    report = ingest(store, [j, jl], brand="acme")
    assert report.files[0].kind == "replies" and report.files[0].added == 2  # each its own names
    assert report.files[1].added == 1
    assert any(
        "more.jsonl row 2" in str(p) and "invalid JSON" in str(p) for p in report.files[1].problems
    )


def test_a_file_with_no_usable_columns_is_refused(store: KnowledgeStore, tmp_path: Path) -> None:
    f = _write(tmp_path / "odd.csv", "foo,bar\n1,2\n")
    report = ingest(store, [f], brand="acme")
    assert report.files[0].error and "cannot tell posts from replies" in report.files[0].error


def test_brands_never_cross(store: KnowledgeStore, tmp_path: Path) -> None:
    a = _write(
        tmp_path / "a.csv",
        HEADER + "1,x,2025-01-01,en,t,Espresso tasting night downtown,1,1,1,1,\n",
    )
    b = _write(
        tmp_path / "b.csv", HEADER + "1,x,2025-01-01,en,t,Espresso tasting night uptown,1,1,1,1,\n"
    )
    ingest(store, [a], brand="alpha")
    ingest(store, [b], brand="beta")
    hits = store.search("alpha", "espresso tasting", kind=Kind.POST, k=10)
    assert [h.text for h in hits] == ["Espresso tasting night downtown"]
    with pytest.raises(UnknownBrandError) as err:
        store.search("gamma", "espresso")
    assert "alpha" in str(err.value) and "cmassist ingest" in str(err.value)


def test_guideline_sections_removed_from_a_document_are_removed(
    store: KnowledgeStore, tmp_path: Path
) -> None:
    doc = tmp_path / "voice.md"
    _write(doc, "---\nbrand: acme\n---\n# Voice\n\nWarm.\n\n## Old section\n\nGone soon.\n")
    first = ingest(store, [doc])
    assert first.files[0].brand == "acme" and first.total("added") == 2
    _write(doc, "---\nbrand: acme\n---\n# Voice\n\nWarm and precise.\n")
    second = ingest(store, [doc])
    assert (second.total("updated"), second.total("removed")) == (1, 1)
    assert store.counts("acme")["guideline"] == 1


def test_a_store_is_never_queried_with_another_embedding_model(
    store: KnowledgeStore, tmp_path: Path, settings: Settings
) -> None:
    ingest(
        store,
        [_write(tmp_path / "p.csv", HEADER + "1,x,2025-01-01,en,t,Hi,1,1,1,1,\n")],
        brand="acme",
    )

    class Other(SentenceTransformerEmbedder):
        name = "other-model"

        def __init__(self) -> None:
            pass

    with pytest.raises(ConfigError, match="other-model"):
        KnowledgeStore(settings, Other()).collection("acme")


def test_missing_paths_are_reported(store: KnowledgeStore, tmp_path: Path) -> None:
    report = ingest(store, [tmp_path / "nope.csv"], brand="acme")
    assert report.files[0].error and "no such file" in report.files[0].error


@pytest.mark.integration
def test_filtered_search_matches_a_filtered_chroma_query(
    store: KnowledgeStore, tmp_path: Path
) -> None:
    """Over-fetching then filtering must give what a filtered Chroma query gives,
    on the fast path (enough candidates match) and on the fallback (too few do)."""
    from cmassist.adapters.store import MIN_CANDIDATES, where

    topics = (
        "espresso",
        "cold brew",
        "hiring",
        "pastries",
        "shipping",
        "holiday hours",
        "subscription",
        "latte art",
    )
    rows = [
        f"{n},{p},2025-01-01,{lang},t,{lang} post {n} about {topic} on {p} ({rep}),1,1,1,100,"
        for n, (p, lang, topic, rep) in enumerate(
            (p, lang, topic, rep)
            for p in ("x", "instagram", "linkedin")
            for lang in ("fr", "en")
            for topic in topics
            for rep in range(3)
        )
    ]
    assert len(rows) > MIN_CANDIDATES
    ingest(store, [_write(tmp_path / "p.csv", HEADER + "\n".join(rows) + "\n")], brand="acme")
    col = store.collection("acme", Kind.POST)
    vector = store.embedder.embed_one("cold brew")
    for k, filters in (
        (3, {"platform": "x"}),
        (5, {"platform": "x", "language": "fr"}),
        (20, {"language": "en"}),
        (2, {"external_id": ["7", "120"]}),
    ):
        ours = [h.id for h in store.search("acme", vector, kind=Kind.POST, k=k, **filters)]
        raw = col.query(query_embeddings=[vector], n_results=k, where=where(**filters))["ids"][0]
        assert ours == raw, filters


def test_a_row_names_all_its_bad_fields_on_one_line(store: KnowledgeStore, tmp_path: Path) -> None:
    f = _write(
        tmp_path / "posts.csv",
        HEADER
        + "p1,x,2025-02-01,en,t,Good one,1,2,3,40,\n"
        + "p2,myspace,yesterday,en,t,Bad date and likes,many,2,-3,40,ftp://nope\n",
    )
    report = ingest(store, [f], brand="acme")
    assert report.total("added") == 1 and report.total("rejected") == 1  # one row, one problem
    (problem,) = report.files[0].problems
    line = str(problem)
    assert line.startswith("posts.csv row 3, field 'platform': unknown platform 'myspace'"), line
    for part in (
        "field 'date': 'yesterday' is not a date (use ISO 8601, e.g. 2025-03-14",
        "field 'likes': 'many' is not a whole number",
        "field 'shares': '-3' cannot be negative",
        "field 'link': 'ftp://nope' is not an http(s) URL",
    ):
        assert part in line, line
    assert "\n" not in line
    # the app's table: the columns named, each message with its column
    assert problem.field == "platform, date, likes, shares, link"
    assert "date: 'yesterday' is not a date" in problem.message


def test_replies_name_the_file_s_own_column_names(store: KnowledgeStore, tmp_path: Path) -> None:
    row = {"comment": "Où est ma commande ?", "response": "", "created_at": "soon", "plainte": "?"}
    f = _write(tmp_path / "replies.jsonl", json.dumps(row, ensure_ascii=False) + "\n")
    (problem,) = ingest(store, [f], brand="acme").files[0].problems
    line = str(problem)
    assert line.startswith("replies.jsonl row 1, field 'response': is empty"), line
    assert "field 'created_at': 'soon' is not a date" in line
    assert "field 'plainte': '?' is not true/false" in line


TWEETS = (
    "tweet_id,created_at,full_text,favorite_count,retweet_count,lang,platform\n"
    '1843,Wed Oct 01 13:02:11 +0000 2025,"Bonne rentrée à tous \ufffd\ufffd\ufffd\ufffd '
    '#CaféBoréale",12,3,fr,twitter\n'
    "1844,Thu Oct 02 09:15:00 +0000 2025,Our Aurore blend is back \ufffd\ufe0f\ufffd in "
    "all cafés,30,4,en,twitter\n"
    '1845,Fri Oct 03 17:45:00 +0000 2025,"\ufffd\ufffd Merci pour vos 10 000 abonnés! '
    '\ufffd\ufffd\ufffd",88,21,fr,twitter\n'
    "1846,Sat Oct 04 08:00:00 +0000 2025,Open at 8 a.m. today,5,0,en,twitter\n"
)


def test_a_tweets_export_with_broken_emoji_is_ingested(
    store: KnowledgeStore, tmp_path: Path
) -> None:
    f = _write(tmp_path / "tweets.csv", TWEETS)
    report = ingest(store, [f], brand="acme")
    assert report.ok and report.total("added") == 4, report.public()
    assert report.files[0].repaired == 3 and report.public()["totals"]["repaired"] == 3
    assert "3 with broken characters (U+FFFD) removed" in report.summary()
    texts = {h.metadata["external_id"]: h.text for h in store.browse("acme", kind=Kind.POST)}
    assert texts["1843"] == "Bonne rentrée à tous #CaféBoréale"
    assert texts["1844"] == "Our Aurore blend is back in all cafés"
    assert texts["1845"] == "Merci pour vos 10 000 abonnés!"
    assert not any("\ufffd" in t for t in texts.values())
    again = ingest(store, [f], brand="acme")  # stripped the same way: nothing changes
    assert again.total("unchanged") == 4


def test_real_binary_rows_are_still_refused(store: KnowledgeStore, tmp_path: Path) -> None:
    rows = [
        {"platform": "x", "text": "fine post"},
        {"platform": "x", "text": "PK\u0003\u0004\u0000\u0000\u0008\u0000binary"},
        {"platform": "x", "text": "\ufffd\ufffd\ufffd"},
    ]
    f = _write(tmp_path / "mixed.jsonl", "\n".join(json.dumps(r) for r in rows) + "\n")
    report = ingest(store, [f], brand="acme")
    assert report.total("added") == 1
    binary, emptied = (str(p) for p in report.files[0].problems)
    assert binary.startswith("mixed.jsonl row 2, field 'text': looks binary"), binary
    assert "row 3, field 'text': is empty once its broken characters (U+FFFD)" in emptied
    zipped = _write(tmp_path / "photo.csv", "")
    zipped.write_bytes(b"PK\x03\x04\x00\x00" + bytes(range(256)))
    assert "binary" in (ingest(store, [zipped], brand="acme").files[0].error or "")


# -- the readers ingest shares with the inbox ----------------------------------------------


def test_ingest_and_the_inbox_read_a_file_the_same_way(tmp_path: Path) -> None:
    """One reader for both: the BOM, the delimiter, the row numbers, a short row."""
    from cmassist.domain.readers import decode_text, read_table
    from cmassist.services.inbox_import import read_message_file

    data = "\ufeffid;platform;text;time\n1;x;Allo;2025-11-03T10:00:00Z\n2;x;Court\n".encode()
    f = tmp_path / "export.csv"
    f.write_bytes(data)
    table = read_table(decode_text(data, "export.csv"), "export.csv")
    inbox_rows = read_message_file(f, "export.csv")
    assert table.columns == ["id", "platform", "text", "time"]
    assert inbox_rows == table.rows
    assert [(r.number, r.problem) for r in table.rows] == [
        (2, ""),
        (3, "has 3 fields, the header has 4; check quotes and delimiters"),
    ]
    assert table.rows[0].values["text"] == "Allo" and table.rows[1].where == "export.csv: row 3"


def test_a_latin1_file_is_refused_alike_by_ingest_and_the_inbox(
    store: KnowledgeStore, tmp_path: Path
) -> None:
    from cmassist.domain.errors import FileFormatError
    from cmassist.services.inbox_import import read_message_file

    f = _write(tmp_path / "latin1.csv", HEADER + "p1,x,2025-01-01,fr,t,Café,1,1,1,1,\n", "latin-1")
    error = ingest(store, [f], brand="acme").files[0].error
    with pytest.raises(FileFormatError) as inbox_error:
        read_message_file(f)
    assert error == str(inbox_error.value)
    assert "not UTF-8 (byte 0xe9 on line 2)" in error and "re-save the file as UTF-8" in error
