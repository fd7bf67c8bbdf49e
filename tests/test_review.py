"""The review workflow and its gate, on a real SQLite database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, inspect, text

from cmassist.adapters.db.tables import DecisionRow
from cmassist.adapters.db.uow import SqlDatabase
from cmassist.config import Settings
from cmassist.domain.errors import (
    AuthError,
    BlockingFindingsError,
    ConfigError,
    ConflictError,
    ForbiddenError,
    InputError,
    NotFoundError,
    PublishBlockedError,
    StateError,
)
from cmassist.services.review import PauseState, ReviewService, text_hash


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kw: float) -> None:
        self.now += timedelta(**kw)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def db(tmp_path: Path, clock: Clock) -> SqlDatabase:
    return SqlDatabase.open(Settings(data_dir=tmp_path / "data"), clock=clock)


@pytest.fixture
def review(tmp_path: Path, db: SqlDatabase) -> ReviewService:
    return ReviewService(Settings(data_dir=tmp_path / "data"), database=db)


@pytest.fixture
def people(review: ReviewService):
    return (
        review.add_user("alice", "alice-password", "author"),
        review.add_user("bob", "bob-password", "reviewer"),
        review.add_user("carol", "carol-password", "reviewer"),
        review.add_user("root", "root-password", "admin"),
    )


def _submitted(review: ReviewService, author, text: str = "Nouveau café du Pérou ☕") -> int:
    d = review.create_draft(
        author, brand="boreale", platform="x", text=text, provenance={"model": "fake-1"}
    )
    return review.submit(author, d.id).id


def test_the_happy_path_and_its_audit_trail(review: ReviewService, people) -> None:
    alice, bob, _, _ = people
    draft_id = _submitted(review, alice)
    view = review.approve(bob, draft_id, comment="Parfait")
    assert view.state == "approved" and view.approved_until is not None
    full = review.get(draft_id)
    assert [d.decision for d in full.decisions] == ["approved"] and full.decisions[0].valid
    actions = [a.action for a in review.audit_log(draft_id=draft_id)]
    assert actions == ["approved", "submitted", "created"]
    created = review.audit_log(draft_id=draft_id)[-1]
    assert created.hash_after == text_hash("Nouveau café du Pérou ☕", "x")


def test_nobody_approves_their_own_draft_and_the_refusal_is_audited(review, people) -> None:
    alice, bob, _, root = people
    draft_id = review.submit(
        bob, review.create_draft(bob, brand="b", platform="x", text="Mine").id
    ).id
    with pytest.raises(ForbiddenError, match="two-person rule"):
        review.approve(bob, draft_id)
    with pytest.raises(ForbiddenError, match="may not review"):
        review.approve(alice, draft_id)
    refused = review.audit_log(action="refused")
    assert {r.actor for r in refused} == {"bob", "alice"}
    assert review.approve(root, draft_id).state == "approved"


def test_a_reviewer_who_edited_the_text_cannot_approve_it(review, people) -> None:
    alice, bob, carol, _ = people
    draft_id = _submitted(review, alice)
    review.edit(bob, draft_id, "Nouveau café du Pérou, en magasin ☕", note="tighter")
    with pytest.raises(ForbiddenError):
        review.approve(bob, draft_id)
    assert review.approve(carol, draft_id).state == "approved"


def test_an_edit_after_approval_returns_to_review_and_voids_the_approval(review, people) -> None:
    alice, bob, _, _ = people
    draft_id = _submitted(review, alice)
    review.approve(bob, draft_id)
    view = review.edit(alice, draft_id, "Nouveau café du Pérou !!! ☕")
    assert view.state == "submitted" and view.version == 2 and view.approved_until is None
    with review.db.transaction() as uow, pytest.raises(PublishBlockedError):
        review.check_publishable(uow, draft_id, 2, view.text_hash, review.now())
    edit = review.audit_log(action="edited")[0]
    assert edit.hash_before == text_hash("Nouveau café du Pérou ☕", "x")
    assert edit.hash_after == view.text_hash


def test_changing_the_platform_is_an_edit_too(review, people) -> None:
    alice, bob, _, _ = people
    draft_id = _submitted(review, alice)
    review.approve(bob, draft_id)
    view = review.edit(alice, draft_id, "Nouveau café du Pérou ☕", platform="mastodon")
    assert view.state == "submitted" and view.platform == "mastodon"


def test_approvals_expire(review, people, clock: Clock) -> None:
    alice, bob, _, _ = people
    draft_id = _submitted(review, alice)
    view = review.approve(bob, draft_id)
    clock.advance(days=7, seconds=1)
    with review.db.transaction() as uow, pytest.raises(PublishBlockedError, match="expired"):
        review.check_publishable(uow, draft_id, 1, view.text_hash, review.now())
    assert review.expire() == 1
    assert review.get(draft_id).state == "expired"
    assert review.submit(alice, draft_id).state == "submitted"  # the author can resubmit


def test_pending_drafts_expire(review, people, clock: Clock) -> None:
    alice, *_ = people
    draft_id = _submitted(review, alice)
    clock.advance(days=13)
    assert review.expire() == 0
    clock.advance(days=2)
    assert review.expire() == 1 and review.get(draft_id).state == "expired"


def test_a_stale_version_is_a_conflict_not_a_lost_update(review, people) -> None:
    alice, bob, carol, _ = people
    draft_id = _submitted(review, alice)
    seen = review.get(draft_id).row_version  # both reviewers opened the same version
    review.request_changes(bob, draft_id, reason="Add the price", expected=seen)
    with pytest.raises(ConflictError, match="changed since you opened it"):
        review.approve(carol, draft_id, expected=seen)
    full = review.get(draft_id)
    assert full.state == "changes_requested" and [d.decision for d in full.decisions] == [
        "changes_requested"
    ]
    assert full.comments[0].body == "Add the price"  # the author sees why


def test_decisions_need_the_right_state_and_a_reason(review, people) -> None:
    alice, bob, _, _ = people
    draft = review.create_draft(alice, brand="b", platform="x", text="Draft")
    with pytest.raises(StateError, match="only from submitted"):
        review.approve(bob, draft.id)
    review.submit(alice, draft.id)
    with pytest.raises(InputError, match="reason"):
        review.reject(bob, draft.id, reason="  ")
    assert review.reject(bob, draft.id, reason="Off brand").state == "rejected"
    with pytest.raises(StateError):
        review.submit(alice, draft.id)
    with pytest.raises(NotFoundError):
        review.get(999)


def test_authors_edit_only_their_own_drafts(review, people) -> None:
    alice, _, _, _ = people
    other = review.add_user("dave", "dave-password", "author")
    draft_id = _submitted(review, alice)
    with pytest.raises(ForbiddenError):
        review.edit(other, draft_id, "Hijacked")


def test_logins(review, people, db: SqlDatabase) -> None:
    assert review.authenticate("Alice", "alice-password").name == "alice"
    with pytest.raises(AuthError, match="wrong user name or password"):
        review.authenticate("alice", "nope")
    with pytest.raises(AuthError, match="wrong user name or password"):
        review.authenticate("mallory", "whatever")
    review.disable_user("alice", by="root", reason="left the team")
    with pytest.raises(AuthError, match="disabled"):
        review.authenticate("alice", "alice-password")
    reasons = [a.reason for a in review.audit_log(action="login_failed")]
    assert reasons == ["account disabled", "unknown user", "wrong password"]
    with db.engine.connect() as conn:
        stored = conn.execute(text("SELECT password_hash FROM users WHERE name='bob'")).scalar()
    assert "bob-password" not in stored and stored.startswith("scrypt$")


def test_only_admins_pause_publishing(review, people) -> None:
    alice, _, _, root = people
    with pytest.raises(ForbiddenError):
        review.set_paused(alice, True)
    review.set_paused(root, True, reason="crisis")
    assert review.is_paused()
    review.set_paused(root, False, reason="over")
    assert not review.is_paused()
    assert [a.action for a in review.audit_log(actor="root")[:2]] == ["resumed", "paused"]


def test_the_publishing_state_says_who_paused_it_when_and_why(review, people, clock) -> None:
    *_, root = people
    assert review.publishing_state() == PauseState(paused=False)
    review.set_paused(root, True, reason="crisis on the trails")
    paused_at = clock.now
    clock.advance(hours=1)
    review.set_paused(root, True, reason="still")  # the last pause is the one told
    assert review.publishing_state() == PauseState(
        paused=True, by="root", reason="still", at=clock.now
    )
    review.set_paused(root, False, reason="over")
    assert review.publishing_state() == PauseState(paused=False)
    assert review.audit_log(action="paused")[-1].at == paused_at


def test_the_audit_log_is_append_only(db: SqlDatabase, people) -> None:
    with db.engine.begin() as conn, pytest.raises(Exception, match="append-only"):
        conn.execute(text("UPDATE audit_log SET actor = 'someone else'"))
    with db.engine.begin() as conn, pytest.raises(Exception, match="append-only"):
        conn.execute(text("DELETE FROM audit_log"))


def test_a_forged_self_approval_does_not_pass_the_gate(review, people, db) -> None:
    alice, *_ = people
    draft_id = _submitted(review, alice)
    view = review.get(draft_id)
    with db.sessions() as s, s.begin():  # someone writes an approval by the author in the DB
        s.add(
            DecisionRow(
                draft_id=draft_id,
                version=1,
                reviewer_id=alice.id,
                decision="approved",
                comment="",
                text_hash=view.text_hash,
                platform="x",
                created_at=review.now(),
                expires_at=review.now() + timedelta(days=7),
            )
        )
        s.execute(text("UPDATE drafts SET state='approved' WHERE id=:i"), {"i": draft_id})
    with review.db.transaction() as uow, pytest.raises(PublishBlockedError, match="second person"):
        review.check_publishable(uow, draft_id, 1, view.text_hash, review.now())


def test_audit_exports(review, people) -> None:
    import csv
    import io
    import json

    alice, *_ = people
    _submitted(review, alice)
    rows = list(csv.DictReader(io.StringIO(review.export_audit("csv"))))
    assert rows[0]["action"] == "user_added" and rows[-1]["action"] == "submitted"
    assert json.loads(review.export_audit("json"))[-1]["action"] == "submitted"


def test_migrations_are_recorded_and_idempotent(db: SqlDatabase) -> None:
    from cmassist.adapters.db.migrations import MIGRATIONS, migrate

    assert migrate(db.engine) == []
    with db.engine.connect() as conn:
        versions = [r[0] for r in conn.execute(text("SELECT version FROM schema_migrations"))]
    assert versions == [m[0] for m in MIGRATIONS]


def test_text_rewritten_in_the_database_does_not_pass_the_gate(review, people, db) -> None:
    alice, bob, _, _ = people
    draft_id = _submitted(review, alice)
    view = review.approve(bob, draft_id)
    with db.engine.begin() as conn:
        conn.execute(
            text("UPDATE draft_versions SET text = 'Forged words' WHERE draft_id = :d"),
            {"d": draft_id},
        )
    with review.db.transaction() as uow, pytest.raises(PublishBlockedError, match="second person"):
        review.check_publishable(uow, draft_id, 1, view.text_hash, review.now())


def test_refusals_outside_decisions_are_audited_by_the_service(review, people) -> None:
    alice, bob, _, root = people
    draft_id = _submitted(review, alice)
    with pytest.raises(ForbiddenError):
        review.submit(bob, draft_id)
    with pytest.raises(ForbiddenError):
        review.set_paused(bob, True, reason="no")
    with pytest.raises(InputError, match="reason"):
        review.set_paused(root, True, reason=" ")
    with pytest.raises(InputError, match="your own account"):
        review.disable_user("root", by="root")
    attempted = [a.details["attempted"] for a in review.audit_log(action="refused")]
    assert attempted == ["paused", "submitted"]


def _schema(engine: Engine) -> dict[str, tuple[list[Any], ...]]:
    """Every table's columns, indexes, unique constraints and foreign keys, as SQL sees them."""
    seen = inspect(engine)
    return {
        table: (
            sorted((c["name"], str(c["type"]), c["nullable"]) for c in seen.get_columns(table)),
            sorted(
                (i["name"], tuple(i["column_names"]), bool(i["unique"]))
                for i in seen.get_indexes(table)
            ),
            sorted(
                (u["name"] or "", tuple(u["column_names"]))
                for u in seen.get_unique_constraints(table)
            ),
            sorted(
                (tuple(f["constrained_columns"]), f["referred_table"])
                for f in seen.get_foreign_keys(table)
            ),
        )
        for table in seen.get_table_names()
        if table != "schema_migrations"
    }


