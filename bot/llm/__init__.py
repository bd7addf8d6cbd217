"""Optional LLM briefings: an OpenAI-compatible client, the prompt, the per-server budget and the
checks that drop any bullet the article does not support.
"""
