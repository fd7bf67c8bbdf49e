"""The helpers the publishing adapters share: where files go, secrets from the environment,
atomic file writes under a lock, and the rule that sorts HTTP failures (types: the port)."""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path

import httpx

from cmassist.config import Settings
from cmassist.domain.errors import ConfigError, PublishError
from cmassist.services.ports.publishing import Publisher, PublishRequest, PublishResult

try:  # POSIX; elsewhere a single worker is assumed
    import fcntl
except ImportError:  # pragma: no cover
    fcntl = None  # type: ignore[assignment]

__all__ = [
    "PublishRequest",
    "PublishResult",
    "Publisher",
    "check_response",
    "locked",
    "outbox_dir",
    "safe_name",
    "secret_from_env",
    "transport_error",
    "write_atomic",
]


def outbox_dir(settings: Settings) -> Path:
    """Where the file publishers write: `CMASSIST_OUTBOX_DIR`, or `outbox/` in the data dir."""
    return settings.outbox_dir or settings.data_dir / "outbox"


def secret_from_env(env: str, what: str, url_setting: str) -> str:
    """The secret in the variable `env`; a ConfigError naming both fixes when it is empty."""
    value = os.environ.get(env, "").strip()
    if not value:
        raise ConfigError(
            f"the {what} is missing: the variable {env} is empty",
            f"export {env}=..., or unset {url_setting} to publish without it",
        )
    return value


_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_name(value: str) -> str:
    """A brand or platform as a file-name part (no separators, no dot files)."""
    return _UNSAFE.sub("_", value).strip("._") or "_"


@contextlib.contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on `path`.lock: workers in other processes wait their turn
    instead of losing each other's rows in a read-modify-write."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(path.name + ".lock"), "a+b") as handle:
        if fcntl is not None:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            if fcntl is not None:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def write_atomic(path: Path, data: bytes) -> None:
    """Replace `path` with `data` so that a reader (or a crash) sees the old file or the
    new one, never half of it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    with contextlib.suppress(OSError):  # make the rename itself durable (not on Windows)
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after", "").strip()
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:
        return None  # an HTTP date: the worker's backoff will do


def check_response(response: httpx.Response, what: str) -> None:
    """Raise PublishError unless the answer is 2xx: 429 and 5xx are transient, the rest
    (4xx, and 3xx since redirects are not followed) permanent."""
    status = response.status_code
    if 200 <= status < 300:
        return
    body = " ".join(response.text.split())[:200]
    transient = status == 429 or status >= 500
    fix = (
        "it will be retried later"
        if transient
        else "check the address and credentials; the item will not be retried"
    )
    raise PublishError(
        f"{what} answered HTTP {status}" + (f" ({body})" if body else ""),
        fix,
        transient=transient,
        status=status,
        retry_after=_retry_after(response) if transient else None,
    )


def transport_error(error: httpx.HTTPError, what: str) -> PublishError:
    """Timeouts and connection failures: transient (the post may or may not have arrived;
    the idempotency key makes the retry safe)."""
    kind = "timed out" if isinstance(error, httpx.TimeoutException) else "could not be reached"
    return PublishError(
        f"{what} {kind} ({type(error).__name__}: {error})",
        "it will be retried later",
        transient=True,
    )
