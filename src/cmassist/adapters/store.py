"""The knowledge store: Chroma collections per brand and per kind of record.

Each brand has four collections (`cmassist-<brand>.guideline`, `.post`, `.reply`,
`.rules`), so retrieval never crosses brands and the common query (the nearest posts of
one brand) needs no metadata filter, which Chroma pays for dearly on large collections.
Embeddings are computed by our own embedder (not Chroma's), so ingest controls batching,
and the model is recorded on the collections: a store built with one model is never
queried with another. Every write gives the brand a new revision (kept on its posts
collection), so derived data (the checking profile) knows when to be rebuilt.
"""

from __future__ import annotations

import json
import shutil
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import numpy as np

from cmassist.config import Settings
from cmassist.domain.errors import ConfigError, StoreError, UnknownBrandError
from cmassist.domain.guidelines import BrandRules
from cmassist.domain.models import Kind, Record
from cmassist.services.ports.models import Embedder
from cmassist.services.ports.store import (
    RECORD_KINDS,
    BrandInfo,
    Hit,
    StoredRecord,
    UpsertCounts,
    brand_slug,
)

__all__ = [
    "BrandInfo",
    "Hit",
    "KnowledgeStore",
    "StoredRecord",
    "UpsertCounts",
    "brand_slug",
    "where",
]

PREFIX = "cmassist-"
DEFAULT_BATCH = 1000
# Filtered searches first look among this many nearest candidates (k * OVERFETCH at least).
OVERFETCH = 10
MIN_CANDIDATES = 100
# Records read per request when iterating over a brand's records.
PAGE = 2000
# The collection metadata key of the brand's revision (kept on its posts collection).
REVISION = "revision"


def where(**conditions: Any) -> dict[str, Any] | None:
    """A Chroma `where` from keyword conditions; None values are ignored, lists mean $in."""
    parts = [
        {k: {"$in": list(v)}} if isinstance(v, list | tuple | set) else {k: v}
        for k, v in conditions.items()
        if v is not None
    ]
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else {"$and": parts}


