"""The knowledge store port: what services ask of the store of brands' records (search,
rules, the records themselves, a revision that changes on every write) and its records."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from cmassist.domain.errors import InputError
from cmassist.domain.guidelines import BrandRules
from cmassist.domain.models import Kind, Record
from cmassist.services.ports.models import Embedder

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

_BRAND = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,48}[a-z0-9])?$")
RECORD_KINDS: tuple[Kind, ...] = (Kind.GUIDELINE, Kind.POST, Kind.REPLY)
"""The kinds of record a brand's texts are stored as (the rules are kept apart)."""

MetaValue = str | int | float | bool
Metadata = dict[str, MetaValue]
"""A record's metadata as the store keeps it: flat scalars (anything else is JSON text)."""
FilterValue = MetaValue | Sequence[MetaValue] | None
"""An exact metadata match; a sequence means any of its values, None no condition."""


def brand_slug(name: str) -> str:
    """Validate a brand name as the store keys it: lowercase letters, digits and dashes."""
    slug = (name or "").strip().lower()
    if not _BRAND.match(slug):
        raise InputError(
            f"invalid brand name {name!r}",
            "use lowercase letters, digits and dashes (e.g. 'boreale'), at most 50 characters",
        )
    return slug


@dataclass
class Hit:
    """A record found by a search, a browse or an ID."""

    id: str
    kind: Kind
    text: str
    metadata: Metadata
    score: float | None = None  # cosine similarity, 1 is identical


@dataclass
class UpsertCounts:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0


@dataclass
class BrandInfo:
    slug: str
    name: str
    counts: dict[str, int]


@dataclass(frozen=True)
class StoredRecord:
    """One stored record of a brand, as `Store.records` yields it: its text, its metadata
    (the ones every kind has are typed below) and, when asked for, its embedding."""

    id: str
    kind: Kind
    text: str
    metadata: Metadata = field(default_factory=dict)
    embedding: npt.NDArray[np.float32] | None = None

    @property
    def source(self) -> str:
        """The file (or upload) the record came from."""
        return str(self.metadata.get("source") or "")

    @property
    def heading(self) -> str:
        """A guideline passage's heading path ("Title > Section"); "" for posts and replies."""
        return str(self.metadata.get("heading") or "")

    @property
    def line(self) -> int | None:
        value = self.metadata.get("line")
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    @property
    def language(self) -> str | None:
        value = self.metadata.get("language")
        return str(value) if value else None

    @property
    def platform(self) -> str | None:
        value = self.metadata.get("platform")
        return str(value) if value else None

    @property
    def reply(self) -> str:
        """A past reply is stored as the comment it answered, with the brand's answer here."""
        return str(self.metadata.get("reply") or "")


@runtime_checkable
class Store(Protocol):
    """The brands' knowledge store: one brand's records never mix with another's.

    `revision(brand)` changes whenever the brand's records or rules change (in this process
    or another); data derived from the records (the checking profile) is kept under
    `derived_dir(brand)` keyed by it, so it is rebuilt only when the brand changes.
    """

    embedder: Embedder

    def brands(self) -> list[BrandInfo]: ...

    def has_brand(self, brand: str) -> bool: ...

    def require_brand(self, brand: str) -> str: ...

    def brand_name(self, brand: str) -> str: ...

    def count(self, brand: str, kind: Kind | None = None) -> int: ...

    def counts(self, brand: str) -> dict[str, int]: ...

    def rules(self, brand: str) -> BrandRules: ...

    def forget_rules(self, brand: str) -> None: ...

    def records(
        self,
        brand: str,
        kinds: Iterable[Kind] = RECORD_KINDS,
        *,
        embeddings: bool = False,
        limit: int | None = None,
    ) -> Iterator[StoredRecord]: ...

    def revision(self, brand: str) -> str: ...

    def derived_dir(self, brand: str) -> Path | None: ...

    def search(
        self,
        brand: str,
        query: str | Sequence[float],
        *,
        kind: Kind | None = None,
        k: int = 5,
        **filters: FilterValue,
    ) -> list[Hit]: ...

    def browse(
        self,
        brand: str,
        *,
        kind: Kind | None = None,
        limit: int = 50,
        offset: int = 0,
        **filters: FilterValue,
    ) -> list[Hit]: ...

    def get(self, brand: str, ids: Sequence[str]) -> list[Hit]: ...

    def upsert(
        self,
        brand: str,
        records: Sequence[Record],
        *,
        brand_name: str | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> UpsertCounts: ...

    def remove_stale(
        self, brand: str, source: str, kinds: Iterable[Kind], keep_ids: set[str]
    ) -> int: ...

    def delete_brand(self, brand: str) -> None: ...
