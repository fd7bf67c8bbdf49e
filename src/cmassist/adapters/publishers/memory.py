"""A publisher that keeps posts in memory: for tests and dry runs. Like a real platform it
honours idempotency keys; `fail_next` makes the next calls fail."""

from __future__ import annotations

from collections import deque

from cmassist.adapters.publishers.base import PublishRequest, PublishResult
from cmassist.domain.errors import PublishError


class MemoryPublisher:
    def __init__(self, name: str = "memory") -> None:
        self.name = name
        self.calls: list[PublishRequest] = []  # every attempt, failed ones included
        self.delivered: dict[str, PublishRequest] = {}  # by idempotency key: what "went out"
        self._failures: deque[BaseException] = deque()

    def fail_next(self, *errors: BaseException) -> None:
        """Fail the next calls with these errors, in order."""
        self._failures.extend(errors)

    def fail_transient(self, times: int = 1) -> None:
        self.fail_next(
            *(PublishError("the platform is busy", transient=True) for _ in range(times))
        )

    def publish(self, item: PublishRequest) -> PublishResult:
        self.calls.append(item)
        if self._failures:
            raise self._failures.popleft()
        self.delivered.setdefault(item.idempotency_key, item)
        return PublishResult(external_ref=f"{self.name}:{item.idempotency_key}")
