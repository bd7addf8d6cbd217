"""The optional LLM briefing: checked bullets or the extractive fallback, never an error.

Every test talks to a scripted OpenAI-compatible stub on 127.0.0.1 (tests/helpers/llm_stub.py).
The article is synthetic, written for these tests, with the traps real pages have: curly quotes,
thousands separators, numbers in words, possessives and a name that differs by one word.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from bot.errors import AnswerError
from bot.llm.briefer import LLMBriefer, verify_bullets
from bot.llm.budget import DailyBudget
from bot.llm.client import retry_after_seconds
from bot.llm.language import article_language, wrong_language
from bot.llm.prompt import build_prompt
from bot.llm.verify import parse_answer
from bot.messages import say
from bot.models import Briefing, ErrorKind, Failure, Quote
from bot.text import guess_language
from config import Settings
from tests.helpers.llm_stub import LLMStub
from tests.helpers.paths import SEED, needs_shared

CHECKED = say("briefing.llm_method", model="test-model")  # the footer label of a checked briefing

API_KEY = "sk-test-7f3a9c0d1e2b-secret"

HEADLINE = "Riverside council approves flood barrier after months of delay"
PARAGRAPHS = [
    "Riverside City Council voted 7-2 on Tuesday to build a £4.5 million flood barrier along "
    "the Mill Lane embankment, ending a dispute that has divided the town since last winter's "
    "floods.",
    "The barrier, a 1,200-metre wall of steel and concrete, is due to be finished by March "
    "2027, according to the council's engineering report.",
    "“We have waited long enough, and the river will not wait for us,” said council leader "
    "Amira Okafor, who proposed the scheme.",
    "Opponents argued that the cost would fall on residents. “This is the wrong wall in the "
    "wrong place,” said Daniel Whitcombe, who chairs the Mill Lane Residents’ Association. He "
    "said about 300 households had signed a petition against it.",
    "The Environment Agency estimates that three of every ten homes in the valley are at risk "
    "of flooding in a severe storm.",
    "Okafor said the council would borrow part of the money and seek a government grant for "
    "the rest. “Nobody here wants higher bills, but nobody wants water in their kitchen "
    "either,” she said.",
    "Work is expected to start in the spring, the council said.",
]
QUOTES = [
    Quote("We have waited long enough, and the river will not wait for us", "Amira Okafor", 2),
    Quote("This is the wrong wall in the wrong place", "Daniel Whitcombe", 3),
    Quote(
        "Nobody here wants higher bills, but nobody wants water in their kitchen either",
        "Amira Okafor",
        5,
    ),
]
EXTRACTIVE_BULLETS = [PARAGRAPHS[0], PARAGRAPHS[1], PARAGRAPHS[4]]

GOOD_BULLETS = [
    "Riverside City Council voted 7-2 to build a £4.5 million flood barrier along the Mill "
    "Lane embankment.",
    "The 1200-metre steel and concrete wall is due to be finished by March 2027.",
    'Council leader Amira Okafor said "the river will not wait for us".',
    "About 300 households signed a petition against the scheme, said Daniel Whitcombe of the "
    "Mill Lane Residents' Association.",
]
INVENTED_QUOTE = 'Okafor said "the barrier will protect every home in Riverside".'
WRONG_NAME = "Council leader Sarah Okafor proposed the scheme."
WRONG_NUMBER = "About 400 households signed a petition against the barrier."


def make_briefing(**changes: object) -> Briefing:
    briefing = Briefing(
        source="https://news.example/riverside-barrier",
        url="https://news.example/riverside-barrier",
        headline=HEADLINE,
        language="en",
        paragraphs=list(PARAGRAPHS),
        quotes=[Quote(q.text, q.speaker, q.paragraph) for q in QUOTES],
        briefing=list(EXTRACTIVE_BULLETS),
    )
    for name, value in changes.items():
        setattr(briefing, name, value)
    return briefing


def make_settings(stub: LLMStub | None, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "llm_base_url": stub.base_url if stub else None,
        "llm_model": "test-model",
        "llm_api_key": API_KEY,
        "llm_max_tokens": 321,
        "llm_temperature": 0.1,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[arg-type]


@pytest.fixture
async def stub() -> AsyncIterator[LLMStub]:
    async with LLMStub() as server:
        yield server


@pytest.fixture
async def briefer(stub: LLMStub) -> AsyncIterator[LLMBriefer]:
    instance = LLMBriefer(make_settings(stub))
    yield instance
    await instance.aclose()


# --- switched off --------------------------------------------------------------------------


@pytest.mark.parametrize("missing", ["llm_base_url", "llm_model"])
async def test_disabled_returns_input_without_request(stub: LLMStub, missing: str) -> None:
    settings = make_settings(stub, **{missing: None})
    assert not settings.llm_enabled
    briefer = LLMBriefer(settings)
    briefing = make_briefing()
    result = await briefer.improve(briefing)
    await briefer.aclose()
    assert result is briefing
    assert result.briefing_method == "extractive"
    assert stub.requests == []


async def test_failed_briefing_is_not_sent(stub: LLMStub, briefer: LLMBriefer) -> None:
    failed = Briefing.failed("x", Failure(ErrorKind.NOT_ARTICLE, "No article text."))
    assert await briefer.improve(failed) is failed
    assert stub.requests == []


# --- good answers --------------------------------------------------------------------------


async def test_good_answer_is_used_with_key_quotes_first(
    stub: LLMStub, briefer: LLMBriefer
) -> None:
    stub.reply_json({"bullets": GOOD_BULLETS, "key_quotes": [3, 1, 2]})
    briefing = make_briefing()
    result = await briefer.improve(briefing, guild_id=42)
    assert result is not briefing
    assert result.briefing == GOOD_BULLETS
    assert result.briefing_method == CHECKED
    assert [q.text for q in result.quotes] == [QUOTES[2].text, QUOTES[0].text, QUOTES[1].text]
    assert result.headline == HEADLINE and result.paragraphs == PARAGRAPHS
    # the input is left alone (the cache may hold it)
    assert briefing.briefing == EXTRACTIVE_BULLETS
    assert briefing.briefing_method == "extractive"


async def test_partial_key_quotes_keep_the_rest_in_order(
    stub: LLMStub, briefer: LLMBriefer
) -> None:
    stub.reply_json({"bullets": GOOD_BULLETS, "key_quotes": [2, 99]})
    result = await briefer.improve(make_briefing())
    assert result.briefing_method == CHECKED
    assert [q.speaker for q in result.quotes] == [
        "Daniel Whitcombe",
        "Amira Okafor",
        "Amira Okafor",
    ]
    assert result.quotes[1].text == QUOTES[0].text


async def test_fenced_reply_is_accepted(stub: LLMStub, briefer: LLMBriefer) -> None:
    answer = json.dumps({"bullets": GOOD_BULLETS[:3], "key_quotes": [1]})
    stub.reply(f"Here is the briefing:\n```json\n{answer}\n```\n")
    result = await briefer.improve(make_briefing())
    assert result.briefing == GOOD_BULLETS[:3]
    assert result.briefing_method == CHECKED


async def test_more_than_five_bullets_are_capped(stub: LLMStub, briefer: LLMBriefer) -> None:
    extra = ["Work is expected to start in the spring.", "The vote was 7-2."]
    stub.reply_json({"bullets": [*GOOD_BULLETS, *extra], "key_quotes": []})
    result = await briefer.improve(make_briefing())
    assert result.briefing == [*GOOD_BULLETS, extra[0]]


async def test_bullets_are_fitted_to_the_briefing_size(stub: LLMStub) -> None:
    limit = len("\n".join(GOOD_BULLETS[:3]))
    briefer = LLMBriefer(make_settings(stub, briefing_max_chars=limit))
    stub.reply_json({"bullets": GOOD_BULLETS, "key_quotes": [1]})
    result = await briefer.improve(make_briefing())
    assert result.briefing == GOOD_BULLETS[:3]
    assert f"{limit} characters" in stub.requests[0].payload["messages"][0]["content"]

    stub.reply_json({"bullets": GOOD_BULLETS, "key_quotes": [1]})
    too_small = LLMBriefer(make_settings(stub, briefing_max_chars=limit - 1))
    outcome = await too_small.run(make_briefing())
    assert outcome.fallback_reason == f"checked bullets do not fit in {limit - 1} characters"
    await briefer.aclose()
    await too_small.aclose()


# --- bullets that fail the checks -------------------------------------------------------------


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        (INVENTED_QUOTE, "quote not in the article"),
        (WRONG_NAME, "name not in the article: 'Sarah Okafor'"),
        (WRONG_NUMBER, "number not in the article: '400'"),
    ],
)
async def test_bad_bullet_is_dropped_and_logged(
    stub: LLMStub,
    briefer: LLMBriefer,
    caplog: pytest.LogCaptureFixture,
    bad: str,
    reason: str,
) -> None:
    caplog.set_level(logging.INFO, logger="bot.llm.briefer")
    stub.reply_json({"bullets": [GOOD_BULLETS[0], bad, *GOOD_BULLETS[1:]], "key_quotes": [1]})
    result = await briefer.improve(make_briefing())
    assert result.briefing == GOOD_BULLETS
    assert bad not in result.briefing
    assert result.briefing_method == CHECKED
    assert reason in caplog.text


async def test_too_few_checked_bullets_fall_back(
    stub: LLMStub, briefer: LLMBriefer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bot.llm.briefer")
    bullets = [GOOD_BULLETS[0], INVENTED_QUOTE, WRONG_NAME, GOOD_BULLETS[1]]
    stub.reply_json({"bullets": bullets, "key_quotes": [3, 1, 2]})
    briefing = make_briefing()
    result = await briefer.improve(briefing)
    assert result is briefing
    assert result.briefing == EXTRACTIVE_BULLETS
    assert result.briefing_method == "extractive"
    assert [q.text for q in result.quotes] == [q.text for q in QUOTES]
    assert "only 2 of 4 bullets passed" in caplog.text


async def test_answer_in_wrong_language_falls_back(stub: LLMStub, briefer: LLMBriefer) -> None:
    german = [
        "Der Stadtrat von Riverside hat mit 7 zu 2 Stimmen für eine Flutmauer gestimmt.",
        "Die Mauer ist 1200 Meter lang und soll bis März 2027 fertig sein.",
        "Die Anwohner sagen, dass die Kosten bei ihnen landen werden.",
    ]
    stub.reply_json({"bullets": german, "key_quotes": [1, 2, 3]})
    result = await briefer.run(make_briefing())
    assert result.method == "extractive"
    assert result.fallback_reason == "answer is in de, the article in en"
    assert result.bullets == EXTRACTIVE_BULLETS


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ('{"bullets": ["Riverside City Council voted 7-2",', "answer is not valid JSON"),
        ("", "empty answer"),
        (None, "empty answer"),
        ('{"summary": "The council voted."}', "answer has no 'bullets' list"),
        ('["a", "b", "c"]', "answer is not a JSON object"),
    ],
)
async def test_unusable_answer_falls_back(
    stub: LLMStub, briefer: LLMBriefer, content: str | None, reason: str
) -> None:
    stub.reply(content)
    briefing = make_briefing()
    result = await briefer.run(briefing)
    assert result.fallback_reason == reason
    assert result.method == "extractive"
    stub.reply(content)
    assert await briefer.improve(briefing) is briefing


async def test_malformed_response_body_falls_back(stub: LLMStub, briefer: LLMBriefer) -> None:
    stub.reply(body="<html>gateway</html>")
    result = await briefer.run(make_briefing())
    assert result.fallback_reason == "malformed response body"


# --- transport: timeouts, retries, errors ------------------------------------------------------


async def test_timeout_falls_back(stub: LLMStub) -> None:
    briefer = LLMBriefer(make_settings(stub, llm_timeout=0.2))
    stub.reply_json({"bullets": GOOD_BULLETS, "key_quotes": [1]}, delay=30)
    briefing = make_briefing()
    result = await briefer.run(briefing)
    assert result.method == "extractive"
    assert result.fallback_reason == "no answer within 0.2s"
    await briefer.aclose()


async def test_429_then_success_is_retried(stub: LLMStub, briefer: LLMBriefer) -> None:
    stub.reply(status=429, Retry_After="0")
    stub.reply_json({"bullets": GOOD_BULLETS, "key_quotes": [1, 2, 3]})
    result = await briefer.improve(make_briefing())
    assert result.briefing == GOOD_BULLETS
    assert result.briefing_method == CHECKED
    assert len(stub.requests) == 2


async def test_long_retry_after_falls_back_without_retry(
    stub: LLMStub, briefer: LLMBriefer
) -> None:
    stub.reply(status=429, Retry_After="3600")
    stub.reply_json({"bullets": GOOD_BULLETS, "key_quotes": [1]})
    result = await briefer.run(make_briefing())
    assert result.fallback_reason == "HTTP 429; retry after 3600s is too late"
    assert len(stub.requests) == 1


async def test_two_server_errors_fall_back_after_one_retry(
    stub: LLMStub, briefer: LLMBriefer
) -> None:
    stub.reply(status=503, Retry_After="0")
    stub.reply(status=502, Retry_After="0")
    stub.reply_json({"bullets": GOOD_BULLETS, "key_quotes": [1]})
    result = await briefer.run(make_briefing())
    assert result.fallback_reason == "HTTP 502"
    assert len(stub.requests) == 2


async def test_client_error_is_not_retried(stub: LLMStub, briefer: LLMBriefer) -> None:
    stub.reply(status=404)
    stub.reply_json({"bullets": GOOD_BULLETS, "key_quotes": [1]})
    result = await briefer.run(make_briefing())
    assert result.fallback_reason == "HTTP 404"
    assert len(stub.requests) == 1


async def test_server_rejecting_json_mode_is_asked_again_without_it(
    stub: LLMStub, briefer: LLMBriefer
) -> None:
    stub.reply(status=400, body='{"error": "response_format is not supported"}')
    stub.reply_json({"bullets": GOOD_BULLETS, "key_quotes": [1]})
    result = await briefer.improve(make_briefing())
    assert result.briefing_method == CHECKED
    assert "response_format" in stub.requests[0].payload
    assert "response_format" not in stub.requests[1].payload


async def test_unreachable_server_falls_back() -> None:
    settings = make_settings(None, llm_base_url="http://127.0.0.1:9/v1")  # discard port
    briefer = LLMBriefer(settings)
    briefing = make_briefing()
    result = await briefer.run(briefing)
    assert result.method == "extractive"
    assert result.fallback_reason is not None
    assert result.fallback_reason.startswith("request failed")
    await briefer.aclose()


# --- budget ------------------------------------------------------------------------------------


async def test_budget_spent_falls_back_without_request(stub: LLMStub) -> None:
    now = [datetime(2026, 11, 27, 23, 50, tzinfo=UTC)]
    briefer = LLMBriefer(make_settings(stub, llm_daily_budget=1), clock=lambda: now[0])
    for _ in range(3):
        stub.reply_json({"bullets": GOOD_BULLETS, "key_quotes": [1]})

    first = await briefer.improve(make_briefing(), guild_id=1)
    assert first.briefing_method == CHECKED
    second = await briefer.run(make_briefing(), guild_id=1)
    assert second.fallback_reason == "daily LLM budget spent for this server"
    assert len(stub.requests) == 1

    other_guild = await briefer.improve(make_briefing(), guild_id=2)
    assert other_guild.briefing_method == CHECKED
    assert len(stub.requests) == 2

    now[0] += timedelta(minutes=15)  # a new UTC day
    next_day = await briefer.improve(make_briefing(), guild_id=1)
    assert next_day.briefing_method == CHECKED
    assert len(stub.requests) == 3
    await briefer.aclose()


def test_budget_snapshot_restores_same_day_only() -> None:
    now = [datetime(2026, 11, 27, 12, 0, tzinfo=UTC)]
    budget = DailyBudget(2, clock=lambda: now[0])
    assert budget.try_spend(5) and budget.try_spend(5)
    assert not budget.try_spend(5)
    saved = budget.snapshot()

    restored = DailyBudget(2, clock=lambda: now[0])
    restored.restore(saved)
    assert restored.remaining(5) == 0 and restored.remaining(6) == 2

    now[0] += timedelta(days=1)
    tomorrow = DailyBudget(2, clock=lambda: now[0])
    tomorrow.restore(saved)
    assert tomorrow.remaining(5) == 2


# --- the request ---------------------------------------------------------------------------


async def test_request_payload(stub: LLMStub, briefer: LLMBriefer) -> None:
    stub.reply_json({"bullets": GOOD_BULLETS, "key_quotes": [1]})
    await briefer.improve(make_briefing())
    (request,) = stub.requests
    payload = request.payload
    assert payload["model"] == "test-model"
    assert payload["response_format"] == {"type": "json_object"}
    assert payload["max_tokens"] == 321
    assert payload["temperature"] == 0.1
    system, user = payload["messages"]
    assert system["role"] == "system" and user["role"] == "user"
    assert "Do not write new quotations" in system["content"]
    assert "English" in system["content"]
    assert PARAGRAPHS[0] in user["content"]
    assert HEADLINE in user["content"]
    for quote_id, quote in enumerate(QUOTES, start=1):
        assert f'[{quote_id}] {quote.speaker}: "{quote.text}"' in user["content"]


async def test_long_article_is_trimmed_from_the_end(stub: LLMStub) -> None:
    filler = [
        f"Paragraph {n} of the council minutes records another round of discussion about "
        "drainage, hedgerows, insurance premiums and the timetable for the contractors."
        for n in range(2, 60)
    ]
    ending = "FINAL-PARAGRAPH-MARKER: the meeting closed late in the evening."
    paragraphs = [PARAGRAPHS[0], *filler, ending]
    briefer = LLMBriefer(make_settings(stub), token_budget=500)
    stub.reply_json({"bullets": GOOD_BULLETS, "key_quotes": [1]})
    await briefer.improve(make_briefing(paragraphs=paragraphs))
    content = stub.requests[0].payload["messages"][1]["content"]
    assert PARAGRAPHS[0] in content
    assert "FINAL-PARAGRAPH-MARKER" not in content
    assert "[1] Amira Okafor" in content
    assert len(content) <= 500 * 4 + 200
    await briefer.aclose()


def test_oversized_lede_is_cut_at_a_word() -> None:
    lede = "word " * 2000
    prompt = build_prompt(make_briefing(paragraphs=[lede.strip()], quotes=[]), "en", 200)
    user = prompt.messages[1]["content"]
    assert "word word" in user
    assert len(user) < 200 * 4 + 300
    assert prompt.truncated


async def test_api_key_is_sent_as_bearer_and_never_logged(
    stub: LLMStub, briefer: LLMBriefer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    stub.reply_json({"bullets": GOOD_BULLETS, "key_quotes": [1]})
    # an error body that echoes the key, as some providers do
    stub.reply(status=401, body=json.dumps({"error": f"Incorrect API key provided: {API_KEY}"}))
    stub.reply_json({"bullets": [INVENTED_QUOTE, WRONG_NAME, WRONG_NUMBER], "key_quotes": [1]})
    for _ in range(3):
        await briefer.improve(make_briefing())
    assert [r.headers["Authorization"] for r in stub.requests] == [f"Bearer {API_KEY}"] * 3
    assert "HTTP 401" in caplog.text
    assert API_KEY not in caplog.text
    assert API_KEY not in repr(briefer.settings)


async def test_no_key_sends_no_authorization(stub: LLMStub) -> None:
    briefer = LLMBriefer(make_settings(stub, llm_api_key=None))
    stub.reply_json({"bullets": GOOD_BULLETS, "key_quotes": [1]})
    await briefer.improve(make_briefing())
    assert "Authorization" not in stub.requests[0].headers
    await briefer.aclose()


# --- the checks on their own ---------------------------------------------------------------

ARTICLE = "\n".join([HEADLINE, *PARAGRAPHS])


@pytest.mark.parametrize(
    "bullet",
    [
        "The wall will be 1200 metres long.",  # "1,200" in the article
        "The council will borrow part of £4,500,000, Okafor said.",  # "£4.5 million"
        "Three in ten homes in the valley are at risk, the Environment Agency says.",
        "Whitcombe called it ‘the wrong wall in the wrong place’.",
        "“Nobody here wants higher bills,” Okafor said.",
        "Okafor’s scheme won 7 votes on Tuesday.",
        "The council’s report says work is due to finish by March 2027.",
        'Okafor said they had "waited long enough … the river will not wait".',
        "Many residents fear the cost will fall on them.",  # sentence-initial word
        "Okafor's Riverside City Council backed the barrier.",  # a possessive ends a name
        "Engineers expect the wall to be finished by March 2027.",  # "engineering"
        "Ms Okafor proposed the scheme.",
        "Council Leader Amira Okafor proposed the scheme.",  # "council leader Amira Okafor"
        "The Mill Lane Embankment will carry the barrier.",  # "Mill Lane embankment"
    ],
)
def test_faithful_bullets_pass(bullet: str) -> None:
    assert verify_bullets([bullet], ARTICLE) == ([bullet], [])


@pytest.mark.parametrize(
    ("bullet", "reason"),
    [
        ('Okafor said "we have waited too long".', "quote not in the article"),
        ("Whitcombe said it was “the right wall in the wrong place”.", "quote not in the article"),
        ("Mayor John Smith opposed the scheme.", "name not in the article"),
        ("Okafor and Daniel Okafor backed it.", "name not in the article: 'Daniel Okafor'"),
        ("The vote was held on Wednesday.", "name not in the article: 'Wednesday'"),
        ("Dr Amira Okafor proposed the scheme.", "name not in the article: 'Dr Amira Okafor'"),
        ("Hansen said the plan was too expensive.", "name not in the article: 'Hansen'"),
        ("Mayor Okafor proposed the scheme.", "name not in the article: 'Mayor Okafor'"),
        (
            "Homes in the Riverside Valley are at risk.",
            "name not in the article: 'Riverside Valley'",
        ),
        ("The barrier will cost £5.4 million.", "number not in the article: '5.4 million'"),
        ("The wall is 1,300 metres long.", "number not in the article: '1,300'"),
        ("Four in ten homes are at risk.", "number not in the article: 'Four'"),
        ('Okafor said "we have waited long enough.', "unbalanced quotation marks"),
    ],
)
def test_unfaithful_bullets_fail(bullet: str, reason: str) -> None:
    kept, reasons = verify_bullets([bullet], ARTICLE)
    assert kept == []
    assert reasons[0].startswith(reason)


def test_parse_answer_keeps_known_quote_ids_only() -> None:
    answer = parse_answer('{"bullets": ["- One.", " Two. "], "key_quotes": [2, "3", 9, 2]}', {2, 3})
    assert answer.bullets == ["One.", "Two."]
    assert answer.key_quote_ids == [2, 3]
    assert answer.problems == ["unknown quote id 9"]
    with pytest.raises(AnswerError):
        parse_answer("<think>I should answer in JSON.</think>", {1})
    lenient = parse_answer(
        # a raw newline inside a JSON string, a reasoning block and the other key name
        '<think>ok</think>{"bullets": "• One.\n• Two.", "key_quote_ids": [1]}',
        {1},
    )
    assert lenient.bullets == ["One.", "Two."]
    assert lenient.key_quote_ids == [1]


def test_language_detection() -> None:
    assert guess_language(ARTICLE) == "en"
    french = "Le conseil a voté pour la construction d'un mur, selon le rapport des ingénieurs."
    assert wrong_language(french + " " + french, "en") == "fr"
    assert wrong_language(" ".join(GOOD_BULLETS), "en") is None
    assert wrong_language("Too short to tell.", "en") is None
    assert article_language(ARTICLE, "de-DE") == "en"  # the text beats a site-wide declaration
    assert article_language(ARTICLE, "pl") == "en"  # the text is English, whatever is declared
    assert article_language("Too short.", "en-GB") == "en"
    assert wrong_language(" ".join(GOOD_BULLETS), "pl") is None


def test_retry_after_parsing() -> None:
    now = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
    assert retry_after_seconds("2") == 2.0
    assert retry_after_seconds("Fri, 27 Nov 2026 12:00:30 GMT", now) == 30.0
    assert retry_after_seconds("soon") is None
    assert retry_after_seconds(None) is None


# --- another language ----------------------------------------------------------------------

GERMAN_PARAGRAPHS = [
    "Der Stadtrat von Lindenau hat am Mittwoch mit 21 zu 9 Stimmen beschlossen, bis 2028 "
    "insgesamt 14 Kilometer neue Radwege zu bauen.",
    "„Wir wollen, dass Kinder sicher zur Schule fahren können“, sagte Bürgermeisterin Katrin "
    "Albers nach der Sitzung.",
    "Die Kosten von rund 3,2 Millionen Euro sollen zum Teil vom Land getragen werden. Der "
    "Verband der Einzelhändler kritisierte, dass dafür 120 Parkplätze wegfallen.",
]
GERMAN_BULLETS = [
    "Der Stadtrat von Lindenau hat mit 21 zu 9 Stimmen neue Radwege beschlossen.",
    "Bis 2028 sollen 14 Kilometer Radwege entstehen.",
    "Die Kosten liegen bei rund 3,2 Millionen Euro.",
    "Händler kritisieren den Wegfall von 120 Parkplätzen.",
    "Bürgermeister Thomas Albers lobte den Plan.",  # wrong first name: dropped
]


def german_briefing() -> Briefing:
    return make_briefing(
        headline="Stadtrat beschließt neue Radwege",
        language="de",
        paragraphs=list(GERMAN_PARAGRAPHS),
        quotes=[
            Quote("Wir wollen, dass Kinder sicher zur Schule fahren können", "Katrin Albers", 1)
        ],
        briefing=GERMAN_PARAGRAPHS[:2],
    )


async def test_german_article_gets_checked_german_bullets(
    stub: LLMStub, briefer: LLMBriefer
) -> None:
    stub.reply_json({"bullets": GERMAN_BULLETS, "key_quotes": [1]})
    result = await briefer.improve(german_briefing())
    assert result.briefing == GERMAN_BULLETS[:4]
    assert result.briefing_method == CHECKED
    assert "German" in stub.requests[0].payload["messages"][0]["content"]


async def test_english_answer_to_german_article_falls_back(
    stub: LLMStub, briefer: LLMBriefer
) -> None:
    english = [
        "The Lindenau council voted 21 to 9 for new cycle lanes.",
        "By 2028 there will be 14 kilometres of new lanes, the council said.",
        "The cost of 3,2 million euros will partly be paid by the state.",
    ]
    stub.reply_json({"bullets": english, "key_quotes": [1]})
    stub.reply_json({"bullets": english, "key_quotes": [1]})
    briefing = german_briefing()
    result = await briefer.run(briefing)
    assert result.fallback_reason == "answer is in en, the article in de"
    assert await briefer.improve(briefing) is briefing
    assert len(stub.requests) == 2


# --- the seed story (real wire text with page debris), when ../shared is there ---------------


@needs_shared
def test_checks_on_the_seed_story() -> None:
    text = (SEED / "article.txt").read_text(encoding="utf-8")
    faithful = [
        'Russian Deputy Foreign Minister Sergei Ryabkov said "no progress" was made on Nato '
        "expansion.",
        "Wendy Sherman called the talks a “frank and forthright discussion”.",
        "Moscow has massed an estimated 100000 troops near Ukraine.",
        "Mr Ryabkov said Russia had “no intention to invade Ukraine”.",
    ]
    planted = [
        "Ms Sherman called the talks a “productive negotiation”.",
        "Moscow has massed an estimated 150,000 troops near Ukraine.",
        "Antony Blinken led the US delegation in Geneva.",
    ]
    kept, reasons = verify_bullets([*faithful, *planted], text)
    assert kept == faithful
    assert len(reasons) == len(planted)
