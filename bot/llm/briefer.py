"""Optional LLM briefings that cannot misquote: ask, check every bullet, else keep extractive.

Off unless `llm_base_url` and `llm_model` are set. The extractive briefing is always computed
first; the LLM may only replace it with bullets that pass the checks in `bot.llm_verify`, and
only when at least three pass. Anything else — disabled, budget spent, timeout, HTTP error,
bad JSON, wrong language, too few checked bullets — returns the input unchanged and logs why.
`improve` never raises: a journalist gets a briefing either way.
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass

import httpx

from bot.clock import Clock, utc_now
from bot.errors import AnswerError, LLMUnavailable
from bot.llm.budget import DailyBudget
from bot.llm.client import ChatClient
from bot.llm.language import article_language, wrong_language
from bot.llm.prompt import DEFAULT_TOKEN_BUDGET, build_prompt
from bot.llm.verify import MAX_BULLETS, MIN_BULLETS, parse_answer, verify_bullets
from bot.messages import say
from bot.models import Briefing, Quote
from config import Settings

__all__ = ["EXTRACTIVE", "LLMBriefer", "LLMResult", "verify_bullets"]

log = logging.getLogger(__name__)

EXTRACTIVE = "extractive"


@dataclass(slots=True)
class LLMResult:
    """What the LLM step decided: the bullets to show and which method produced them.

    `key_quote_ids` are indexes into `Briefing.quotes`, most important first.
    """

    bullets: list[str]
    key_quote_ids: list[int]
    method: str
    fallback_reason: str | None = None

    @property
    def used_llm(self) -> bool:
        return self.fallback_reason is None


class LLMBriefer:
    """Turns an extractive `Briefing` into a checked LLM one when it safely can.

    One per process: it owns the HTTP client and the per-server daily budget.
    """

    def __init__(
        self,
        settings: Settings,
        *,
        client: httpx.AsyncClient | None = None,
        clock: Clock = utc_now,
        token_budget: int = DEFAULT_TOKEN_BUDGET,
    ) -> None:
        self.settings = settings
        self.enabled = settings.llm_enabled
        self.model = settings.llm_model or ""
        self.token_budget = token_budget
        self.budget = DailyBudget(settings.llm_daily_budget, clock)
        self._chat = ChatClient(settings, client=client) if self.enabled else None

    @property
    def method(self) -> str:
        """The footer label for a checked LLM briefing."""
        return say("briefing.llm_method", model=self.model)

    async def improve(self, briefing: Briefing, *, guild_id: int | None = None) -> Briefing:
        """A new Briefing with checked LLM bullets and key quotes first, or the input unchanged."""
        result = await self.run(briefing, guild_id=guild_id)
        if not result.used_llm:
            return briefing
        return apply_result(briefing, result)

    async def run(self, briefing: Briefing, *, guild_id: int | None = None) -> LLMResult:
        """Decide the bullets for one briefing; never raises."""
        try:
            return await self._run(briefing, guild_id)
        except Exception as error:  # the fallback must hold even for our own bugs
            log.exception("LLM briefing failed unexpectedly")
            return _fallback(briefing, f"unexpected error ({type(error).__name__})")

    async def _run(self, briefing: Briefing, guild_id: int | None) -> LLMResult:
        if self._chat is None:
            return _fallback(briefing, "LLM briefings are off", quiet=True)
        if not briefing.ok or not briefing.paragraphs:
            return _fallback(briefing, "no article text", quiet=True)
        if not self.budget.try_spend(guild_id):
            return _fallback(briefing, "daily LLM budget spent for this server")

        language = article_language(briefing.text, briefing.language)
        prompt = build_prompt(
            briefing, language, self.token_budget, max_chars=self.settings.briefing_max_chars
        )
        try:
            content = await self._chat.complete(prompt.messages)
            answer = parse_answer(content, set(prompt.quote_ids))
        except (LLMUnavailable, AnswerError) as error:
            reason = error.reason if isinstance(error, LLMUnavailable) else str(error)
            return _fallback(briefing, reason)

        other = wrong_language(" ".join(answer.bullets), language)
        if other:
            return _fallback(briefing, f"answer is in {other}, the article in {language}")
        reference = "\n".join([briefing.headline or "", briefing.text])
        kept, reasons = verify_bullets(answer.bullets, reference, language=language)
        for reason in [*answer.problems, *reasons]:
            log.info("LLM bullet check (%s): %s", briefing.source, reason)
        if len(kept) < MIN_BULLETS:
            return _fallback(briefing, f"only {len(kept)} of {len(answer.bullets)} bullets passed")
        bullets = fit_bullets(kept[:MAX_BULLETS], self.settings.briefing_max_chars)
        if len(bullets) < MIN_BULLETS:
            limit = self.settings.briefing_max_chars
            return _fallback(briefing, f"checked bullets do not fit in {limit} characters")
        key_ids = [prompt.quote_ids[i] for i in answer.key_quote_ids]
        return LLMResult(bullets=bullets, key_quote_ids=key_ids, method=self.method)

    async def aclose(self) -> None:
        if self._chat is not None:
            await self._chat.aclose()


def fit_bullets(bullets: list[str], max_chars: int) -> list[str]:
    """The leading bullets whose total (newlines included) fits the extractive briefing's size.

    The embed is laid out for `briefing_max_chars`; an LLM briefing gets the same room.
    """
    kept: list[str] = []
    total = -1
    for bullet in bullets:
        total += len(bullet) + 1
        if total > max_chars:
            break
        kept.append(bullet)
    return kept


def apply_result(briefing: Briefing, result: LLMResult) -> Briefing:
    """A copy of the briefing with the result's bullets, its key quotes first, and its label."""
    key_ids = [i for i in result.key_quote_ids if 0 <= i < len(briefing.quotes)]
    key = [briefing.quotes[i] for i in key_ids]
    rest = [q for i, q in enumerate(briefing.quotes) if i not in key_ids]
    quotes: list[Quote] = [*key, *rest]
    return dataclasses.replace(
        briefing, briefing=list(result.bullets), quotes=quotes, briefing_method=result.method
    )


def _fallback(briefing: Briefing, reason: str, *, quiet: bool = False) -> LLMResult:
    if not quiet:
        log.info("LLM briefing not used for %s: %s", briefing.source, reason)
    return LLMResult(
        bullets=list(briefing.briefing),
        key_quote_ids=[],
        method=EXTRACTIVE,
        fallback_reason=reason,
    )
