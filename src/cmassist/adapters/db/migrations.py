"""Schema changes as small numbered migrations, applied in order on start and recorded in
`schema_migrations`. They are frozen: a change to the schema is a new migration, never an
edit of an old one, so every database, old or new, goes through the same steps.

Each migration creates its tables from the snapshot below (the tables as they were when
it was written), not from the live models in `tables.py`, which move on.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Engine,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    inspect,
    text,
)

FROZEN = MetaData()


def _at(name: str, *, index: bool = False, nullable: bool = False) -> Column[Any]:
    return Column(name, DateTime(timezone=True), index=index, nullable=nullable)


# -- migration 1: the initial schema ---------------------------------------------------

USERS = Table(
    "users",
    FROZEN,
    Column("id", Integer, primary_key=True),
    Column("name", String(64), unique=True, index=True, nullable=False),
    Column("display_name", String(128), nullable=False),
    Column("role", String(16), nullable=False),
    Column("password_hash", String(256), nullable=False),
    Column("disabled", Boolean, nullable=False),
    _at("created_at"),
)
DRAFTS = Table(
    "drafts",
    FROZEN,
    Column("id", Integer, primary_key=True),
    Column("brand", String(64), index=True, nullable=False),
    Column("kind", String(16), nullable=False),
    Column("platform", String(16), index=True, nullable=False),
    Column("language", String(8), nullable=False),
    Column("author_id", Integer, ForeignKey("users.id"), index=True, nullable=False),
    Column("state", String(24), index=True, nullable=False),
    Column("current_version", Integer, nullable=False),
    Column("row_version", Integer, nullable=False),
    Column("provenance", JSON, nullable=False),
    Column("context", Text, nullable=False),
    _at("created_at"),
    _at("updated_at"),
    _at("submitted_at", nullable=True),
)
VERSIONS = Table(
    "draft_versions",
    FROZEN,
    Column("id", Integer, primary_key=True),
    Column("draft_id", Integer, ForeignKey("drafts.id"), index=True, nullable=False),
    Column("number", Integer, nullable=False),
    Column("text", Text, nullable=False),
    Column("text_hash", String(64), nullable=False),
    Column("platform", String(16), nullable=False),
    Column("author_id", Integer, ForeignKey("users.id"), nullable=False),
    _at("created_at"),
    Column("note", Text, nullable=False),
)
DECISIONS = Table(
    "decisions",
    FROZEN,
    Column("id", Integer, primary_key=True),
    Column("draft_id", Integer, ForeignKey("drafts.id"), index=True, nullable=False),
    Column("version", Integer, nullable=False),
    Column("reviewer_id", Integer, ForeignKey("users.id"), nullable=False),
    Column("decision", String(24), nullable=False),
    Column("comment", Text, nullable=False),
    Column("text_hash", String(64), nullable=False),
    Column("platform", String(16), nullable=False),
    _at("created_at"),
    _at("expires_at", nullable=True),
)
COMMENTS = Table(
    "comments",
    FROZEN,
    Column("id", Integer, primary_key=True),
    Column("draft_id", Integer, ForeignKey("drafts.id"), index=True, nullable=False),
    Column("user_id", Integer, ForeignKey("users.id"), nullable=False),
    Column("body", Text, nullable=False),
    _at("created_at"),
)
AUDIT = Table(
    "audit_log",
    FROZEN,
    Column("id", Integer, primary_key=True),
    _at("at", index=True),
    Column("actor", String(64), nullable=False),
    Column("action", String(48), index=True, nullable=False),
    Column("draft_id", Integer, index=True, nullable=True),
    Column("hash_before", String(64), nullable=True),
    Column("hash_after", String(64), nullable=True),
    Column("reason", Text, nullable=False),
    Column("details", JSON, nullable=False),
)
OUTBOX = Table(
    "outbox",
    FROZEN,
    Column("id", Integer, primary_key=True),
    Column("draft_id", Integer, ForeignKey("drafts.id"), index=True, nullable=False),
    Column("version", Integer, nullable=False),
    Column("text_hash", String(64), nullable=False),
    Column("adapter", String(32), nullable=False),
    _at("due_at", index=True),
    Column("idempotency_key", String(80), unique=True, nullable=False),
    Column("state", String(16), index=True, nullable=False),
    Column("attempts", Integer, nullable=False),
    _at("next_attempt_at", nullable=True),
    _at("claimed_at", nullable=True),
    Column("last_error", Text, nullable=False),
    Column("external_ref", Text, nullable=False),
    _at("created_at"),
    _at("published_at", nullable=True),
)
SETTINGS = Table(
    "settings",
    FROZEN,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
    _at("updated_at"),
    Column("updated_by", String(64), nullable=False),
)

# -- migration 3: finding overrides ------------------------------------------------------

OVERRIDES = Table(
    "finding_overrides",
    FROZEN,
    Column("id", Integer, primary_key=True),
    Column("draft_id", Integer, ForeignKey("drafts.id"), index=True, nullable=False),
    Column("version", Integer, nullable=False),
    Column("text_hash", String(64), nullable=False),
    Column("reviewer_id", Integer, ForeignKey("users.id"), nullable=False),
    Column("reason", Text, nullable=False),
    Column("findings", JSON, nullable=False),
    _at("created_at"),
)

# -- migration 4: the inbox and crisis alerts --------------------------------------------

INBOX = Table(
    "inbox_messages",
    FROZEN,
    Column("id", Integer, primary_key=True),
    Column("brand", String(64), index=True, nullable=False),
    Column("external_id", String(200), nullable=False),
    Column("platform", String(16), index=True, nullable=False),
    Column("kind", String(16), nullable=False),
    Column("author", String(200), nullable=False),
    Column("text", Text, nullable=False),
    Column("text_hash", String(64), nullable=False),
    Column("thread", String(200), nullable=False),
    _at("received_at", index=True),
    _at("imported_at"),
    Column("source", String(200), nullable=False),
    Column("status", String(16), index=True, nullable=False),
    Column("triage", JSON, nullable=True),
    _at("triaged_at", index=True, nullable=True),
    Column("priority", Integer, index=True, nullable=False),
    Column("action", String(16), index=True, nullable=False),
    Column("sentiment", String(16), index=True, nullable=False),
    Column("language", String(8), index=True, nullable=False),
    Column("topic", String(64), index=True, nullable=False),
    Column("negative", Boolean, nullable=False),
    Column("draft_id", Integer, nullable=True),
    Column("handled_by", String(64), nullable=False),
    _at("handled_at", nullable=True),
    UniqueConstraint("brand", "external_id", name="uq_inbox_brand_id"),
)
CRISES = Table(
    "crisis_alerts",
    FROZEN,
    Column("id", Integer, primary_key=True),
    Column("brand", String(64), index=True, nullable=False),
    Column("topic", String(64), nullable=False),
    _at("window_start"),
    _at("window_end"),
    Column("count", Integer, nullable=False),
    Column("baseline", Float, nullable=False),
    Column("reason", Text, nullable=False),
    Column("message_ids", JSON, nullable=False),
    Column("status", String(16), index=True, nullable=False),
    _at("raised_at"),
    Column("draft_ids", JSON, nullable=False),
    Column("closed_by", String(64), nullable=False),
    _at("closed_at", nullable=True),
)

# -- migration 5: publishing workers' heartbeats -----------------------------------------

WORKERS = Table(
    "outbox_workers",
    FROZEN,
    Column("id", String(120), primary_key=True),
    Column("kind", String(16), nullable=False),
    Column("host", String(200), nullable=False),
    Column("pid", Integer, nullable=False),
    Column("interval", Float, nullable=False),
    _at("started_at"),
    _at("beat_at", index=True),
    _at("last_run_at", nullable=True),
    _at("stopped_at", nullable=True),
    Column("last_error", Text, nullable=False),
)


def _create(conn: Any, *tables: Table) -> None:
    # checkfirst: databases made before the snapshots created every table in migration 1.
    FROZEN.create_all(conn, tables=list(tables), checkfirst=True)


def _m001_initial(conn: Any) -> None:
    _create(conn, USERS, DRAFTS, VERSIONS, DECISIONS, COMMENTS, AUDIT, OUTBOX, SETTINGS)


def _m002_append_only_audit(conn: Any) -> None:
    if conn.dialect.name == "sqlite":
        for op in ("UPDATE", "DELETE"):
            conn.execute(
                text(
                    f"CREATE TRIGGER IF NOT EXISTS audit_log_no_{op.lower()} "
                    f"BEFORE {op} ON audit_log BEGIN "
                    "SELECT RAISE(ABORT, 'the audit log is append-only'); END"
                )
            )
    elif conn.dialect.name == "postgresql":
        conn.execute(
            text(
                "CREATE OR REPLACE FUNCTION cmassist_audit_append_only() RETURNS trigger AS $$ "
                "BEGIN RAISE EXCEPTION 'the audit log is append-only'; END; $$ LANGUAGE plpgsql"
            )
        )
        conn.execute(
            text(
                "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log "
                "FOR EACH ROW EXECUTE FUNCTION cmassist_audit_append_only()"
            )
        )


def _m003_checks(conn: Any) -> None:
    """Check results on versions, and reviewers' overrides of blocking findings."""
    columns = {c["name"] for c in inspect(conn).get_columns("draft_versions")}
    if "check_result" not in columns:
        conn.execute(text("ALTER TABLE draft_versions ADD COLUMN check_result JSON"))
    _create(conn, OVERRIDES)


