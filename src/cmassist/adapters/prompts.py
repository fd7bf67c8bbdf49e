"""Prompt templates: jinja2 files in `prompts/`, rendered in a sandbox with strict variables.

User content is only ever a variable, never compiled as a template, and untrusted text
goes through the `data` filter, which keeps it inside its delimiters. A template's name
and the SHA-256 of its text travel with every draft.

A template may define `system` and `user` blocks for chat models; the whole rendered
template is the prompt for completion (base) models.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import FileSystemLoader, StrictUndefined, TemplateNotFound, UndefinedError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from cmassist.domain.errors import ConfigError
from cmassist.domain.textutil import as_data, excerpt, sha256
from cmassist.services.ports.models import RenderedPrompt


class PromptLibrary:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.env = ImmutableSandboxedEnvironment(
            loader=FileSystemLoader(str(directory)),
            undefined=StrictUndefined,
            autoescape=False,
            keep_trailing_newline=False,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.filters["data"] = as_data
        self.env.filters["data_block"] = lambda text: as_data(text, one_line=False)
        self.env.filters["excerpt"] = excerpt

    def names(self) -> list[str]:
        return sorted(p.name for p in self.directory.glob("*.j2"))

    def source_hash(self, name: str) -> str:
        return sha256(self._source(name))

    def _source(self, name: str) -> str:
        try:
            source, _, _ = self.env.loader.get_source(self.env, name)  # type: ignore[union-attr]
        except TemplateNotFound:
            raise ConfigError(
                f"prompt template {name} not found in {self.directory}",
                "restore it, or point CMASSIST_PROMPTS_DIR at a complete folder",
            ) from None
        return source

    def render(self, name: str, style: str = "completion", **variables: Any) -> RenderedPrompt:
        """Render `name` with `variables`; chat models get the `system` and `user` blocks."""
        source = self._source(name)
        template = self.env.get_template(name)
        try:
            if style == "chat" and {"system", "user"} <= set(template.blocks):
                ctx = template.new_context(variables)
                system = "".join(template.blocks["system"](ctx)).strip()
                user = "".join(template.blocks["user"](ctx)).strip()
                return RenderedPrompt(name, sha256(source), f"{system}\n\n{user}", system, user)
            text = template.render(**variables)
        except UndefinedError as e:
            raise ConfigError(
                f"prompt template {name} uses an undefined variable ({e.message})",
                "fix the template: see README, Prompts, for the variables",
            ) from None
        if style == "chat":
            return RenderedPrompt(name, sha256(source), text, "", text)
        return RenderedPrompt(name, sha256(source), text)
