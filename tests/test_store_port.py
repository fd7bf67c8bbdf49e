"""The store seam: services see the knowledge store only through `services.ports.store.Store`
(typed records, a revision bumped on every write), never a Chroma collection."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from cmassist.adapters.store import PREFIX, REVISION, KnowledgeStore
from cmassist.bootstrap import Services
from cmassist.config import Settings
from cmassist.domain.models import Kind, Record
from cmassist.services.ports.models import Embedder
from cmassist.services.ports.store import RECORD_KINDS, Store, StoredRecord

SRC = Path(__file__).resolve().parents[1] / "src" / "cmassist"


def record(rid: str, text: str, kind: Kind = Kind.POST, **meta: object) -> Record:
    return Record(
        id=rid, brand="acme", kind=kind, text=text, metadata=dict(meta), content_hash=text
    )


def test_the_chroma_store_is_a_store(store: KnowledgeStore) -> None:
    assert isinstance(store, Store)


def test_records_are_typed_and_cover_every_kind(services: Services) -> None:
    store = services.store
    counts = store.counts("boreale")
    got = {k: list(store.records("boreale", [k])) for k in RECORD_KINDS}
    assert {k.value: len(v) for k, v in got.items()} == counts
    assert all(isinstance(r, StoredRecord) and r.embedding is None for v in got.values() for r in v)
    passage = got[Kind.GUIDELINE][0]
    assert passage.kind == Kind.GUIDELINE and passage.text and passage.source.endswith(".md")
    assert passage.heading and isinstance(passage.line, int)
    assert passage.language in ("fr", "en", None)
    assert all(r.platform for r in got[Kind.POST])
    assert all(r.reply for r in got[Kind.REPLY])  # the brand's answer, kept with the comment
    ids = [r.id for v in got.values() for r in v]
    assert len(ids) == len(set(ids))


def test_records_bring_their_embeddings_when_asked_and_respect_the_limit(
    services: Services, embedder: Embedder
) -> None:
    store = services.store
    posts = list(store.records("boreale", [Kind.POST], embeddings=True))
    assert posts and all(r.embedding is not None for r in posts)
    assert {r.embedding.shape for r in posts if r.embedding is not None} == {(embedder.dimension,)}
    first = list(store.records("boreale", [Kind.POST, Kind.REPLY], limit=5))
    assert [r.kind for r in first] == [Kind.POST] * 5 + [Kind.REPLY] * 5
    assert [r.id for r in first[:5]] == [r.id for r in posts[:5]]


def test_records_are_read_a_page_at_a_time(
    store: KnowledgeStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    import cmassist.adapters.store as store_module

    store.upsert("acme", [record(f"post-{i}", f"post number {i}") for i in range(12)])
    monkeypatch.setattr(store_module, "PAGE", 5)
    assert [r.id for r in store.records("acme", [Kind.POST])] == [
        r.id for r in store.browse("acme", kind=Kind.POST, limit=100)
    ]
    assert len(list(store.records("acme", [Kind.POST], limit=7))) == 7


def test_every_write_gives_the_brand_a_new_revision_and_nothing_else_does(
    store: KnowledgeStore, settings: Settings, embedder: Embedder
) -> None:
    store.upsert("acme", [record("post-1", "first"), record("post-2", "second")])
    seen = [store.revision("acme")]
    assert store.revision("acme") == seen[-1]  # reading changes nothing
    store.upsert("acme", [record("post-1", "first")])
    assert store.revision("acme") == seen[-1]  # nothing new or changed
    store.upsert("acme", [record("post-1", "first, edited")])
    seen.append(store.revision("acme"))
    store.remove_stale("acme", "nowhere", [Kind.POST], {"post-1", "post-2"})
    assert store.revision("acme") == seen[-1]  # nothing removed
    store.upsert("acme", [record("post-3", "third", source="a.csv")])
    seen.append(store.revision("acme"))
    store.remove_stale("acme", "a.csv", [Kind.POST], set())
    seen.append(store.revision("acme"))
    store.collection("acme", brand_name="Acme Inc.")
    seen.append(store.revision("acme"))
    assert len(set(seen)) == len(seen) == 5
    # Another store on the same data (another process, in production) reads the same.
    assert KnowledgeStore(settings, embedder).revision("acme") == seen[-1]


def test_a_store_written_before_revisions_gets_one_at_its_first_read(
    store: KnowledgeStore,
) -> None:
    store.upsert("acme", [record("post-1", "first")])
    col = store.client.get_collection(f"{PREFIX}acme.{Kind.POST.value}")
    meta = {k: v for k, v in (col.metadata or {}).items() if k != REVISION}
    col.modify(metadata=meta)
    first = store.revision("acme")
    assert first and store.revision("acme") == first


def test_the_derived_data_lives_beside_the_store(store: KnowledgeStore, settings: Settings) -> None:
    store.upsert("acme", [record("post-1", "first")])
    folder = store.derived_dir("acme")
    assert folder is not None and folder.is_relative_to(settings.data_dir)


def test_the_checker_never_touches_the_adapters() -> None:
    """Services depend on the port: no import of an adapter, Chroma or a collection call."""
    for path in sorted((SRC / "services" / "checking").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                module = node.module or ""
                assert not module.startswith(("cmassist.adapters", "chromadb")), path
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    assert not alias.name.startswith(("cmassist.adapters", "chromadb")), path
            elif isinstance(node, ast.Attribute):
                assert node.attr not in ("collection", "client"), (path, node.lineno)
