"""The review database opened from settings (SQLite under the data directory, or any
SQLAlchemy URL such as PostgreSQL), and its units of work: one transaction each.

`SqlDatabase` implements the `Database` port the services depend on; `SqlUnitOfWork`
holds the repositories of one transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from cmassist.adapters.db.draft_repository import SqlDecisionRepository, SqlDraftRepository
from cmassist.adapters.db.migrations import migrate
from cmassist.adapters.db.outbox_repository import SqlOutboxRepository
from cmassist.adapters.db.repositories import (
    SqlAuditRepository,
    SqlFlagRepository,
    SqlUserRepository,
    SqlWorkerRepository,
)
from cmassist.config import Settings
from cmassist.domain.errors import ConfigError, StoreError
from cmassist.services.ports.persistence import Clock

DB_FILE = "cmassist.db"  # under the data directory, when no CMASSIST_DB_URL is set

# More repositories for the same transaction, by attribute name: built from its session.
RepositoryFactory = Callable[[Session], object]


def db_url(settings: Settings) -> str:
    if settings.db_url:
        return settings.db_url
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{(settings.data_dir / DB_FILE).resolve()}"


def make_engine(settings: Settings) -> Engine:
    """An engine on the configured database, migrated to the latest schema."""
    url = db_url(settings)
    try:
        engine = create_engine(url, future=True, pool_pre_ping=True)
    except Exception as e:  # bad URL, missing driver
        raise ConfigError(
            f"cannot use CMASSIST_DB_URL {url!r} ({type(e).__name__}: {e})",
            "use a SQLAlchemy URL such as postgresql+psycopg://user@host/db",
        ) from e
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    try:
        migrate(engine)
    except Exception as e:
        engine.dispose()  # no pooled connection outlives the refusal
        raise StoreError(
            f"cannot open the review database ({type(e).__name__}: {e})",
            "check CMASSIST_DB_URL and that the database is reachable",
        ) from e
    return engine


def _sqlite_pragmas(dbapi_conn: Any, _: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")  # readers never block the writer
    cur.execute("PRAGMA synchronous=FULL")  # a committed approval survives a crash
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.close()


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


class SqlUnitOfWork:
    """The repositories of one transaction, all over the same session."""

    def __init__(self, session: Session, extra: Mapping[str, RepositoryFactory]) -> None:
        self.session = session
        self.users = SqlUserRepository(session)
        self.drafts = SqlDraftRepository(session)
        self.decisions = SqlDecisionRepository(session)
        self.outbox = SqlOutboxRepository(session)
        self.audit = SqlAuditRepository(session)
        self.flags = SqlFlagRepository(session)
        self.workers = SqlWorkerRepository(session)
        self.extra = extra
        self.built: dict[str, object] = {}

    def __getattr__(self, name: str) -> Any:
        """A repository registered with the database (`SqlDatabase(extra=...)`), built
        once per transaction on first use."""
        extra = self.__dict__.get("extra", {})
        if name not in extra:
            raise AttributeError(name)
        if name not in self.built:
            self.built[name] = extra[name](self.session)
        return self.built[name]


class SqlDatabase:
    """The review database: `transaction()` opens a unit of work; `now()` is the clock
    every record is stamped with."""

    def __init__(
        self,
        engine: Engine,
        *,
        clock: Clock | None = None,
        extra: Mapping[str, RepositoryFactory] | None = None,
    ) -> None:
        self.engine = engine
        self.clock: Clock = clock or (lambda: datetime.now(UTC))
        self.extra = dict(extra or {})
        self.sessions = make_sessionmaker(engine)

    @classmethod
    def open(cls, settings: Settings, *, clock: Clock | None = None) -> SqlDatabase:
        return cls(make_engine(settings), clock=clock)

    def now(self) -> datetime:
        return self.clock()

    def register(self, name: str, factory: RepositoryFactory) -> None:
        """Add a repository to every unit of work, as `uow.<name>` (the inbox's, say)."""
        self.extra[name] = factory

    @contextmanager
    def transaction(self) -> Iterator[SqlUnitOfWork]:
        """One transaction: committed if the block succeeds, rolled back otherwise."""
        with self.sessions() as s, s.begin():
            yield SqlUnitOfWork(s, self.extra)

    def dispose(self) -> None:
        """Close the pooled connections (SQLite checkpoints its WAL into the file)."""
        self.engine.dispose()
