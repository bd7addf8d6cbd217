"""The one text layer: sentences, tokens, language and the per-language word lists in `data/`.

Every step that reads prose (quotes, briefings, the LLM checks) asks this package, so adding a
language means adding data files and tests here, not editing the steps.
"""
