"""Shared fixtures. Every test gets its own data directory; no test can reach a remote LLM
(OpenAI keys are removed from the environment).

Unit tests embed with the deterministic fake embedder (`CMASSIST_EMBEDDING_MODEL=fake`), so
they load no model. A test marked `integration` (retrieval quality, labelled sets, triage
quality, end to end) or `slow` (the real GGUF, servers, the browser) needs the real models:
when any selected test does, the whole session uses the real all-MiniLM-L6-v2, as `make test`
does for its second run (`make test-fast` runs the fast part alone).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ["ANONYMIZED_TELEMETRY"] = "False"
os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"  # before gradio is imported: no phoning home

from cmassist.adapters.embeddings import FakeEmbedder, SentenceTransformerEmbedder
from cmassist.adapters.llm.fake import FakeLLM
from cmassist.adapters.store import KnowledgeStore
from cmassist.bootstrap import Services
from cmassist.config import Settings
from cmassist.services.ingest import ingest
from cmassist.services.ports.models import Embedder

if TYPE_CHECKING:
    from cmassist.interfaces.web.app import Handlers

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "brand_guidelines"
REAL_MODEL_MARKERS = ("integration", "slow")
_real_models = {"needed": True}  # until collection says otherwise


def needs_real_models(item: pytest.Item) -> bool:
    return any(item.get_closest_marker(m) is not None for m in REAL_MODEL_MARKERS)


def pytest_collection_finish(session: pytest.Session) -> None:
    """One embedder for the whole session: the real one as soon as one selected test needs it
    (a store built with one model cannot be read with another)."""
    _real_models["needed"] = any(needs_real_models(item) for item in session.items)


def real_models() -> bool:
    """Whether this session embeds with the real model (see the module docstring)."""
    return _real_models["needed"]


@pytest.fixture(autouse=True)
def _isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for key in list(os.environ):
        if key.startswith("CMASSIST_") or key in ("OPENAI_API_KEY", "OPENAI_BASE_URL"):
            monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("CMASSIST_DATA_DIR", str(tmp_path / "data"))
    if not real_models():  # what the CLI, subprocesses and Services(settings) build
        monkeypatch.setenv("CMASSIST_EMBEDDING_MODEL", "fake")
        # The fake model stands for one that writes replies (a chat model's path); the
        # embedded base model's default ("auto": it writes none) is tested where named
        # (test_model_replies) and by the real-model session.
        monkeypatch.setenv("CMASSIST_DRAFT_MODEL_REPLIES", "always")


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    """The session's embedder: the real default model (all-MiniLM-L6-v2 from its package),
    loaded once, when a selected test needs it; the fake one otherwise."""
    if not real_models():
        return FakeEmbedder()
    e = SentenceTransformerEmbedder("default")
    e.embed_one("warm up")
    return e


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data")


@pytest.fixture
def store(settings: Settings, embedder: Embedder) -> KnowledgeStore:
    return KnowledgeStore(settings, embedder)


@pytest.fixture(scope="session")
def sample_data_dir(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Path:
    """A data directory with the sample brand ingested once; copy it before writing."""
    data = tmp_path_factory.mktemp("sample") / "data"
    report = ingest(KnowledgeStore(Settings(data_dir=data), embedder), [SAMPLE], brand="boreale")
    assert report.ok, report.public()
    return data


@pytest.fixture
def sample_settings(
    sample_data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Settings:
    data = tmp_path / "sample-data"
    shutil.copytree(sample_data_dir, data)
    monkeypatch.setenv("CMASSIST_DATA_DIR", str(data))
    return Settings(data_dir=data)


@pytest.fixture
def fake_llm() -> FakeLLM:
    return FakeLLM()


@pytest.fixture
def services(sample_settings: Settings, embedder: Embedder, fake_llm: FakeLLM) -> Services:
    return Services(sample_settings, llm=fake_llm, embedder=embedder)


@pytest.fixture
def ui(services: Services) -> Handlers:
    """The web app's handlers over the test services (UI tests call them directly)."""
    from cmassist.interfaces.web.app import Handlers

    return Handlers(services)
