"""The registries of LLM backends, embedders and publishers: built-ins, entry points, plugins."""

from __future__ import annotations

import sys
import types
from collections.abc import Iterator
from importlib.metadata import EntryPoint
from pathlib import Path

import numpy as np
import pytest

from cmassist.adapters.embeddings import FakeEmbedder, SentenceTransformerEmbedder
from cmassist.adapters.llm import FakeLLM
from cmassist.bootstrap import Services
from cmassist.config import Settings
from cmassist.domain.errors import ConfigError
from cmassist.services import registry
from cmassist.services.ports.models import LLM, Embedder
from cmassist.services.ports.publishing import Publisher, PublishRequest, PublishResult
from cmassist.services.registry import (
    Registry,
    build_embedder,
    build_llm,
    build_publishers,
    embedding_choice,
)


class PigeonPublisher:
    """A third-party publisher, as a plugin package would ship it."""

    name = "pigeon"

    def publish(self, item: PublishRequest) -> PublishResult:
        return PublishResult(external_ref=f"pigeon:{item.idempotency_key}")


def create_pigeon(settings: Settings) -> PigeonPublisher:
    return PigeonPublisher()


@pytest.fixture
def plugin_module() -> Iterator[str]:
    """A module standing for an installed third-party package."""
    module = types.ModuleType("cmassist_pigeon_plugin")
    module.create = create_pigeon  # type: ignore[attr-defined]
    module.broken = 42  # type: ignore[attr-defined]
    sys.modules[module.__name__] = module
    yield module.__name__
    del sys.modules[module.__name__]