def test_the_frozen_migrations_build_the_schema_the_models_describe(
    db: SqlDatabase, tmp_path: Path
) -> None:
    """The migrations keep their own snapshot of the tables; a new column or table comes
    with a new migration. A fresh database must still be what the models read and write."""
    from cmassist.adapters.db.tables import Base

    models = create_engine(f"sqlite:///{tmp_path / 'models.db'}")
    Base.metadata.create_all(models)
    assert _schema(db.engine) == _schema(models)


def test_an_install_made_before_the_migrations_were_frozen_keeps_working(
    tmp_path: Path, clock: Clock
) -> None:
    """Migration 1 used to create every model's table; such a database takes the later
    migrations, ends with the same schema, and its records stay readable."""
    from cmassist.adapters.db.migrations import migrate
    from cmassist.adapters.db.tables import Base
    from cmassist.adapters.db.uow import db_url

    settings = Settings(data_dir=tmp_path / "old")
    old = create_engine(db_url(settings))
    with old.begin() as conn:
        conn.execute(
            text(
                "CREATE TABLE schema_migrations "
                "(version INTEGER PRIMARY KEY, name VARCHAR(128), applied_at VARCHAR(40))"
            )
        )
        Base.metadata.create_all(conn)
        conn.execute(text("INSERT INTO schema_migrations VALUES (1, 'initial schema', 'then')"))
    assert migrate(old) == [2, 3, 4, 5]
    before = ReviewService(settings, database=SqlDatabase(old, clock=clock))
    ann = before.add_user("ann", "ann-password", "author")
    draft_id = _submitted(before, ann)
    old.dispose()

    database = SqlDatabase.open(settings, clock=clock)  # as after an upgrade
    after = ReviewService(settings, database=database)
    bob = after.add_user("bob", "bob-password", "reviewer")
    assert after.approve(bob, draft_id).state == "approved"
    fresh = SqlDatabase.open(Settings(data_dir=tmp_path / "fresh"))
    assert _schema(database.engine) == _schema(fresh.engine)


