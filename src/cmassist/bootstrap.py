"""Wiring: one place that builds the store, the models and the services from settings.

The CLI, the Gradio app and tests all go through `Services`; every part is built on
first use, so `cmassist ingest` never loads the LLM and `--help` loads nothing.
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Any

from cmassist.adapters.prompts import PromptLibrary
from cmassist.adapters.store import KnowledgeStore
from cmassist.config import Settings
from cmassist.services.checking.checker import Checker
from cmassist.services.ports.models import LLM, Embedder
from cmassist.services.ports.publishing import Publisher
from cmassist.services.registry import build_embedder, build_llm, build_publishers
from cmassist.services.review import ReviewService, set_default_database

if TYPE_CHECKING:
    # Imported where they are built, so that a command pays only for what it uses.
    from cmassist.adapters.db.uow import SqlDatabase
    from cmassist.services.crisis import CrisisService
    from cmassist.services.drafting import Drafting
    from cmassist.services.inbox import InboxService
    from cmassist.services.outbox_worker import OutboxWorker, WorkerStatus
    from cmassist.services.ports.persistence import Clock
    from cmassist.services.replies import ReplyService
    from cmassist.services.triage import Triager


def open_database(settings: Settings, clock: Clock | None = None) -> SqlDatabase:
    """The review database of these settings (SQLite under the data directory, or
    CMASSIST_DB_URL), migrated to the latest schema."""
    from cmassist.adapters.db.uow import SqlDatabase

    return SqlDatabase.open(settings, clock=clock)


# `ReviewService(settings)` from Python, without Services, opens the same database.
set_default_database(open_database)


class Services:
    def __init__(
        self,
        settings: Settings | None = None,
        *,
        llm: LLM | None = None,
        embedder: Embedder | None = None,
    ) -> None:
        self.settings = settings or Settings()
        self._llm = llm
        self._embedder = embedder
        self.publishing_worker: OutboxWorker | None = None  # the one this process runs

    @cached_property
    def embedder(self) -> Embedder:
        return self._embedder or build_embedder(self.settings)

    @cached_property
    def store(self) -> KnowledgeStore:
        return KnowledgeStore(self.settings, self.embedder)

    @cached_property
    def llm(self) -> LLM:
        return self._llm or build_llm(self.settings)

    @cached_property
    def prompts(self) -> PromptLibrary:
        return PromptLibrary(self.settings.resolved_prompts_dir())

    @cached_property
    def checker(self) -> Checker:
        return Checker(self.store, self._judge_llm(), self.prompts)

    def _judge_llm(self) -> LLM | None:
        """The LLM judges the voice only when it follows instructions (a chat model); the
        embedded base model does not, and is not even loaded for a check."""
        if self._llm is not None:
            return self._llm if self._llm.style == "chat" else None
        if self.settings.resolved_llm_backend() == "openai":
            return self.llm
        return None

    @cached_property
    def drafting(self) -> Drafting:
        from cmassist.services.drafting import Drafting

        return Drafting(self.store, self.llm, self.prompts, self.settings, checker=self.checker)

    @cached_property
    def database(self) -> SqlDatabase:
        return open_database(self.settings)

    @cached_property
    def review(self) -> ReviewService:
        return ReviewService(
            self.settings,
            database=self.database,
            checker=self._check_for_review,
            publishers=build_publishers,
            adapter_names=self.publisher_names,
        )

    @cached_property
    def triager(self) -> Triager:
        from cmassist.services.triage import Triager

        return Triager(self.store, self._judge_llm(), self.prompts)

    @cached_property
    def inbox(self) -> InboxService:
        from cmassist.adapters.db.inbox_repository import register_inbox
        from cmassist.services.inbox import InboxService

        # The review database: the inbox shares its transactions with the audit log.
        database = self.database
        register_inbox(database)
        return InboxService(database, self.review.audit, self.triager.triage)

    def publishers(self) -> dict[str, Publisher]:
        """The publishers the settings configure, by name (a URL set without its secret is a
        ConfigError); built afresh, so a changed environment is seen."""
        return build_publishers(self.settings)

    def publisher_names(self) -> list[str]:
        """The publishing adapters a draft can be scheduled through, in their built order."""
        return list(self.publishers())

    def start_publishing_worker(self, **options: Any) -> OutboxWorker:
        """Run the outbox worker in a thread of this process (what `cmassist serve` does);
        `options` go to `OutboxWorker` (interval, adapters, ...)."""
        from cmassist.services.outbox_worker import OutboxWorker

        if self.publishing_worker is None or not self.publishing_worker.running:
            self.publishing_worker = OutboxWorker(self.review, kind="server", **options).start()
        return self.publishing_worker

    def stop_publishing_worker(self) -> None:
        if self.publishing_worker is not None:
            self.publishing_worker.stop()

    def outbox_worker_status(self) -> WorkerStatus:
        """Whether publishing runs, here or in another process, and how it went."""
        from cmassist.services.outbox_worker import worker_status

        return worker_status(self.review, here=self.publishing_worker)

    @cached_property
    def crisis(self) -> CrisisService:
        from cmassist.services.crisis import CrisisService

        def passages(brand: str) -> list[Any]:
            return list(self.checker.profile(brand).passages)

        return CrisisService(self.inbox, self.review, passages, self.embedder.embed)

    @cached_property
    def replies(self) -> ReplyService:
        from cmassist.services.replies import ReplyService

        return ReplyService(self.inbox, self.drafting, self.review)

    def crisis_drafts(self, actor: Any, alert_id: int) -> list[Any]:
        """Holding-statement drafts for a crisis alert (`CrisisService.holding_drafts`)."""
        return self.crisis.holding_drafts(actor, alert_id)

    def _check_for_review(self, text: str, **kwargs: Any) -> dict[str, Any]:
        return self.checker.check(text, **kwargs).public()
