"""What reporters attach or paste, and walls met in a channel, with the real bot against the fake
Discord (which serves attachments from its own CDN-like links): a saved page, a PDF written by the
test, a pasted article; a scan and an oversized file say why; a link behind a wall gets the site's
own preview, marked as such, and nothing of the wall reaches the reply."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
import pytest_asyncio

from bot.discord_app.client import NewsdeskBot
from bot.messages import say
from tests.helpers.article_server import PAGES, ArticleServer
from tests.helpers.fake_discord import EPHEMERAL, FakeDiscord, Recorded, bot_settings, running_bot
from tests.helpers.pdfs import PRESS_RELEASE_TITLE, long_report_pdf, press_release_pdf, scanned_pdf
from tests.helpers.walls import WALL_WORDS, page

pytestmark = pytest.mark.asyncio(loop_scope="module")

COUNCIL = "Harbourside council votes to close Mill Lane bridge to cars"
PASTED = "\n".join(
    [
        "Ferry crew strike called off after overnight talks",
        "",
        "A strike by ferry crews that would have halted the island crossing on Monday was "
        "called off late on Sunday after talks between the operator and the union ran "
        "through the night.",
        "",
        "The union said its members had accepted an offer of a 6 per cent pay rise this "
        "year and a further 4 per cent next year, along with two extra rest days for "
        "crews on the early shift.",
        "",
        "“Nobody wanted to strand passengers, but our members needed to be heard,” said "
        "Grace Adeyemi, the union's regional organiser. “Tonight they were.”",
        "",
        "The operator said all sailings would run as normal from 06:10 on Monday, and "
        "that tickets bought for cancelled replacement buses would be refunded "
        "automatically.",
        "",
    ]
)
CONSENT_CARD = {
    "type": "link",
    "title": "Port authority approves night dredging on the east channel",
    "description": "Residents of Quay Street say the work will keep them awake for three months.",
    "provider": {"name": "The Harbourline Herald"},
}


@dataclass
class World:
    fake: FakeDiscord
    pages: ArticleServer
    bot: NewsdeskBot

    async def reply_to(self, message: dict[str, Any]) -> Recorded:
        path = rf"/channels/{message['channel_id']}/messages"
        return await self.fake.wait_for("POST", path, where=_replying(message))

    async def private_answer(self, interaction: dict[str, Any]) -> dict[str, Any]:
        callback = await self.fake.wait_for("POST", self.fake.callback_path(interaction))
        assert callback.json == {"type": 5, "data": {"flags": EPHEMERAL}}  # private, deferred
        followup = await self.fake.wait_for("POST", self.fake.followup_path(interaction))
        return followup.json

    async def probe(self) -> None:
        """A link in a fresh auto channel, answered: whatever was posted before is handled."""
        channel = self.fake.channel()
        message = await self.fake.post_message(channel, self.pages.page_url("council-vote.html"))
        await self.reply_to(message)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def world(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[World]:
    pages = ArticleServer()
    pages.start()
    fake = FakeDiscord()
    await fake.start()
    database = tmp_path_factory.mktemp("attachments") / "newsdesk.sqlite3"
    settings = bot_settings(fake, database, pages.port, max_pdf_pages=5, max_pdf_bytes=400_000)
    try:
        async with running_bot(fake, settings) as bot:
            yield World(fake, pages, bot)
    finally:
        await fake.stop()
        pages.stop()


def _shown(payload: dict[str, Any]) -> str:
    """Everything a reader of this message sees, in one lower-case string."""
    parts = [payload.get("content") or ""]
    for embed in payload.get("embeds") or []:
        parts += [embed.get("title") or "", embed.get("description") or ""]
        parts += [(embed.get("author") or {}).get("name") or ""]
        parts += [f.get("value") or "" for f in embed.get("fields") or []]
    return "\n".join(parts).casefold()


async def test_an_attached_saved_page_is_briefed_in_auto_mode(world: World) -> None:
    fake, channel = world.fake, world.fake.channel()
    saved = fake.attachment(channel, "bridge.html", (PAGES / "council-vote.html").read_bytes())
    posted = await fake.post_message(channel, "", attachments=[saved])
    [embed] = (await world.reply_to(posted)).json["embeds"]
    assert embed["title"] == COUNCIL
    # The embed links back to where it was shared, never to a link the file's content claims.
    assert embed["url"].startswith(f"https://discord.com/channels/{fake.guild_id}/{channel}/")
    assert fake.downloads(saved) == 1


async def test_an_attached_pdf_is_briefed_with_its_source_in_the_footer(world: World) -> None:
    fake, channel = world.fake, world.fake.channel()
    pdf = fake.attachment(channel, "release.pdf", press_release_pdf(), "application/pdf")
    posted = await fake.post_message(channel, "statement from the harbour board", attachments=[pdf])
    [embed] = (await world.reply_to(posted)).json["embeds"]
    assert embed["title"] == PRESS_RELEASE_TITLE
    assert "text from the PDF" in embed["footer"]["text"]
    assert "Ruth Okonkwo-Baines" in embed["fields"][0]["value"]


async def test_a_pasted_article_is_briefed_and_chat_is_not(world: World) -> None:
    fake, channel = world.fake, world.fake.channel()
    posted = await fake.post_message(channel, PASTED)
    [embed] = (await world.reply_to(posted)).json["embeds"]
    assert embed["title"] == "Ferry crew strike called off after overnight talks"
    assert embed["description"].startswith("• A strike by ferry crews")
    assert "Grace Adeyemi" in embed["fields"][0]["value"]
    chat = await fake.post_message(channel, "Is anyone going to the council meeting tonight?")
    photo = fake.attachment(channel, "quay.png", b"\x89PNG\r\n\x1a\n", "image/png")
    pictured = await fake.post_message(channel, "", attachments=[photo])
    await world.probe()
    for ignored in (chat, pictured):
        assert fake.find("POST", rf"/channels/{channel}/messages", where=_replying(ignored)) == []
    assert fake.downloads(photo) == 0


async def test_brief_this_message_reads_files_and_says_why_one_failed(world: World) -> None:
    fake, channel = world.fake, world.fake.channel()
    await world.bot.store.set_mode(fake.guild_id, channel, "off")
    report = fake.attachment(channel, "inquiry.pdf", long_report_pdf(300), "application/pdf")
    scan = fake.attachment(channel, "letter.pdf", scanned_pdf(1), "application/pdf")
    notes = fake.attachment(channel, "notes.txt", PASTED.encode(), "text/plain; charset=utf-8")
    posted = await fake.post_message(channel, "", attachments=[report, scan, notes])
    interaction = await fake.message_command(say("brief.context_menu"), posted, user="bob")
    answer = await world.private_answer(interaction)
    titles = [e["title"] for e in answer["embeds"]]
    assert titles == [
        "Inquiry into the harbour wall collapse",
        "Ferry crew strike called off after overnight talks",
    ]
    assert "section 6 of the harbour wall" not in _shown(answer)  # 5 pages read, of 300
    assert answer["content"].startswith("I couldn't brief letter.pdf: This PDF has no text layer")


async def test_an_attachment_over_its_limit_is_never_downloaded(world: World) -> None:
    fake, channel = world.fake, world.fake.channel()
    await world.bot.store.set_mode(fake.guild_id, channel, "off")
    big = fake.attachment(channel, "budget.pdf", b"%PDF-1.7", "application/pdf", size=9_000_000)
    posted = await fake.post_message(channel, "", attachments=[big])
    interaction = await fake.message_command(say("brief.context_menu"), posted)
    answer = await world.private_answer(interaction)
    too_large = "I couldn't brief budget.pdf: The file is too large to read (over 400 KB)."
    assert answer["content"] == too_large
    assert fake.downloads(big) == 0


async def test_a_link_behind_a_consent_wall_gets_the_sites_own_preview(world: World) -> None:
    fake, channel = world.fake, world.fake.channel()
    await world.bot.store.set_mode(fake.guild_id, channel, "off")
    url = world.pages.add("/news/dredging", page("consent-tcf-en.html"))
    posted = await fake.post_message(channel, url, embeds=[{**CONSENT_CARD, "url": url}])
    interaction = await fake.message_command(say("brief.context_menu"), posted)
    answer = await world.private_answer(interaction)
    assert "cookie-consent page instead of the article" in answer["content"]
    [card] = answer["embeds"]
    assert card["title"] == CONSENT_CARD["title"] and card["url"] == url
    assert card["description"] == CONSENT_CARD["description"]
    assert card["author"]["name"] == "The Harbourline Herald"
    assert card["footer"]["text"] == say("preview.label")
    shown = _shown({"embeds": [card]})
    assert [w for w in WALL_WORDS if w in shown] == []


async def test_a_bot_check_behind_a_news_reaction_says_so_with_the_preview(world: World) -> None:
    fake, channel = world.fake, world.fake.channel()
    await world.bot.store.set_mode(fake.guild_id, channel, "react")
    url = world.pages.add(
        "/news/school-board",
        page("challenge-cloudflare.html"),
        status=403,
        cf_mitigated="challenge",
    )
    card = {"type": "link", "url": url, "title": "School board delays vote on four-day week"}
    posted = await fake.post_message(channel, f"see {url}", embeds=[card])
    await fake.wait_for("PUT", rf"/channels/{channel}/messages/{posted['id']}/reactions/.*")
    await fake.add_reaction(channel, posted["id"], "📰", user="bob")
    reply = (await world.reply_to(posted)).json
    assert "blocks automated readers: it answered 403" in reply["content"]
    assert [e["title"] for e in reply["embeds"]] == [card["title"]]
    assert reply["embeds"][0]["footer"]["text"] == say("preview.label")


async def test_an_auto_reply_stays_quiet_about_a_wall(world: World) -> None:
    fake, channel = world.fake, world.fake.channel()
    url = world.pages.add("/news/verify", page("challenge-captcha-200.html"))
    posted = await fake.post_message(channel, url, embeds=[{**CONSENT_CARD, "url": url}])
    await fake.wait_for("PUT", rf"/channels/{channel}/messages/{posted['id']}/reactions/.*")
    await world.probe()
    assert fake.find("POST", rf"/channels/{channel}/messages", where=_replying(posted)) == []


def _replying(message: dict[str, Any]):
    def check(request: Recorded) -> bool:
        reference = (request.json or {}).get("message_reference") or {}
        return str(reference.get("message_id")) == message["id"]

    return check
