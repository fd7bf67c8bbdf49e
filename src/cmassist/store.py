"""The knowledge store: one Chroma collection per brand, so retrieval never crosses brands.

Each collection holds guideline passages, past posts, past replies and the rules of each
guideline document, told apart by the `kind` metadata. Embeddings are computed by our
own embedder (not Chroma's), so ingest controls batching and the model is recorded in
the collection: a store built with one model is never queried with another.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlparse

from cmassist.config import Settings
from cmassist.embeddings import Embedder
from cmassist.errors import ConfigError, InputError, StoreError, UnknownBrandError
from cmassist.guidelines import BrandRules
from cmassist.models import Kind, Record

PREFIX = "cmassist-"
_BRAND = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,48}[a-z0-9])?$")
DEFAULT_BATCH = 1000


def brand_slug(name: str) -> str:
    """Validate a brand name: lowercase letters, digits and dashes."""
    slug = (name or "").strip().lower()
    if not _BRAND.match(slug):
        raise InputError(
            f"invalid brand name {name!r}",
            "use lowercase letters, digits and dashes (e.g. 'boreale'), at most 50 characters",
        )
    return slug


@dataclass
class Hit:
    id: str
    kind: Kind
    text: str
    metadata: dict[str, Any]
    score: float | None = None  # cosine similarity, 1 is identical


@dataclass
class UpsertCounts:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    added_ids: list[str] = field(default_factory=list)


@dataclass
class BrandInfo:
    slug: str
    name: str
    counts: dict[str, int]


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
                    self._client = self._connect()
        return self._client

    def _connect(self) -> Any:
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
        url = self.settings.chroma_url
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
            self.settings.chroma_path.mkdir(parents=True, exist_ok=True)
            return chromadb.PersistentClient(
                path=str(self.settings.chroma_path), settings=chroma_settings
            )
        except ConfigError:
            raise
        except Exception as e:
            where_ = url or str(self.settings.chroma_path)
            raise StoreError(
                f"cannot open the knowledge store at {where_} ({type(e).__name__}: {e})",
                "check that the Chroma server is running and CMASSIST_CHROMA_URL is right"
                if url
                else "check CMASSIST_DATA_DIR is writable",
            ) from e

    def max_batch(self) -> int:
        get = getattr(self.client, "get_max_batch_size", None)
        try:
            return min(int(get()), DEFAULT_BATCH * 5) if get else DEFAULT_BATCH
        except Exception:
            return DEFAULT_BATCH

    # -- brands -------------------------------------------------------------------------

    def brands(self) -> list[BrandInfo]:
        out = []
        for col in self.client.list_collections():
            name = col.name if hasattr(col, "name") else str(col)
            if not name.startswith(PREFIX):
                continue
            slug = name.removeprefix(PREFIX)
            collection = self._get_collection(slug)
            meta = collection.metadata or {}
            out.append(BrandInfo(slug, str(meta.get("brand_name") or slug), self.counts(slug)))
        return sorted(out, key=lambda b: b.slug)

    def has_brand(self, brand: str) -> bool:
        return self._get_collection(brand_slug(brand)) is not None

    def _get_collection(self, slug: str) -> Any:
        if slug in self._collections:
            return self._collections[slug]
        try:
            col = self.client.get_collection(PREFIX + slug)
        except Exception:
            return None
        self._collections[slug] = col
        return col

    def collection(self, brand: str, *, create: bool = False, brand_name: str | None = None) -> Any:
        slug = brand_slug(brand)
        col = self._get_collection(slug)
        if col is None:
            if not create:
                known = ", ".join(b.slug for b in self.brands()) or "none yet"
                raise UnknownBrandError(
                    f"unknown brand {slug!r} (known brands: {known})",
                    f"ingest its guidelines first with `cmassist ingest PATH --brand {slug}`",
                )
            col = self.client.get_or_create_collection(
                PREFIX + slug,
                metadata={
                    "brand_name": brand_name or slug,
                    "embedding_model": self.embedder.name,
                },
                configuration={"hnsw": {"space": "cosine"}},
                embedding_function=None,
            )
            self._collections[slug] = col
        meta = col.metadata or {}
        stored = meta.get("embedding_model")
        if stored and stored != self.embedder.name:
            raise ConfigError(
                f"brand {slug!r} was indexed with embedding model {stored!r}, "
                f"not {self.embedder.name!r}",
                "set CMASSIST_EMBEDDING_MODEL back, or re-ingest into a fresh CMASSIST_DATA_DIR",
            )
        if brand_name and meta.get("brand_name") != brand_name:
            col.modify(metadata={**meta, "brand_name": brand_name})
        return col

    def brand_name(self, brand: str) -> str:
        meta = self.collection(brand).metadata or {}
        return str(meta.get("brand_name") or brand)

    def counts(self, brand: str) -> dict[str, int]:
        col = self.collection(brand)
        return {
            kind.value: len(col.get(where={"kind": kind.value}, include=[])["ids"])
            for kind in (Kind.GUIDELINE, Kind.POST, Kind.REPLY)
        }

    def delete_brand(self, brand: str) -> None:
        slug = brand_slug(brand)
        self.collection(slug)
        self.client.delete_collection(PREFIX + slug)
        self._collections.pop(slug, None)
        self._rules.pop(slug, None)

    # -- writing ------------------------------------------------------------------------

    def plan(self, brand: str, records: Sequence[Record]) -> tuple[list[Record], list[Record], int]:
        """Split records into (new, changed, unchanged count) by their stored content hash."""
        col = self.collection(brand)
        new: list[Record] = []
        changed: list[Record] = []
        unchanged = 0
        batch = self.max_batch()
        for start in range(0, len(records), batch):
            chunk = records[start : start + batch]
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
        col = self.collection(brand, create=True, brand_name=brand_name)
        records = _dedupe(records)
        new, changed, unchanged = self.plan(brand, records)
        if progress and unchanged:
            progress(unchanged)
        todo = new + changed
        batch = min(self.max_batch(), 512)
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
        if any(r.kind == Kind.RULES for r in todo):
            self._rules.pop(brand_slug(brand), None)
        return UpsertCounts(len(new), len(changed), unchanged, 0, [r.id for r in new])

    def remove_stale(
        self, brand: str, source: str, kinds: Iterable[Kind], keep_ids: set[str]
    ) -> int:
        """Delete a document's records that its new version no longer has."""
        col = self.collection(brand)
        got = col.get(where=where(source=source, kind=[k.value for k in kinds]), include=[])
        stale = [i for i in got["ids"] if i not in keep_ids]
        if stale:
            col.delete(ids=stale)
            self._rules.pop(brand_slug(brand), None)
        return len(stale)

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
        """The k records most similar to `query` (a text or an embedding), within one brand."""
        col = self.collection(brand)
        embedding = self.embedder.embed_one(query) if isinstance(query, str) else list(query)
        res = col.query(
            query_embeddings=[embedding],
            n_results=max(1, k),
            where=where(kind=kind.value if kind else None, **filters),
            include=["documents", "metadatas", "distances"],
        )
        return [
            Hit(i, Kind(m.get("kind", "post")), d, dict(m), 1.0 - float(dist))
            for i, d, m, dist in zip(
                res["ids"][0],
                res["documents"][0],
                res["metadatas"][0],
                res["distances"][0],
                strict=True,
            )
        ]

    def browse(
        self,
        brand: str,
        *,
        kind: Kind | None = None,
        limit: int = 50,
        offset: int = 0,
        **filters: Any,
    ) -> list[Hit]:
        col = self.collection(brand)
        res = col.get(
            where=where(kind=kind.value if kind else None, **filters),
            limit=limit,
            offset=offset,
            include=["documents", "metadatas"],
        )
        return [
            Hit(i, Kind(m.get("kind", "post")), d, dict(m))
            for i, d, m in zip(res["ids"], res["documents"], res["metadatas"], strict=True)
        ]

    def rules(self, brand: str) -> BrandRules:
        """The brand's machine-readable rules, merged over its guideline documents."""
        slug = brand_slug(brand)
        if slug not in self._rules:
            got = self.collection(slug).get(where={"kind": Kind.RULES.value}, include=["metadatas"])
            docs = sorted(
                zip(got["ids"], got["metadatas"], strict=True),
                key=lambda x: str(x[1].get("source", "")),
            )
            rules = BrandRules()
            for _, meta in docs:
                rules = rules.merge(BrandRules.model_validate_json(meta["rules_json"]))
            self._rules[slug] = rules
        return self._rules[slug]


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
