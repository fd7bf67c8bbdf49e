"""The checking profile kept on disk: built once per revision of the brand's records, loaded
by the next process, rebuilt after an ingest that changes the brand, and rebuilt, never
trusted, when the saved copy is stale or damaged."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from cmassist.bootstrap import Services
from cmassist.config import Settings
from cmassist.services.checking import checker as checker_module
from cmassist.services.checking import profile_cache
from cmassist.services.checking.checker import Checker
from cmassist.services.checking.profile import BrandProfile
from cmassist.services.ingest import ingest
from cmassist.services.ports.models import Embedder

ROOT = Path(__file__).resolve().parents[1]
TEXTS = [
    ("Notre nouveau café est GARANTI le meilleur en ville!!! 🔥🔥🔥 #Cafe", "post", None),
    ("Our cheap coffee, now at bit.ly/deal. Write to help@boreale-coffee.example", "post", None),
    (
        "Désolés pour le retard! Écrivez-nous à jean.tremblay@gmail.com, on vous rembourse "
        "sous 48 h.",
        "reply",
        "Ma commande #BB-48213 n'est pas arrivée, mon courriel est jean.tremblay@gmail.com",
    ),
]


class Builds:
    """Counts the profiles built from the store (not loaded from disk)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        real = checker_module.build_profile

        def counting(*args: object, **kwargs: object) -> BrandProfile:
            self.count += 1
            return real(*args, **kwargs)  # type: ignore[arg-type]

        monkeypatch.setattr(checker_module, "build_profile", counting)


@pytest.fixture
def builds(monkeypatch: pytest.MonkeyPatch) -> Builds:
    return Builds(monkeypatch)


def fresh_checker(settings: Settings, embedder: Embedder) -> Checker:
    """A checker as a new process gets it: nothing in memory."""
    return Services(settings, embedder=embedder).checker


def saved(settings: Settings) -> Path:
    return settings.data_dir / "derived" / "boreale" / profile_cache.FILENAME


def results(checker: Checker) -> list[dict[str, object]]:
    return [
        checker.check(
            text, platform="instagram", brand="boreale", kind=kind, replying_to=comment
        ).public()
        for text, kind, comment in TEXTS
    ]


def test_the_profile_is_built_once_and_the_next_process_loads_it(
    sample_settings: Settings, embedder: Embedder, builds: Builds
) -> None:
    first = fresh_checker(sample_settings, embedder)
    built = results(first)
    assert builds.count == 1 and saved(sample_settings).is_file()
    first.profile("boreale")
    assert builds.count == 1  # in memory

    second = fresh_checker(sample_settings, embedder)
    assert results(second) == built  # the same findings, citations, voice and grounding
    assert builds.count == 1  # loaded, not built


def test_the_loaded_profile_is_the_built_one(sample_settings: Settings, embedder: Embedder) -> None:
    built = fresh_checker(sample_settings, embedder).profile("boreale")
    loaded = fresh_checker(sample_settings, embedder).profile("boreale")
    assert loaded is not built
    assert loaded.rules == built.rules and loaded.passages == built.passages
    assert np.array_equal(loaded.passage_vectors, built.passage_vectors)
    assert loaded.facts == built.facts and loaded.fact_sources.by_key == built.fact_sources.by_key
    assert loaded.public_contacts == built.public_contacts
    assert loaded.proper_words == built.proper_words
    assert loaded.written() == built.written()
    assert [t.pattern.pattern for t in loaded.terms] == [t.pattern.pattern for t in built.terms]
    assert set(loaded.voice.models) == set(built.voice.models)
    for lang, model in built.voice.models.items():
        other = loaded.voice.models[lang]
        for part in ("posts", "replies", "on", "off"):
            assert np.array_equal(getattr(other, part), getattr(model, part)), (lang, part)
        assert (other.mid, other.scale, other.calibrated, other.notes) == (
            model.mid,
            model.scale,
            model.calibrated,
            model.notes,
        )
        assert other.on_examples == model.on_examples
        assert other.off_examples == model.off_examples