def test_a_draft_is_submitted_as_its_author_last_edited_it(
    tmp_path: Path, db: SqlDatabase, people
) -> None:
    def checker(text: str, **_: Any) -> dict[str, Any]:
        """Blocks a price written with a dollar sign."""
        at = text.find("$")
        return {
            "findings": [{"rule": "price", "start": at, "end": at + 1, "severity": "block"}]
            if at >= 0
            else []
        }

    review = ReviewService(Settings(data_dir=tmp_path / "data"), database=db, checker=checker)
    alice, *_ = people
    # The same words: no new version, submitted at the row version the author saw.
    draft = review.create_draft(alice, brand="b", platform="x", text="Café du Pérou")
    view = review.submit_edited(alice, draft.id, " Café du Pérou ", expected=draft.row_version)
    assert view.state == "submitted" and view.version == 1
    # Other words: saved as version 2 with the note, then submitted.
    draft = review.create_draft(alice, brand="b", platform="x", text="Café du Pérou")
    view = review.submit_edited(
        alice, draft.id, "Café du Pérou, dès lundi", expected=draft.row_version, note="on a card"
    )
    assert view.state == "submitted" and view.version == 2
    assert view.text == "Café du Pérou, dès lundi"
    assert [a.action for a in review.audit_log(draft_id=draft.id)] == [
        "submitted",
        "edited",
        "created",
    ]
    assert review.audit_log(draft_id=draft.id, action="edited")[0].reason == "on a card"
    # A stale view is a conflict: nothing is written.
    with pytest.raises(ConflictError):
        review.submit_edited(alice, draft.id, "Autre chose", expected=draft.row_version)
    assert review.get(draft.id).version == 2
    # Refused for its findings, the edit stays saved: the author sees it and fixes it.
    draft = review.create_draft(alice, brand="b", platform="x", text="Café du Pérou")
    with pytest.raises(BlockingFindingsError, match="price"):
        review.submit_edited(alice, draft.id, "Café à 5 $", expected=draft.row_version)
    kept = review.get(draft.id)
    assert kept.state == "draft" and kept.version == 2 and kept.text == "Café à 5 $"


