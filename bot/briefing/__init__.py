"""The extractive briefing: three to five sentences copied verbatim from the article, lede first."""
