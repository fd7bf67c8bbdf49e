"""The voice: how much the text sounds like the brand, from its embedding against the
brand's references, with a chat LLM's second opinion where one is configured."""

from __future__ import annotations

import json
import re

import numpy as np

from cmassist.domain.findings import Citation, Finding, VoiceResult
from cmassist.domain.voice import Example, VoiceScore, unit_rows
from cmassist.services.checking.context import RULES, CheckContext
from cmassist.services.ports.models import LLM, Embedder, GenParams, Prompts


def check_voice(
    ctx: CheckContext, embedder: Embedder, llm: LLM | None, prompts: Prompts | None
) -> VoiceResult | None:
    """The voice score, and a finding on the most off-voice sentence when it is too low."""
    model = ctx.profile.voice
    ctx.notices.extend(model.notes)
    if not model.usable:
        ctx.notices.append(
            f"no past posts, replies or voice examples for {ctx.profile.slug!r}; "
            "the voice was not scored"
        )
        return None
    e = unit_rows([embedder.embed_one(ctx.text)])[0]
    vs = model.score(e, ctx.kind, ctx.language)
    result = VoiceResult(
        score=vs.score,
        method="embeddings",
        nearest_on_voice=vs.nearest_on.text if vs.nearest_on else None,
        nearest_off_voice=vs.nearest_off.text if vs.nearest_off else None,
        off_voice_why=vs.nearest_off.why if vs.nearest_off else None,
    )
    llm_score = llm_voice(ctx, llm, prompts)
    if llm_score is not None:
        result.llm_score = llm_score
        result.score = round((vs.score + llm_score) / 2)
        result.method = "embeddings+llm"
    rule = ctx.rules.voice
    threshold = rule.min_score if rule else 50
    if result.score < threshold:
        _off_voice(ctx, embedder, result, vs, threshold)
    return result


def _off_voice(
    ctx: CheckContext, embedder: Embedder, result: VoiceResult, vs: VoiceScore, threshold: int
) -> None:
    rule = ctx.rules.voice
    adjectives = ", ".join(rule.adjectives) if rule and rule.adjectives else ""
    off = vs.nearest_off
    parts = [f"Sounds off-voice (voice {result.score}/100, {threshold} expected)."]
    if off is not None:
        parts.append(
            f"Closest to the off-voice example “{off.text}”"
            + (f" ({off.why.rstrip('.')})." if off.why else ".")
        )
    if adjectives:
        parts.append(f"{ctx.profile.name} sounds {adjectives}.")
    start, end = worst_sentence(ctx, embedder, off)
    citation = None
    if off is not None and off.source:
        citation = Citation(
            source=off.source,
            heading=off.heading,
            line=off.line,
            excerpt=f"“{off.text}”" + (f": {off.why}" if off.why else ""),
        )
    elif rule is not None:
        citation = ctx.cite(rule, f"voice {rule.reason or ''}", ctx.language, "")
    on = vs.nearest_on.text if vs.nearest_on else None
    ctx.findings.append(
        Finding(
            rule="voice",
            severity=(rule.severity if rule and rule.severity else RULES["voice"]),
            start=start,
            end=end,
            message=" ".join(parts),
            citation=citation,
            suggestion=(
                f"use “Rewrite in brand voice”, or model it on this on-voice example: “{on}”"
                if on
                else "use “Rewrite in brand voice”"
            ),
        )
    )


def worst_sentence(ctx: CheckContext, embedder: Embedder, off: Example | None) -> tuple[int, int]:
    """The sentence closest to the off-voice example, to highlight."""
    sentences = [s for s in ctx.segments if ctx.text[s.start : s.end].strip()]
    if off is None or len(sentences) < 2:
        return 0, len(ctx.text)
    vecs = unit_rows(embedder.embed([off.text, *(ctx.text[s.start : s.end] for s in sentences)]))
    best = sentences[int(np.argmax(vecs[1:] @ vecs[0]))]
    return best.start, best.end


def llm_voice(ctx: CheckContext, llm: LLM | None, prompts: Prompts | None) -> int | None:
    """A second opinion on the voice from an instruction-following LLM, if configured."""
    if llm is None or getattr(llm, "style", "completion") != "chat" or prompts is None:
        return None
    rule = ctx.rules.voice
    voice = ctx.profile.voice
    try:
        rendered = prompts.render(
            "voice_check.j2",
            "chat",
            brand_name=ctx.profile.name,
            adjectives=rule.adjectives if rule else [],
            voice_reason=(rule.reason if rule else "") or "",
            on_examples=[e.text for e in voice.on_examples[:8]],
            off_examples=[{"text": e.text, "why": e.why} for e in voice.off_examples[:8]],
            text=ctx.text,
        )
        raw = llm.complete(rendered, GenParams(max_tokens=200, temperature=0.0))
        m = re.search(r"\{.*\}", raw, re.DOTALL)
        data = json.loads(m.group()) if m else {}
        score = int(data["score"])
    except Exception as e:  # a judge that fails must not break the check
        ctx.notices.append(f"the LLM voice judgement failed ({type(e).__name__}); embeddings only")
        return None
    issues = data.get("issues")
    for issue in issues[:3] if isinstance(issues, list) else []:
        quote = str(issue.get("quote", "")) if isinstance(issue, dict) else ""
        why = str(issue.get("why", "")) if isinstance(issue, dict) else ""
        if quote and why and quote in ctx.text:
            ctx.notices.append(f"LLM on voice: “{quote}”: {why}")
    return max(0, min(100, score))
