"""Shared fixtures. Every test gets its own data directory; the real embedding model and
the sample brand's store are built once per session. No test can reach a remote LLM:
OpenAI keys are removed from the environment."""

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

from cmassist.config import Settings
from cmassist.adapters.embeddings import SentenceTransformerEmbedder
from cmassist.services.ingest import ingest
from cmassist.adapters.llm.fake import FakeLLM
from cmassist.bootstrap import Services
from cmassist.adapters.store import KnowledgeStore

if TYPE_CHECKING:
    from cmassist.interfaces.web.app import Handlers

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "brand_guidelines"


@pytest.fixture(autouse=True)
def _isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for key in list(os.environ):
        if key.startswith("CMASSIST_") or key in ("OPENAI_API_KEY", "OPENAI_BASE_URL"):
            monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("CMASSIST_DATA_DIR", str(tmp_path / "data"))


@pytest.fixture(scope="session")
def embedder() -> SentenceTransformerEmbedder:
    """The real default embedding model (all-MiniLM-L6-v2 from its package), loaded once."""
    e = SentenceTransformerEmbedder("default")
    e.embed_one("warm up")
    return e


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data")


@pytest.fixture
def store(settings: Settings, embedder: SentenceTransformerEmbedder) -> KnowledgeStore:
    return KnowledgeStore(settings, embedder)


@pytest.fixture(scope="session")
def sample_data_dir(
    tmp_path_factory: pytest.TempPathFactory, embedder: SentenceTransformerEmbedder
) -> Path:
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
def services(
    sample_settings: Settings, embedder: SentenceTransformerEmbedder, fake_llm: FakeLLM
) -> Services:
    return Services(sample_settings, llm=fake_llm, embedder=embedder)


@pytest.fixture
def ui(services: Services) -> Handlers:
    """The web app's handlers over the test services (UI tests call them directly)."""
    from cmassist.interfaces.web.app import Handlers

    return Handlers(services)