@pytest.fixture
def pigeon_entry_point(plugin_module: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The publishers registry sees one more entry point, as after `pip install` of a plugin."""
    real = registry.entry_points

    def entry_points(*, group: str) -> list[EntryPoint]:
        found = list(real(group=group))
        if group == registry.PUBLISHER_GROUP:
            found.append(EntryPoint("pigeon", f"{plugin_module}:create", group))
        return found

    monkeypatch.setattr(registry, "entry_points", entry_points)
    registry.publishers.refresh()
    yield
    monkeypatch.undo()
    registry.publishers.refresh()


def test_the_built_ins_are_entry_points() -> None:
    assert {"llama-cpp", "openai", "fake"} <= set(registry.llm_backends.names())
    assert {"sentence-transformers", "openai", "fake"} <= set(registry.embedders.names())
    assert {"csv", "ics", "webhook", "mastodon"} <= set(registry.publishers.names())


def test_an_unknown_name_is_one_line_naming_the_known_ones() -> None:
    with pytest.raises(ConfigError) as err:
        build_llm(Settings(llm_backend="gpt-99"))
    message = str(err.value)
    assert "\n" not in message
    assert "unknown LLM backend 'gpt-99'" in message
    assert "CMASSIST_LLM_BACKEND" in message
    assert all(name in message for name in ("llama-cpp", "openai", "fake"))
    with pytest.raises(ConfigError, match=r"unknown publisher 'fax'.*csv, ics"):
        registry.publishers.create("fax", Settings())


def test_the_settings_values_choose_as_before(tmp_path: Path) -> None:
    assert isinstance(build_llm(Settings(llm_backend="fake")), FakeLLM)
    assert embedding_choice("default") == ("sentence-transformers", "default")
    assert embedding_choice("openai:text-embedding-3-small") == (
        "openai",
        "text-embedding-3-small",
    )
    assert embedding_choice("sentence-transformers/all-mpnet-base-v2") == (
        "sentence-transformers",
        "sentence-transformers/all-mpnet-base-v2",
    )
    assert embedding_choice(str(tmp_path / "model")) == (
        "sentence-transformers",
        str(tmp_path / "model"),
    )
    assert embedding_choice("fake") == ("fake", "")
    default = build_embedder(Settings(embedding_model="default"))  # loaded when it embeds
    assert isinstance(default, SentenceTransformerEmbedder)
    assert default.name == "all-MiniLM-L6-v2"
    assert isinstance(build_embedder(Settings(embedding_model="fake")), FakeEmbedder)
    assert build_embedder(Settings(embedding_model="fake:64")).dimension == 64
    with pytest.raises(ConfigError, match="fake:<dimension>"):
        build_embedder(Settings(embedding_model="fake:wide"))


def test_a_plugin_registers_a_backend_with_no_distribution() -> None:
    class EchoLLM(FakeLLM):
        backend = "echo"

    registry.llm_backends.register("echo", lambda settings: EchoLLM(["echo"]))
    try:
        llm = build_llm(Settings(llm_backend="echo"))
        assert isinstance(llm, LLM) and llm.backend == "echo"
        assert "echo" in registry.llm_backends.names()
    finally:
        registry.llm_backends.unregister("echo")
    assert "echo" not in registry.llm_backends.names()


def test_a_plugin_publisher_comes_from_its_entry_point(
    pigeon_entry_point: None, tmp_path: Path
) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    built = build_publishers(settings)
    assert set(built) == {"csv", "ics", "pigeon"}
    assert isinstance(built["pigeon"], Publisher)
    assert Services(settings).publisher_names() == ["csv", "ics", "pigeon"]


def test_an_entry_point_is_imported_only_when_its_part_is_built(plugin_module: str) -> None:
    reg: Registry[object] = Registry("test.group", "widget", "use one of {known}")
    loads: list[str] = []

    class Counting(EntryPoint):
        def load(self) -> object:
            loads.append(self.name)
            return super().load()

    eps = [
        Counting("pigeon", f"{plugin_module}:create", "test.group"),
        Counting("broken", f"{plugin_module}:broken", "test.group"),
        Counting("missing", "cmassist_no_such_package:create", "test.group"),
    ]
    original = registry.entry_points
    registry.entry_points = lambda *, group: eps  # type: ignore[assignment]
    try:
        assert reg.names() == ["broken", "missing", "pigeon"]
        assert loads == []
        assert isinstance(reg.create("pigeon", Settings()), PigeonPublisher)
        assert loads == ["pigeon"]
        with pytest.raises(ConfigError, match=r"'broken' entry point .* is not a factory"):
            reg.create("broken", Settings())
        with pytest.raises(ConfigError, match="cannot load the widget 'missing'"):
            reg.create("missing", Settings())
    finally:
        registry.entry_points = original  # type: ignore[assignment]


def test_every_incomplete_publisher_is_named_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CMASSIST_WEBHOOK_SECRET", raising=False)
    monkeypatch.delenv("CMASSIST_MASTODON_TOKEN", raising=False)
    settings = Settings(
        data_dir=tmp_path, webhook_url="http://127.0.0.1:9/h", mastodon_url="http://127.0.0.1:9"
    )
    with pytest.raises(ConfigError) as err:
        build_publishers(settings)
    assert "CMASSIST_WEBHOOK_SECRET" in str(err.value)
    assert "CMASSIST_MASTODON_TOKEN" in str(err.value)


# -- the fake embedder ----------------------------------------------------------------------


def test_the_fake_embedder_is_deterministic_and_unit_length() -> None:
    texts = ["Votre commande arrive demain.", "", "!!!", "Shipping is late again"]
    first = np.asarray(FakeEmbedder().embed(texts))
    second = np.asarray(FakeEmbedder().embed(texts))
    assert first.shape == (4, 384)
    assert np.array_equal(first, second)
    assert np.allclose(np.linalg.norm(first, axis=1), 1.0)
    assert isinstance(FakeEmbedder(), Embedder)


def test_the_fake_embedder_ranks_shared_words_first() -> None:
    embedder = FakeEmbedder()
    docs = [
        "Our stores open at 9 am on weekdays.",
        "Delivery takes three to five business days.",
        "We love hearing from our community on Instagram.",
    ]
    query = "How many days does delivery take?"
    d = np.asarray(embedder.embed(docs))
    q = np.asarray(embedder.embed_one(query))
    assert int(np.argmax(d @ q)) == 1
    # Accents and case do not matter; an inflected form still shares trigrams.
    a, b, c, d = np.asarray(
        embedder.embed(["Livraison gratuite", "LIVRAISON GRATUITE", "livraisons", "horaires"])
    )
    assert a @ b == pytest.approx(1.0)
    assert a @ c > 0.2 > abs(a @ d)
