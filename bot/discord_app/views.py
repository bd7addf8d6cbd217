"""The Delete button under every briefing the bot posts on its own.

The poster's id lives in the button's custom_id (`newsdesk:delete:<poster_id>`) and the button
is a `DynamicItem`, so buttons on old messages keep working after a restart: nothing is kept in
memory per message.
"""

from __future__ import annotations

import contextlib
import logging
from typing import Any, Final

import discord

from bot.messages import say

log = logging.getLogger(__name__)

CUSTOM_ID_PREFIX: Final = "newsdesk:delete:"


def may_delete(interaction: discord.Interaction[Any], poster_id: int) -> bool:
    """The poster of the link, or anyone who may manage messages in this channel."""
    return interaction.user.id == poster_id or interaction.permissions.manage_messages


class DeleteButton(
    discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]],
    template=r"newsdesk:delete:(?P<poster_id>[0-9]+)",
):
    def __init__(self, poster_id: int) -> None:
        super().__init__(
            discord.ui.Button(
                label=say("delete.label"),
                emoji="🗑️",
                style=discord.ButtonStyle.secondary,
                custom_id=f"{CUSTOM_ID_PREFIX}{poster_id}",
            )
        )
        self.poster_id = poster_id

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: Any,
        /,
    ) -> DeleteButton:
        return cls(int(match["poster_id"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        if not may_delete(interaction, self.poster_id):
            await interaction.response.send_message(say("delete.not_allowed"), ephemeral=True)
            return
        await interaction.response.defer()
        if interaction.message is not None:
            with contextlib.suppress(discord.NotFound):  # someone else deleted it first
                await interaction.message.delete()


def delete_view(poster_id: int) -> discord.ui.View:
    """A persistent view holding only the Delete button for `poster_id`'s link."""
    view = discord.ui.View(timeout=None)
    view.add_item(DeleteButton(poster_id))
    return view
