"""A separate process for the kill -9 tests (tests/test_crash.py). Settings come from the
`CMASSIST_*` environment, as for the real worker.

    python tests/crash_worker.py publish        run the outbox worker once, print its report
    python tests/crash_worker.py approve-loop   write, submit and approve drafts until killed
"""

from __future__ import annotations

import sys

from cmassist.bootstrap import open_database
from cmassist.config import Settings
from cmassist.services.outbox import publish_due
from cmassist.services.review import ReviewService


def review_service() -> ReviewService:
    settings = Settings()
    return ReviewService(settings, database=open_database(settings))


def publish() -> None:
    report = publish_due(review_service())
    print(report.model_dump_json(), flush=True)


def approve_loop() -> None:
    review = review_service()
    author, reviewer = review.actor("ann"), review.actor("bob")
    n = 0
    while True:
        n += 1
        draft = review.create_draft(
            author, brand="boreale", platform="mastodon", text=f"Post number {n}, pid-written"
        )
        review.submit(author, draft.id)
        print(f"submitted {draft.id}", flush=True)
        review.approve(reviewer, draft.id, comment=f"approved {n}")
        print(f"approved {draft.id}", flush=True)


if __name__ == "__main__":
    {"publish": publish, "approve-loop": approve_loop}[sys.argv[1]]()