class KnowledgeStore:
    """The `Store` port over Chroma: a local persistent store, or a Chroma server."""

    def __init__(self, settings: Settings, embedder: Embedder) -> None:
        self.settings = settings
        self.embedder = embedder
        self._client: Any = None
        self._collections: dict[str, Any] = {}
        self._rules: dict[str, BrandRules] = {}
        self._lock = threading.Lock()

    # -- connection ---------------------------------------------------------------------

    @property
    def client(self) -> Any:
        if self._client is None:
            with self._lock:
                if self._client is None:
                    self._client = connect(self.settings)
        return self._client

    def max_batch(self) -> int:
        get = getattr(self.client, "get_max_batch_size", None)
        try:
            return min(int(get()), DEFAULT_BATCH * 5) if get else DEFAULT_BATCH
        except Exception:
            return DEFAULT_BATCH

    # -- brands and collections ---------------------------------------------------------

    @staticmethod
    def _name(slug: str, kind: Kind) -> str:
        return f"{PREFIX}{slug}.{kind.value}"

    def brands(self) -> list[BrandInfo]:
        slugs = set()
        for col in self.client.list_collections():
            name = col.name if hasattr(col, "name") else str(col)
            if name.startswith(PREFIX) and name.endswith(f".{Kind.POST.value}"):
                slugs.add(name[len(PREFIX) :].rsplit(".", 1)[0])
        return [BrandInfo(slug, self.brand_name(slug), self.counts(slug)) for slug in sorted(slugs)]

    def has_brand(self, brand: str) -> bool:
        return self._get_collection(brand_slug(brand), Kind.POST) is not None

    def require_brand(self, brand: str) -> str:
        """The brand's slug, or UnknownBrandError naming the known brands."""
        slug = brand_slug(brand)
        self.collection(slug, Kind.POST)
        return slug

    def _get_collection(self, slug: str, kind: Kind) -> Any:
        name = self._name(slug, kind)
        if name in self._collections:
            return self._collections[name]
        try:
            col = self.client.get_collection(name)
        except Exception:
            return None
        self._collections[name] = col
        return col

    def collection(
        self,
        brand: str,
        kind: Kind = Kind.POST,
        *,
        create: bool = False,
        brand_name: str | None = None,
    ) -> Any:
        """The Chroma collection of one brand's records of one kind."""
        slug = brand_slug(brand)
        col = self._get_collection(slug, kind)
        if col is None:
            if not create:
                known = ", ".join(b.slug for b in self.brands()) or "none yet"
                raise UnknownBrandError(
                    f"unknown brand {slug!r} (known brands: {known})",
                    f"ingest its guidelines first with `cmassist ingest PATH --brand {slug}`",
                )
            # A brand always has all its collections, so every kind can be queried.
            for k in Kind:
                made = self.client.get_or_create_collection(
                    self._name(slug, k),
                    metadata={
                        "brand": slug,
                        "brand_name": brand_name or slug,
                        "embedding_model": self.embedder.name,
                    },
                    configuration={"hnsw": {"space": "cosine"}},
                    embedding_function=None,
                )
                self._collections[self._name(slug, k)] = made
            col = self._collections[self._name(slug, kind)]
        meta = col.metadata or {}
        stored = meta.get("embedding_model")
        if stored and stored != self.embedder.name:
            raise ConfigError(
                f"brand {slug!r} was indexed with embedding model {stored!r}, "
                f"not {self.embedder.name!r}",
                "set CMASSIST_EMBEDDING_MODEL back, or re-ingest into a fresh CMASSIST_DATA_DIR",
            )
        if brand_name and meta.get("brand_name") != brand_name:
            for k in Kind:
                other = self._get_collection(slug, k)
                if other is not None:
                    other.modify(metadata={**(other.metadata or {}), "brand_name": brand_name})
            self._bump(slug)
        return col

    def brand_name(self, brand: str) -> str:
        meta = self.collection(brand, Kind.POST).metadata or {}
        return str(meta.get("brand_name") or brand)

    def count(self, brand: str, kind: Kind | None = None) -> int:
        kinds = [kind] if kind else [Kind.GUIDELINE, Kind.POST, Kind.REPLY]
        return sum(int(self.collection(brand, k).count()) for k in kinds)

    def counts(self, brand: str) -> dict[str, int]:
        return {k.value: self.count(brand, k) for k in (Kind.GUIDELINE, Kind.POST, Kind.REPLY)}

    def delete_brand(self, brand: str) -> None:
        slug = self.require_brand(brand)
        for k in Kind:
            name = self._name(slug, k)
            if self._get_collection(slug, k) is not None:
                self.client.delete_collection(name)
            self._collections.pop(name, None)
        self._rules.pop(slug, None)
        shutil.rmtree(self._derived_root() / slug, ignore_errors=True)

    # -- revision and derived data ----------------------------------------------------------

    def revision(self, brand: str) -> str:
        """The brand's revision: a new value after every write to its records or rules, by
        this process or another (read from the store each time, never cached)."""
        slug = self.require_brand(brand)
        col = self.client.get_collection(self._name(slug, Kind.POST))
        stored = (col.metadata or {}).get(REVISION)
        # A store written before revisions existed gets one now, at its first read.
        return str(stored) if stored else self._bump(slug)

    def _bump(self, slug: str) -> str:
        col = self.client.get_collection(self._name(slug, Kind.POST))
        revision = uuid.uuid4().hex
        col.modify(metadata={**(col.metadata or {}), REVISION: revision})
        self._collections[self._name(slug, Kind.POST)] = col
        return revision

    def _derived_root(self) -> Path:
        return self.settings.data_dir / "derived"

    def derived_dir(self, brand: str) -> Path | None:
        """Where data derived from the brand's records is kept, beside the store."""
        return self._derived_root() / brand_slug(brand)

    # -- writing ------------------------------------------------------------------------

    def plan(self, brand: str, records: Sequence[Record]) -> tuple[list[Record], list[Record], int]:
        """Split records into (new, changed, unchanged count) by their stored content hash."""
        new: list[Record] = []
        changed: list[Record] = []
        unchanged = 0
        batch = self.max_batch()
        for kind, group in _by_kind(records).items():
            col = self.collection(brand, kind)
            for start in range(0, len(group), batch):
                chunk = group[start : start + batch]
                got = col.get(ids=[r.id for r in chunk], include=["metadatas"])
                stored = {
                    i: (m or {}).get("content_hash")
                    for i, m in zip(got["ids"], got["metadatas"], strict=True)
                }
                for record in chunk:
                    if record.id not in stored:
                        new.append(record)
                    elif stored[record.id] != record.content_hash:
                        changed.append(record)
                    else:
                        unchanged += 1
        return new, changed, unchanged

    def upsert(
        self,
        brand: str,
        records: Sequence[Record],
        *,
        brand_name: str | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> UpsertCounts:
        """Write what is new or changed; unchanged records are not re-embedded."""
        self.collection(brand, create=True, brand_name=brand_name)
        records = _dedupe(records)
        new, changed, unchanged = self.plan(brand, records)
        if progress and unchanged:
            progress(unchanged)
        batch = min(self.max_batch(), 512)
        for kind, todo in _by_kind(new + changed).items():
            col = self.collection(brand, kind)
            for start in range(0, len(todo), batch):
                chunk = todo[start : start + batch]
                vectors = self.embedder.embed([r.text for r in chunk])
                col.upsert(
                    ids=[r.id for r in chunk],
                    embeddings=vectors,
                    documents=[r.text for r in chunk],
                    metadatas=[
                        _flat({**r.metadata, "kind": r.kind.value, "content_hash": r.content_hash})
                        for r in chunk
                    ],
                )
                if progress:
                    progress(len(chunk))
            if kind == Kind.RULES:
                self._rules.pop(brand_slug(brand), None)
        if new or changed:
            self._bump(brand_slug(brand))
        return UpsertCounts(len(new), len(changed), unchanged, 0)

    def remove_stale(
        self, brand: str, source: str, kinds: Iterable[Kind], keep_ids: set[str]
    ) -> int:
        """Delete a document's records that its new version no longer has."""
        removed = 0
        for kind in kinds:
            col = self.collection(brand, kind)
            got = col.get(where={"source": source}, include=[])
            stale = [i for i in got["ids"] if i not in keep_ids]
            if stale:
                col.delete(ids=stale)
                removed += len(stale)
                if kind == Kind.RULES:
                    self._rules.pop(brand_slug(brand), None)
        if removed:
            self._bump(brand_slug(brand))
        return removed

    # -- reading ------------------------------------------------------------------------

    def search(
        self,
        brand: str,
        query: str | Sequence[float],
        *,
        kind: Kind | None = None,
        k: int = 5,
        **filters: Any,
    ) -> list[Hit]:
        """The k records most similar to `query` (a text or an embedding), within one brand.

        `filters` are exact metadata matches (e.g. platform="x", language="fr"). They are
        applied to a larger unfiltered candidate set first, which is much faster in Chroma
        than a filtered query; only when too few candidates match is the query filtered.
        """
        embedding = self.embedder.embed_one(query) if isinstance(query, str) else list(query)
        kinds = [kind] if kind else [Kind.GUIDELINE, Kind.POST, Kind.REPLY]
        hits: list[Hit] = []
        for kd in kinds:
            hits.extend(self._search_one(brand, kd, embedding, max(1, k), filters))
        hits.sort(key=lambda h: h.score or 0.0, reverse=True)
        return hits[:k]

    def _search_one(
        self, brand: str, kind: Kind, embedding: list[float], k: int, filters: dict[str, Any]
    ) -> list[Hit]:
        col = self.collection(brand, kind)
        active = {key: v for key, v in filters.items() if v is not None}
        # No count() first: it costs ~10 ms at 100k records, and a query asking for more
        # results than there are records simply returns them all.
        n = k if not active else max(k * OVERFETCH, MIN_CANDIDATES)
        hits = _query(col, kind, embedding, n, None)
        if not active:
            return hits[:k]
        matching = [h for h in hits if _matches(h.metadata, active)]
        if len(matching) >= k or len(hits) < n:  # enough, or every record was a candidate
            return matching[:k]
        return _query(col, kind, embedding, k, where(**active))[:k]

    def browse(
        self,
        brand: str,
        *,
        kind: Kind | None = None,
        limit: int = 50,
        offset: int = 0,
        **filters: Any,
    ) -> list[Hit]:
        """Records in storage order, paged; without a kind, guidelines then posts then replies."""
        kinds = [kind] if kind else [Kind.GUIDELINE, Kind.POST, Kind.REPLY]
        out: list[Hit] = []
        for kd in kinds:
            if len(out) >= limit:
                break
            col = self.collection(brand, kd)
            w = where(**filters)
            size = col.count() if w is None else len(col.get(where=w, include=[])["ids"])
            if offset >= size:
                offset -= size
                continue
            res = col.get(
                where=w, limit=limit - len(out), offset=offset, include=["documents", "metadatas"]
            )
            offset = 0
            out.extend(
                Hit(i, kd, d, dict(m or {}))
                for i, d, m in zip(res["ids"], res["documents"], res["metadatas"], strict=True)
            )
        return out

    def records(
        self,
        brand: str,
        kinds: Iterable[Kind] = RECORD_KINDS,
        *,
        embeddings: bool = False,
        limit: int | None = None,
    ) -> Iterator[StoredRecord]:
        """A brand's records of the given kinds, kind by kind in storage order, read a page
        at a time; at most `limit` of each kind, with their embeddings if asked."""
        include = ["documents", "metadatas"] + (["embeddings"] if embeddings else [])
        for kind in kinds:
            col = self.collection(brand, kind)
            offset = 0
            while limit is None or offset < limit:
                page = PAGE if limit is None else min(PAGE, limit - offset)
                got = col.get(limit=page, offset=offset, include=include)
                vectors = got.get("embeddings") if embeddings else None
                for n, (i, d, m) in enumerate(
                    zip(got["ids"], got["documents"], got["metadatas"], strict=True)
                ):
                    vector = None if vectors is None else np.asarray(vectors[n], dtype=np.float32)
                    yield StoredRecord(i, kind, d or "", dict(m or {}), vector)
                if len(got["ids"]) < page:
                    break
                offset += page

    def get(self, brand: str, ids: Sequence[str]) -> list[Hit]:
        """Records by ID, whatever their kind (IDs start with their kind)."""
        out: list[Hit] = []
        for kind, group in _group_ids(ids).items():
            res = self.collection(brand, kind).get(ids=group, include=["documents", "metadatas"])
            out.extend(
                Hit(i, kind, d, dict(m or {}))
                for i, d, m in zip(res["ids"], res["documents"], res["metadatas"], strict=True)
            )
        return out

    def forget_rules(self, brand: str) -> None:
        """Drop the cached rules, so the next `rules()` reads them again (after an ingest
        elsewhere changed them)."""
        self._rules.pop(brand_slug(brand), None)

    def rules(self, brand: str) -> BrandRules:
        """The brand's machine-readable rules, merged over its guideline documents."""
        slug = brand_slug(brand)
        if slug not in self._rules:
            got = self.collection(slug, Kind.RULES).get(include=["metadatas"])
            metas = sorted(got["metadatas"], key=lambda m: str((m or {}).get("source", "")))
            rules = BrandRules()
            for meta in metas:
                rules = rules.merge(BrandRules.model_validate_json(meta["rules_json"]))
            self._rules[slug] = rules
        return self._rules[slug]


def connect(settings: Settings) -> Any:
    """A Chroma client: the server at CMASSIST_CHROMA_URL, or the store in the data dir."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    url = settings.chroma_url
    try:
        if url:
            parsed = urlparse(url if "://" in url else f"http://{url}")
            if not parsed.hostname:
                raise ConfigError(
                    f"CMASSIST_CHROMA_URL {url!r} has no host", "use e.g. http://localhost:8000"
                )
            client = chromadb.HttpClient(
                host=parsed.hostname,
                port=parsed.port or (443 if parsed.scheme == "https" else 8000),
                ssl=parsed.scheme == "https",
                settings=chroma_settings,
            )
            client.heartbeat()
            return client
        settings.chroma_path.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(settings.chroma_path), settings=chroma_settings)
    except ConfigError:
        raise
    except Exception as e:
        where_ = url or str(settings.chroma_path)
        raise StoreError(
            f"cannot open the knowledge store at {where_} ({type(e).__name__}: {e})",
            "check that the Chroma server is running and CMASSIST_CHROMA_URL is right"
            if url
            else "check CMASSIST_DATA_DIR is writable",
        ) from e


def _query(
    col: Any, kind: Kind, embedding: list[float], n: int, where_: dict[str, Any] | None
) -> list[Hit]:
    res = col.query(
        query_embeddings=[embedding],
        n_results=n,
        where=where_,
        include=["documents", "metadatas", "distances"],
    )
    return [
        Hit(i, kind, d, dict(m or {}), 1.0 - float(dist))
        for i, d, m, dist in zip(
            res["ids"][0],
            res["documents"][0],
            res["metadatas"][0],
            res["distances"][0],
            strict=True,
        )
    ]


def _matches(meta: dict[str, Any], filters: dict[str, Any]) -> bool:
    for key, wanted in filters.items():
        value = meta.get(key)
        if isinstance(wanted, list | tuple | set):
            if value not in wanted:
                return False
        elif value != wanted:
            return False
    return True


def _by_kind(records: Sequence[Record]) -> dict[Kind, list[Record]]:
    groups: dict[Kind, list[Record]] = {}
    for r in records:
        groups.setdefault(r.kind, []).append(r)
    return groups


def _group_ids(ids: Sequence[str]) -> dict[Kind, list[str]]:
    groups: dict[Kind, list[str]] = {}
    for i in ids:
        prefix = i.split("-", 1)[0]
        try:
            groups.setdefault(Kind(prefix), []).append(i)
        except ValueError:
            continue
    return groups


def _flat(meta: dict[str, Any]) -> dict[str, str | int | float | bool]:
    """Chroma metadata holds scalars only: drop None, encode anything else as JSON."""
    out: dict[str, str | int | float | bool] = {}
    for key, value in meta.items():
        if value is None:
            continue
        out[key] = value if isinstance(value, str | int | float | bool) else json.dumps(value)
    return out


def _dedupe(records: Sequence[Record]) -> list[Record]:
    seen: dict[str, Record] = {}
    for r in records:
        seen[r.id] = r  # the last occurrence wins, as in the file
    return list(seen.values())
