"""How much a text sounds like the brand, from embeddings alone.

The brand's voice is known by example: its best past posts and replies and the
on-voice sentences of its voice guide on one side, the off-voice sentences of the guide
on the other. A text scores by how much closer it sits to the first than to the second,
on a 0-100 scale calibrated per brand from those same examples (each scored without
itself), so 50 is the midpoint between a typical on-voice and a typical off-voice text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

TOP_K = 3


def unit_rows(m: npt.ArrayLike) -> npt.NDArray[np.float32]:
    """Rows scaled to unit length, as float32 (an empty input gives a 0x0 matrix)."""
    rows: npt.NDArray[np.float32] = np.asarray(m, dtype=np.float32)
    if not len(rows):
        return rows.reshape(0, 0)
    out: npt.NDArray[np.float32] = rows / np.maximum(
        np.linalg.norm(rows, axis=1, keepdims=True), 1e-9
    )
    return out


@dataclass
class Example:
    text: str
    why: str = ""  # for off-voice examples: what the guide says is wrong with it
    source: str = ""
    heading: str = ""
    line: int | None = None
    language: str | None = None


@dataclass
class VoiceScore:
    score: int  # 0-100
    nearest_on: Example | None
    nearest_off: Example | None


@dataclass
class VoiceModel:
    """Reference embeddings of one brand (rows L2-normalized)."""

    posts: np.ndarray
    replies: np.ndarray
    on: np.ndarray
    on_examples: list[Example]
    off: np.ndarray
    off_examples: list[Example]
    mid: float = 0.0
    scale: float = 0.05
    calibrated: bool = False
    notes: list[str] = field(default_factory=list)

    @property
    def usable(self) -> bool:
        return len(self.posts) + len(self.replies) + len(self.on) > 0

    def _brand_sim(self, e: np.ndarray, kind: str, exclude_self: bool = False) -> float:
        refs = [self.on]
        refs.insert(0, self.replies if kind == "reply" and len(self.replies) else self.posts)
        mat = np.vstack([r for r in refs if len(r)]) if any(len(r) for r in refs) else None
        if mat is None:
            return 0.0
        sims = mat @ e
        if exclude_self:
            sims = sims[sims < 0.999]
        if not len(sims):
            return 0.0
        k = min(TOP_K, len(sims))
        return float(np.mean(np.partition(sims, -k)[-k:]))

    def _off_sim(self, e: np.ndarray, exclude_self: bool = False) -> tuple[float, int | None]:
        if not len(self.off):
            return 0.0, None
        sims = self.off @ e
        if exclude_self:
            sims = np.where(sims >= 0.999, -1.0, sims)
        i = int(np.argmax(sims))
        k = min(2, len(sims))
        return float(np.mean(np.partition(sims, -k)[-k:])), i

    def raw(self, e: np.ndarray, kind: str = "post", exclude_self: bool = False) -> float:
        return self._brand_sim(e, kind, exclude_self) - self._off_sim(e, exclude_self)[0]

    def calibrate(self) -> None:
        """Set the 50 mark between on-voice and off-voice references, each scored without itself."""
        pos = [self.raw(e, "post", True) for e in self.on]
        step = max(1, len(self.posts) // 60)
        pos += [self.raw(e, "post", True) for e in self.posts[::step]]
        pos += [
            self.raw(e, "reply", True) for e in self.replies[:: max(1, len(self.replies) // 30)]
        ]
        neg = [self.raw(e, "post", True) for e in self.off]
        if len(pos) < 3 or len(neg) < 2:
            self.notes.append(
                "too few on-voice or off-voice examples to calibrate the voice score; "
                "list example sentences in the voice guide (on_examples_section, "
                "off_examples_section)"
            )
            return
        p, n = float(np.median(pos)), float(np.median(neg))
        self.mid = (p + n) / 2
        self.scale = max(0.01, (p - n) / 4)
        self.calibrated = True

    def score(self, e: np.ndarray, kind: str = "post") -> VoiceScore:
        brand = self._brand_sim(e, kind)
        off, i_off = self._off_sim(e)
        raw = brand - off
        score = round(float(100 / (1 + np.exp(-(raw - self.mid) / self.scale))))
        nearest_on = None
        if len(self.on):
            nearest_on = self.on_examples[int(np.argmax(self.on @ e))]
        return VoiceScore(
            score=score,
            nearest_on=nearest_on,
            nearest_off=self.off_examples[i_off] if i_off is not None else None,
        )


class BrandVoice:
    """One voice model per language, so French texts are compared with French references.

    Sentence embeddings cluster by language before style: measured against references in
    both languages, every French text would look like the French off-voice examples.
    """

    def __init__(self, models: dict[str | None, VoiceModel]) -> None:
        self.models = models

    @classmethod
    def build(
        cls,
        posts: tuple[np.ndarray, list[str | None]],  # embeddings and their languages
        replies: tuple[np.ndarray, list[str | None]],
        on: tuple[np.ndarray, list[Example]],
        off: tuple[np.ndarray, list[Example]],
    ) -> BrandVoice:
        def pick(vecs: np.ndarray, langs: list[str | None], lang: str | None) -> list[int]:
            return [i for i, g in enumerate(langs) if lang is None or g == lang]

        models: dict[str | None, VoiceModel] = {}
        for lang in (None, "fr", "en"):
            ip = pick(posts[0], posts[1], lang)
            ir = pick(replies[0], replies[1], lang)
            io = pick(on[0], [e.language for e in on[1]], lang)
            iff = pick(off[0], [e.language for e in off[1]], lang)
            model = VoiceModel(
                posts=_rows(posts[0], ip),
                replies=_rows(replies[0], ir),
                on=_rows(on[0], io),
                on_examples=[on[1][i] for i in io],
                off=_rows(off[0], iff),
                off_examples=[off[1][i] for i in iff],
            )
            model.calibrate()
            if lang is None or (model.calibrated and model.usable):
                models[lang] = model
        return cls(models)

    def model(self, language: str | None) -> VoiceModel:
        return self.models.get(language) or self.models[None]

    @property
    def usable(self) -> bool:
        return self.models[None].usable

    @property
    def notes(self) -> list[str]:
        return self.models[None].notes

    @property
    def on_examples(self) -> list[Example]:
        return self.models[None].on_examples

    @property
    def off_examples(self) -> list[Example]:
        return self.models[None].off_examples

    def score(self, e: np.ndarray, kind: str, language: str | None) -> VoiceScore:
        return self.model(language).score(e, kind)


def _rows(m: np.ndarray, idx: list[int]) -> np.ndarray:
    if not len(idx) or not len(m):
        return np.zeros((0, m.shape[1] if m.ndim == 2 and m.shape[1] else 1), dtype=np.float32)
    return m[idx]


_QUOTED = re.compile(r"^\s*[-*+]\s*[\"“«]\s*(?P<q>.+?)\s*[\"”»]\s*(?:[:—–-]\s*(?P<why>.+))?$")
_PLAIN = re.compile(r"^\s*[-*+]\s+(?P<q>.+?)\s*$")


def parse_examples(passage_text: str) -> list[tuple[str, str]]:
    """(sentence, why) for each bullet of a voice-guide section."""
    out = []
    for line in passage_text.splitlines():
        m = _QUOTED.match(line)
        if m:
            out.append((m.group("q").strip(), (m.group("why") or "").strip()))
            continue
        m = _PLAIN.match(line)
        if m:
            out.append((m.group("q").strip(), ""))
    return out