def _m004_inbox(conn: Any) -> None:
    """The inbox of incoming messages and the crisis alerts raised from it."""
    _create(conn, INBOX, CRISES)


def _m005_outbox_workers(conn: Any) -> None:
    """The publishing workers' heartbeats."""
    _create(conn, WORKERS)


MIGRATIONS: list[tuple[int, str, Callable[[Any], None]]] = [
    (1, "initial schema", _m001_initial),
    (2, "append-only audit log", _m002_append_only_audit),
    (3, "check results and finding overrides", _m003_checks),
    (4, "inbox and crisis alerts", _m004_inbox),
    (5, "publishing worker heartbeats", _m005_outbox_workers),
]


def migrate(engine: Engine) -> list[int]:
    """Apply the migrations not yet applied, each in its own transaction; returns their
    numbers."""
    applied: list[int] = []
    with engine.begin() as conn:
        conn.execute(
            text(
                "CREATE TABLE IF NOT EXISTS schema_migrations "
                "(version INTEGER PRIMARY KEY, name VARCHAR(128), applied_at VARCHAR(40))"
            )
        )
        done = {row[0] for row in conn.execute(text("SELECT version FROM schema_migrations"))}
    for number, name, step in MIGRATIONS:
        if number in done:
            continue
        with engine.begin() as conn:
            step(conn)
            conn.execute(
                text(
                    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (:v, :n, :a)"
                ),
                {"v": number, "n": name, "a": datetime.now(UTC).isoformat()},
            )
        applied.append(number)
    return applied
