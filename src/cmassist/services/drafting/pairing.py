"""A post's other-language version, where the brand's guidelines require French and English
versions on its platform (`pairs.pair_rules`): written from the chosen draft with pair.j2 and
the brand's past pairs, kept only when it says the same thing (`pairs.pair_check`), checked
as any post, and attached to the draft (`Draft.pair`)."""

from __future__ import annotations

import random
import time
import zlib

from cmassist.config import Settings
from cmassist.domain.errors import CmassistError
from cmassist.domain.models import Draft, PromptRef
from cmassist.domain.platforms import count_chars, get_platform
from cmassist.services.checking.checker import Checker
from cmassist.services.drafting.context import DraftContext
from cmassist.services.drafting.pairs import pair_check, pair_vars, partner_language, past_pairs
from cmassist.services.drafting.postprocess import clean_generation, fit_to_platform, platform_limit
from cmassist.services.ports.models import LLM, GenParams, Prompts, Usage
from cmassist.services.ports.store import Store

PAIR_TRIES = 2
PAIR_STOPS = ["###", "\nFacts:", "\nFrançais:", "\nEnglish:", "<end_of_turn>"]


class PairWriter:
    """Writes the other-language version of a chosen post draft."""

    def __init__(
        self,
        store: Store,
        llm: LLM,
        prompts: Prompts,
        checker: Checker | None,
        settings: Settings,
    ) -> None:
        self.store = store
        self.llm = llm
        self.prompts = prompts
        self.checker = checker
        self.settings = settings

    def pair(self, draft: Draft, ctx: DraftContext) -> Draft | None:
        """The version of `draft` in the other language, the first of up to PAIR_TRIES that
        passes the pair check; None (and a note on `draft` saying why) when none does."""
        if not draft.platform or not draft.text:
            return None
        platform = get_platform(draft.platform)
        other = partner_language(draft.language)
        examples = past_pairs(self.store, ctx.brand, platform.key, draft.language, draft.text)
        variables = pair_vars(
            draft.text,
            draft.language,
            examples,
            ctx.sheet,
            brand_name=ctx.brand_name,
            platform_name=platform.name,
        )
        prompt = self.prompts.render("pair.j2", self.llm.style, **variables)
        params = GenParams(
            max_tokens=platform.max_new_tokens,
            temperature=min(self.settings.llm_temperature, 0.7),
            stop=list(PAIR_STOPS),
        )
        # Its own seeds: the pair leaves the other drafts' candidates as they were.
        rng = random.Random(zlib.crc32(draft.text.encode()))
        problems: list[str] = []
        started = time.perf_counter()
        usage = Usage()
        for _try in range(PAIR_TRIES):
            params.seed = rng.randrange(2**31)
            notes: list[str] = []
            text = clean_generation(self.llm.complete(prompt, params, usage))
            if not text:
                problems = ["the model returned no text"]
                continue
            text = fit_to_platform(text, platform, ctx.rules, notes)
            fr, en = (draft.text, text) if draft.language == "fr" else (text, draft.text)
            verdict = pair_check(fr, en, ctx.sheet)
            if not verdict.ok:
                problems = verdict.problems
                continue
            pair = Draft(
                kind="post",
                text=text,
                platform=platform.key,
                language=other,
                brand=ctx.brand,
                variant=draft.variant,
                backend=self.llm.backend,
                model=self.llm.model_name,
                prompt=PromptRef(template=prompt.template, sha256=prompt.sha256),
                length=count_chars(text, platform),
                limit=platform_limit(platform, ctx.rules),
                notes=notes,
                elapsed_s=round(time.perf_counter() - started, 3),
                tokens=usage.completion_tokens,
                why=[f"the {other} version the guidelines require: same facts as the draft"],
            )
            self._check(pair)
            return pair
        draft.notes.append(
            f"no {other} version said the same as the draft ({'; '.join(problems[:3])}):"
            " the guidelines ask for both, write it yourself"
        )
        return None

    def _check(self, pair: Draft) -> None:
        if self.checker is None:
            return
        try:
            pair.check = self.checker.check(
                pair.text,
                platform=pair.platform,
                brand=pair.brand,
                kind="post",
                language=pair.language,
            ).public()
        except CmassistError as e:
            pair.notes.append(f"the tone and compliance check failed: {e}")
