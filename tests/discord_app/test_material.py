"""When a message's own text is an article to brief: several paragraphs for a message briefed on
its own, fewer words when someone asked for it with "Brief this message"."""

from __future__ import annotations

from bot.discord_app.material import is_article_text

ARTICLE = "\n\n".join(
    [
        "Tram fares rise by ten pence from Monday, the operator said on Friday, the first "
        "increase in three years for passengers on the airport line.",
        "The operator blamed the cost of electricity, which it said had doubled since the "
        "last rise, and promised that weekly tickets would keep their price until June.",
        "“Nobody likes paying more, but the alternative was fewer trams,” said the operator's "
        "chief executive, Helen Achterberg, who added that the money would pay for new rails.",
        "Passenger groups said they would ask the council to cap fares for students.",
    ]
)


def test_a_pasted_article_reads_like_one_and_chat_does_not() -> None:
    assert is_article_text(ARTICLE, asked=False)
    one_block = " ".join(ARTICLE.split())  # the same words without paragraphs: a long rant
    assert not is_article_text(one_block, asked=False)
    assert is_article_text(one_block, asked=True)
    assert not is_article_text("Anyone at the council meeting tonight?", asked=True)
