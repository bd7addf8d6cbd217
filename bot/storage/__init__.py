"""Everything the bot remembers, behind one database object: channel modes, answered messages, the
briefing cache, the archive with full-text search, digest schedules and LLM settings.
"""
