"""Scale-out by configuration alone: a real Chroma server and an OpenAI-compatible
embeddings endpoint, both on loopback."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest

from cmassist.adapters.embeddings import OpenAIEmbedder, SentenceTransformerEmbedder, build_embedder
from cmassist.adapters.store import KnowledgeStore
from cmassist.config import Settings
from cmassist.domain.errors import StoreError
from cmassist.domain.models import Kind
from cmassist.services.ingest import ingest

from .fake_openai_server import FakeOpenAIServer


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory: pytest.TempPathFactory):
    exe = shutil.which("chroma") or str(Path(__import__("sys").executable).parent / "chroma")
    port = _free_port()
    path = tmp_path_factory.mktemp("chroma-server")
    proc = subprocess.Popen(
        [exe, "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            time.sleep(0.2)
    else:
        proc.kill()
        pytest.fail("the Chroma server did not start within 60 s")
    yield f"http://127.0.0.1:{port}"
    proc.terminate()
    proc.wait(timeout=20)


def test_ingest_and_search_through_a_chroma_server(
    chroma_server: str, tmp_path: Path, embedder: SentenceTransformerEmbedder
) -> None:
    store = KnowledgeStore(
        Settings(chroma_url=chroma_server, data_dir=tmp_path / "unused"), embedder
    )
    f = tmp_path / "posts.csv"
    f.write_text(
        "platform,text,language\nx,Cold brew is back for the summer,en\n"
        "instagram,Le cold brew est de retour pour l'été,fr\n",
        encoding="utf-8",
    )
    assert ingest(store, [f], brand="served").total("added") == 2
    assert ingest(store, [f], brand="served").total("unchanged") == 2
    hits = store.search("served", "cold brew summer", kind=Kind.POST, k=2, language="en")
    assert [h.metadata["platform"] for h in hits] == ["x"]
    assert not (tmp_path / "unused").exists()  # nothing was written locally


def test_an_unreachable_chroma_server_is_a_clear_error(
    embedder: SentenceTransformerEmbedder,
) -> None:
    store = KnowledgeStore(Settings(chroma_url="http://127.0.0.1:9"), embedder)
    with pytest.raises(StoreError, match=r"127\.0\.0\.1:9.*Chroma server"):
        store.brands()


def test_openai_compatible_embeddings_endpoint() -> None:
    with FakeOpenAIServer() as server:
        settings = Settings(
            embedding_model="openai:text-embedding-3-small", embedding_base_url=server.url
        )
        embedder = build_embedder(settings)
        assert isinstance(embedder, OpenAIEmbedder)
        vectors = embedder.embed(["bonjour", "hello"])
        assert len(vectors) == 2 and abs(sum(x * x for x in vectors[0]) - 1) < 1e-6
        assert server.requests[0]["path"].endswith("/embeddings")
        assert server.requests[0]["body"]["model"] == "text-embedding-3-small"