class CountingEmbedder:
    """The session's embedder, counting the texts it embeds."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.name = inner.name
        self.texts: list[str] = []

    @property
    def dimension(self) -> int:
        return self.inner.dimension

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        self.texts.extend(texts)
        return self.inner.embed(texts)

    def embed_one(self, text: str) -> list[float]:
        return self.embed([text])[0]


def test_the_next_process_embeds_only_the_text_not_the_citations_queries(
    sample_settings: Settings, embedder: Embedder
) -> None:
    first = CountingEmbedder(embedder)
    text = TEXTS[0][0]
    before = fresh_checker(sample_settings, first).check(text, platform="x", brand="boreale")
    assert len(first.texts) > 3  # the voice examples, the text and the citations' queries
    second = CountingEmbedder(embedder)
    after = fresh_checker(sample_settings, second).check(text, platform="x", brand="boreale")
    assert after.public() == before.public()
    # The rules' citations come before the voice: were a query embedded, it would be first.
    assert second.texts[0] == text
    assert len(second.texts) < len(first.texts)


def test_damaged_saved_queries_are_embedded_again(
    sample_settings: Settings, embedder: Embedder
) -> None:
    expected = results(fresh_checker(sample_settings, embedder))
    queries = saved(sample_settings).parent / profile_cache.QUERIES
    assert queries.is_file()
    queries.write_bytes(queries.read_bytes()[:100])
    counting = CountingEmbedder(embedder)
    assert results(fresh_checker(sample_settings, counting)) == expected
    assert counting.texts[0] != TEXTS[0][0]  # a query was embedded again, before the text
    assert profile_cache.load_queries(
        queries.parent,
        profile_cache.fingerprint(
            Services(sample_settings, embedder=embedder).store.revision("boreale"), embedder.name
        ),
    )  # and saved whole again


def test_an_ingest_that_changes_the_brand_rebuilds_the_profile(
    sample_settings: Settings, embedder: Embedder, builds: Builds, tmp_path: Path
) -> None:
    checker = fresh_checker(sample_settings, embedder)
    before = checker.check("Un café corsé et doux.", platform="x", brand="boreale")
    assert builds.count == 1
    folder = tmp_path / "more"
    folder.mkdir()
    (folder / "extra-rules.md").write_text(
        "---\nbrand: boreale\nrules:\n  banned_terms:\n    - term: corsé\n      lang: fr\n"
        "      reason: On décrit les arômes, pas la force.\n---\n# Mots à éviter\n\n"
        "On ne dit pas « corsé » : on nomme les arômes.\n",
        encoding="utf-8",
    )
    assert ingest(checker.store, [folder], brand="boreale").ok

    after = checker.check("Un café corsé et doux.", platform="x", brand="boreale")
    assert builds.count == 2  # the same process sees the new revision
    assert "banned_term" not in {f.rule for f in before.findings}
    assert "banned_term" in {f.rule for f in after.findings}

    fresh_checker(sample_settings, embedder).profile("boreale")
    assert builds.count == 2  # the rebuilt profile was saved for the next process


def test_an_ingest_that_changes_nothing_keeps_the_profile(
    sample_settings: Settings, embedder: Embedder, builds: Builds
) -> None:
    checker = fresh_checker(sample_settings, embedder)
    revision = checker.profile("boreale").revision
    report = ingest(checker.store, [ROOT / "brand_guidelines"], brand="boreale")
    assert report.ok and checker.store.revision("boreale") == revision
    fresh_checker(sample_settings, embedder).profile("boreale")
    assert builds.count == 1


@pytest.mark.parametrize(
    "damage",
    ["garbage", "truncated", "empty", "other brand's fingerprint", "vectors missing rows"],
)
def test_a_damaged_or_stale_saved_profile_is_rebuilt_not_trusted(
    sample_settings: Settings, embedder: Embedder, builds: Builds, damage: str
) -> None:
    expected = results(fresh_checker(sample_settings, embedder))
    path = saved(sample_settings)
    data = path.read_bytes()
    if damage == "garbage":
        path.write_bytes(b"not a profile at all" * 100)
    elif damage == "truncated":
        path.write_bytes(data[: len(data) // 2])
    elif damage == "empty":
        path.write_bytes(b"")
    else:
        with np.load(path, allow_pickle=False) as npz:
            arrays = {k: npz[k] for k in npz.files}
        if damage == "vectors missing rows":
            arrays["passage_vectors"] = arrays["passage_vectors"][:-1]
        else:
            meta = json.loads(arrays["meta"].tobytes())
            meta["fingerprint"] = "0" * 64
            arrays["meta"] = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
        with path.open("wb") as f:
            np.savez(f, **arrays)

    assert results(fresh_checker(sample_settings, embedder)) == expected
    assert builds.count == 2
    fresh_checker(sample_settings, embedder).profile("boreale")
    assert builds.count == 2  # and the saved copy is whole again


def test_a_profile_from_another_embedding_model_is_not_used(
    sample_settings: Settings, embedder: Embedder
) -> None:
    fresh_checker(sample_settings, embedder).profile("boreale")
    folder = saved(sample_settings).parent
    revision = Services(sample_settings, embedder=embedder).store.revision("boreale")
    assert profile_cache.load(folder, profile_cache.fingerprint(revision, embedder.name))
    assert profile_cache.load(folder, profile_cache.fingerprint(revision, "other-model")) is None
    assert profile_cache.load(folder, profile_cache.fingerprint("another", embedder.name)) is None


def test_a_data_dir_that_cannot_be_written_still_checks(
    sample_settings: Settings, embedder: Embedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*_args: object, **_kwargs: object) -> None:
        raise PermissionError("read-only")

    monkeypatch.setattr(profile_cache.tempfile, "mkstemp", refuse)
    result = fresh_checker(sample_settings, embedder).check(
        "A calm morning coffee.", platform="x", brand="boreale"
    )
    assert result.brand == "boreale" and not saved(sample_settings).exists()


def test_deleting_a_brand_removes_its_saved_profile(
    sample_settings: Settings, embedder: Embedder
) -> None:
    checker = fresh_checker(sample_settings, embedder)
    checker.profile("boreale")
    assert saved(sample_settings).is_file()
    checker.store.delete_brand("boreale")
    assert not saved(sample_settings).parent.exists()