def test_a_bare_review_service_schedules_only_through_publishers_the_registry_knows(
    review, people
) -> None:
    alice, bob, _, _ = people
    draft_id = _submitted(review, alice)
    review.approve(bob, draft_id)
    at = review.now() + timedelta(hours=1)
    with pytest.raises(InputError, match="unknown or unconfigured adapter 'fax'") as e:
        review.schedule(bob, draft_id, at, adapters=["fax"])
    assert "csv, ics" in str(e.value)
    assert review.get(draft_id).outbox == []
    assert review.schedule(bob, draft_id, at, adapters=["csv"]).state == "scheduled"


def test_the_first_admin_comes_from_the_arguments_or_the_environment(review) -> None:
    with pytest.raises(ConfigError, match="cmassist users add NAME --role admin"):
        review.users.ensure_first_admin(environ={"CMASSIST_ADMIN_USER": "boss"})
    env = {"CMASSIST_ADMIN_USER": " Boss ", "CMASSIST_ADMIN_PASSWORD": "boss-password"}
    boss = review.users.ensure_first_admin(environ=env)
    assert boss is not None and (boss.name, boss.role) == ("boss", "admin")
    assert review.authenticate("boss", "boss-password") == boss
    assert review.audit_log(action="user_added")[0].actor == "serve"
    # Users exist: nothing is created, whatever is given.
    assert review.users.ensure_first_admin("other", "other-password", environ=env) is None
    assert [u["name"] for u in review.list_users()] == ["boss"]


def test_the_first_admin_given_as_arguments_wins_over_the_environment(review) -> None:
    env = {"CMASSIST_ADMIN_USER": "boss", "CMASSIST_ADMIN_PASSWORD": "boss-password"}
    first = review.users.ensure_first_admin("chief", "chief-password", environ=env, by="setup")
    assert first is not None and first.name == "chief"
    assert review.audit_log(action="user_added")[0].actor == "setup"
