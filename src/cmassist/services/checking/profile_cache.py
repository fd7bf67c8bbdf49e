"""The checking profile kept on disk beside the brand's store, so a check pays to build it
only once per revision of the brand's records (and of the code that builds it).

One file per brand, `<derived dir>/checking-profile.npz`: the vectors as arrays and the rest
as JSON, no pickle. It is trusted only when its fingerprint (the store's revision, the
embedding model, this format and the source of the modules that build a profile) is the
one expected; a stale, unreadable or inconsistent file is rebuilt and written again.
Beside it, `checking-queries.npz` keeps the embeddings of the citation queries checks have
needed, under the same fingerprint, so a new process embeds only the text it checks.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import tempfile
from dataclasses import asdict
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from cmassist.domain.facts import FactIndex
from cmassist.domain.factsheet import FactSheet
from cmassist.domain.grounding import FactSources, Source
from cmassist.domain.guidelines import BrandRules
from cmassist.domain.voice import BrandVoice, Example, VoiceModel
from cmassist.services.checking.profile import BrandProfile, GuidelinePassage

FORMAT = 2  # 2: the fact sheet kept with the profile
FILENAME = "checking-profile.npz"
# The citation queries embedded so far (each costs a call to the model), same fingerprint.
QUERIES = "checking-queries.npz"
# What a profile is derived with: a change to any of these modules rebuilds every profile.
BUILT_BY = (
    "cmassist.domain.facts",
    "cmassist.domain.factsheet",
    "cmassist.domain.grounding",
    "cmassist.domain.guidelines",
    "cmassist.domain.redact",
    "cmassist.domain.textmatch",
    "cmassist.domain.textutil",
    "cmassist.domain.voice",
    "cmassist.services.checking.profile",
    "cmassist.services.checking.profile_cache",
    "cmassist.services.checking.voice_refs",
    "cmassist.services.knowledge.addresses",
    "cmassist.services.knowledge.contacts",
    "cmassist.services.knowledge.delays",
    "cmassist.services.knowledge.factsheet",
    "cmassist.services.knowledge.hours",
    "cmassist.services.knowledge.names",
    "cmassist.services.knowledge.policies",
    "cmassist.services.knowledge.prices",
    "cmassist.services.knowledge.sections",
)
_VOICE_PARTS = ("posts", "replies", "on", "off")


@lru_cache(maxsize=1)
def code_hash() -> str:
    """A hash of the source of the modules that build a profile."""
    import importlib.util

    h = hashlib.sha256()
    for name in BUILT_BY:
        spec = importlib.util.find_spec(name)
        origin = spec.origin if spec else None
        h.update(name.encode())
        h.update(Path(origin).read_bytes() if origin else b"?")
    return h.hexdigest()


def fingerprint(revision: str, embedding_model: str) -> str:
    """What a saved profile must match to be used."""
    key = f"{FORMAT}\0{revision}\0{embedding_model}\0{code_hash()}"
    return hashlib.sha256(key.encode()).hexdigest()


def load(folder: Path, expected: str) -> BrandProfile | None:
    """The profile saved in `folder`, or None when there is none, or it is stale or damaged."""
    path = folder / FILENAME
    if not path.is_file():
        return None
    try:
        # The file is ours to close: np.load leaks the one it opens when the zip is damaged.
        with path.open("rb") as f, np.load(f, allow_pickle=False) as npz:
            arrays = {k: npz[k] for k in npz.files}
        meta = json.loads(arrays.pop("meta").tobytes().decode("utf-8"))
        if meta.get("format") != FORMAT or meta.get("fingerprint") != expected:
            return None
        written = arrays.pop("written").tobytes()
        return _profile(meta, arrays, written)
    except Exception:  # any damage at all (truncated zip, bad JSON, wrong shapes): rebuild
        return None


def save(folder: Path, profile: BrandProfile, expected: str) -> None:
    """Write the profile atomically (a reader sees the old file or the new one, whole); a
    folder that cannot be written is not an error, the profile just is not kept."""
    arrays: dict[str, npt.NDArray[Any]] = {"passage_vectors": profile.passage_vectors}
    voice: dict[str, Any] = {}
    for lang, model in profile.voice.models.items():
        key = lang or "all"
        for part in _VOICE_PARTS:
            arrays[f"voice.{key}.{part}"] = getattr(model, part)
        voice[key] = {
            "on_examples": [asdict(e) for e in model.on_examples],
            "off_examples": [asdict(e) for e in model.off_examples],
            "mid": model.mid,
            "scale": model.scale,
            "calibrated": model.calibrated,
            "notes": model.notes,
        }
    meta = {"format": FORMAT, "fingerprint": expected, **_meta(profile), "voice": voice}
    arrays["meta"] = _bytes(json.dumps(meta, ensure_ascii=False))
    arrays["written"] = _bytes(json.dumps(profile.written(), ensure_ascii=False))
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)  # type: ignore[arg-type]
    _write(folder, FILENAME, buffer.getvalue())


def load_queries(folder: Path, expected: str) -> dict[str, list[float]]:
    """The citation queries' embeddings saved for this fingerprint ({} when none, stale or
    damaged)."""
    try:
        with (folder / QUERIES).open("rb") as f, np.load(f, allow_pickle=False) as npz:
            meta = json.loads(npz["meta"].tobytes().decode("utf-8"))
            vectors = npz["vectors"].astype(np.float32, copy=False)
        queries = meta["queries"]
        if meta.get("fingerprint") != expected or len(queries) != len(vectors):
            return {}
        return {str(q): [float(x) for x in v] for q, v in zip(queries, vectors, strict=True)}
    except Exception:  # missing, unreadable or not what we wrote: start afresh
        return {}


def save_queries(folder: Path, vectors: dict[str, list[float]], expected: str) -> None:
    """Write the citation queries' embeddings, atomically; a folder that cannot be written
    is not an error."""
    meta = {"fingerprint": expected, "queries": list(vectors)}
    buffer = io.BytesIO()
    np.savez(
        buffer,
        meta=_bytes(json.dumps(meta, ensure_ascii=False)),
        vectors=np.asarray(list(vectors.values()), dtype=np.float32),
    )
    _write(folder, QUERIES, buffer.getvalue())


def _write(folder: Path, name: str, data: bytes) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{name}-", dir=folder)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.replace(tmp, folder / name)
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
    except OSError:
        return


def _bytes(text: str) -> npt.NDArray[np.uint8]:
    return np.frombuffer(text.encode("utf-8"), dtype=np.uint8)


def _meta(p: BrandProfile) -> dict[str, Any]:
    return {
        "slug": p.slug,
        "name": p.name,
        "revision": p.revision,
        "rules": p.rules.model_dump(mode="json"),
        "passages": [asdict(x) for x in p.passages],
        "fact_keys": sorted(p.facts.keys),
        "fact_hosts": sorted(p.facts.hosts),
        "fact_sources": [[k, v, asdict(s)] for (k, v), s in p.fact_sources.by_key.items()],
        "public_contacts": sorted(p.public_contacts),
        "proper_words": sorted(p.proper_words),
        "factsheet": p.factsheet.to_dict(),
    }


def _profile(
    meta: dict[str, Any], arrays: dict[str, npt.NDArray[Any]], written: bytes
) -> BrandProfile:
    passages = [GuidelinePassage(**x) for x in meta["passages"]]
    vectors = arrays["passage_vectors"].astype(np.float32, copy=False)
    if len(vectors) != len(passages) and not (len(vectors) == 0 and not passages):
        raise ValueError("passage vectors do not match the passages")
    sources = FactSources()
    sources.by_key = {(k, v): Source(**s) for k, v, s in meta["fact_sources"]}
    models: dict[str | None, VoiceModel] = {}
    for key, m in meta["voice"].items():
        models[None if key == "all" else key] = _voice_model(key, m, arrays)
    if None not in models:
        raise ValueError("no voice model for all languages")
    return BrandProfile(
        slug=meta["slug"],
        name=meta["name"],
        rules=BrandRules.model_validate(meta["rules"]),
        passages=passages,
        passage_vectors=vectors,
        facts=FactIndex({(k, v) for k, v in meta["fact_keys"]}, set(meta["fact_hosts"])),
        fact_sources=sources,
        public_contacts=set(meta["public_contacts"]),
        voice=BrandVoice(models),
        proper_words=frozenset(meta["proper_words"]),
        revision=meta["revision"],
        written=lambda: list(json.loads(written.decode("utf-8"))),
        factsheet=FactSheet.from_dict(meta["factsheet"]),
    )


def _voice_model(key: str, m: dict[str, Any], arrays: dict[str, npt.NDArray[Any]]) -> VoiceModel:
    parts = {p: arrays[f"voice.{key}.{p}"].astype(np.float32, copy=False) for p in _VOICE_PARTS}
    on = [Example(**e) for e in m["on_examples"]]
    off = [Example(**e) for e in m["off_examples"]]
    if len(parts["on"]) != len(on) or len(parts["off"]) != len(off):
        raise ValueError("voice examples do not match their vectors")
    return VoiceModel(
        posts=parts["posts"],
        replies=parts["replies"],
        on=parts["on"],
        on_examples=on,
        off=parts["off"],
        off_examples=off,
        mid=float(m["mid"]),
        scale=float(m["scale"]),
        calibrated=bool(m["calibrated"]),
        notes=[str(n) for n in m["notes"]],
    )
