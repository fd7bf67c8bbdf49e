"""Registries of the pluggable parts (LLM backends, embedders, publishers): the built-ins and
third-party packages register the same way, by a Python entry point or by `register`.

A package adds a part without touching cmassist by declaring, in its pyproject.toml,

    [project.entry-points."cmassist.publishers"]
    bluesky = "my_package.bluesky:create"

where `create(settings)` returns the part (a publisher factory may return None: "not
configured"). Entry points are listed on first use and each is imported only when its part
is built, so listing names or building one backend never imports the others.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from importlib.metadata import EntryPoint, entry_points
from typing import Generic, TypeAlias, TypeVar, cast, overload

from cmassist.config import Settings
from cmassist.domain.errors import ConfigError
from cmassist.services.ports.models import LLM, Embedder
from cmassist.services.ports.publishing import Publisher

T = TypeVar("T")
Factory: TypeAlias = Callable[[Settings], T]

LLM_GROUP = "cmassist.llm"
EMBEDDER_GROUP = "cmassist.embedders"
PUBLISHER_GROUP = "cmassist.publishers"


class Registry(Generic[T]):
    """Factories `Settings -> T` by name, from `register` calls and the entry points of
    `group`. `kind` and `fix` make the error for an unknown name ("{known}" is filled in)."""

    def __init__(self, group: str, kind: str, fix: str) -> None:
        self.group = group
        self.kind = kind
        self.fix = fix
        self._factories: dict[str, Factory[T]] = {}
        self._entry_points: dict[str, EntryPoint] | None = None
        self._loaded: dict[str, Factory[T]] = {}  # entry points imported so far
        self._lock = threading.Lock()

    @overload
    def register(self, name: str, factory: Factory[T]) -> Factory[T]: ...

    @overload
    def register(self, name: str) -> Callable[[Factory[T]], Factory[T]]: ...

    def register(
        self, name: str, factory: Factory[T] | None = None
    ) -> Factory[T] | Callable[[Factory[T]], Factory[T]]:
        """Register `factory` under `name` (replacing an earlier one); without a factory,
        a decorator that registers the function it decorates."""
        if factory is not None:
            self._factories[name] = factory
            return factory

        def decorator(func: Factory[T]) -> Factory[T]:
            self._factories[name] = func
            return func

        return decorator

    def unregister(self, name: str) -> None:
        """Forget a name registered by `register` (entry points come back on `refresh`)."""
        self._factories.pop(name, None)

    def refresh(self) -> None:
        """List the entry points again (after installing a package in this process)."""
        with self._lock:
            self._entry_points = None
            self._loaded.clear()

    def _discovered(self) -> dict[str, EntryPoint]:
        with self._lock:
            if self._entry_points is None:
                found: dict[str, EntryPoint] = {}
                for ep in entry_points(group=self.group):
                    found.setdefault(ep.name, ep)  # the first distribution on the path wins
                self._entry_points = found
            return self._entry_points

    def names(self) -> list[str]:
        """Every known name, sorted: entry points and registered factories."""
        return sorted({*self._discovered(), *self._factories})

    def __contains__(self, name: object) -> bool:
        return name in self._factories or name in self._discovered()

    def factory(self, name: str) -> Factory[T]:
        """The factory for `name`, importing its entry point on first use."""
        if name in self._factories:
            return self._factories[name]
        if name in self._loaded:
            return self._loaded[name]
        ep = self._discovered().get(name)
        if ep is None:
            known = ", ".join(self.names()) or "(none)"
            raise ConfigError(f"unknown {self.kind} {name!r}", self.fix.format(known=known))
        try:
            loaded: object = ep.load()
        except Exception as e:
            raise ConfigError(
                f"cannot load the {self.kind} {name!r} from {ep.value} ({type(e).__name__}: {e})",
                "reinstall the package that provides it, or choose another",
            ) from e
        if not callable(loaded):
            raise ConfigError(
                f"the {self.kind} {name!r} entry point {ep.value} is not a factory",
                "point the entry point at a function `create(settings)`",
            )
        factory = cast("Factory[T]", loaded)
        self._loaded[name] = factory
        return factory

    def create(self, name: str, settings: Settings) -> T:
        """Build the part registered as `name` for these settings."""
        return self.factory(name)(settings)


llm_backends: Registry[LLM] = Registry(
    LLM_GROUP, "LLM backend", "set CMASSIST_LLM_BACKEND to one of {known}, or auto"
)
embedders: Registry[Embedder] = Registry(
    EMBEDDER_GROUP,
    "embedder",
    "set CMASSIST_EMBEDDING_MODEL to default, a sentence-transformers model, "
    "or <embedder>:<model> with an embedder among {known}",
)
# A publisher factory returns None when the settings do not configure it.
publishers: Registry[Publisher | None] = Registry(
    PUBLISHER_GROUP, "publisher", "use one of {known}"
)

# The embedder for a model name with no `<embedder>:` prefix, and for "default".
DEFAULT_EMBEDDER = "sentence-transformers"


def build_llm(settings: Settings) -> LLM:
    """The LLM backend `CMASSIST_LLM_BACKEND` names (auto: see `Settings.resolved_llm_backend`)."""
    return llm_backends.create(settings.resolved_llm_backend(), settings)


def embedding_choice(value: str) -> tuple[str, str]:
    """`CMASSIST_EMBEDDING_MODEL` as (embedder, model): `openai:text-embedding-3-small` is
    the `openai` embedder, a bare embedder name (`fake`) that embedder with its default
    model, and anything else (`default`, a model name or folder) a sentence-transformers
    model."""
    head, sep, rest = value.partition(":")
    if sep and head in embedders:
        return head, rest
    if value in embedders and value != "default":
        return value, ""
    return DEFAULT_EMBEDDER, value


def build_embedder(settings: Settings) -> Embedder:
    """The embedder `CMASSIST_EMBEDDING_MODEL` chooses."""
    name, _ = embedding_choice(settings.embedding_model)
    return embedders.create(name, settings)


def build_publishers(settings: Settings) -> dict[str, Publisher]:
    """The publishers the settings configure, by name: `csv` and `ics` always, `webhook`
    and `mastodon` when their URL is set, and those of installed packages. Every publisher
    whose settings are incomplete (a URL without its secret) is named in one ConfigError."""
    built: dict[str, Publisher] = {}
    errors: list[ConfigError] = []
    for name in publishers.names():
        try:
            publisher = publishers.create(name, settings)
        except ConfigError as e:
            errors.append(e)
            continue
        if publisher is not None:
            built[publisher.name] = publisher
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise ConfigError(
            "; ".join(e.problem for e in errors), "; ".join(e.fix for e in errors if e.fix)
        )
    return built
