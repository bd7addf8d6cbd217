"""The Discord layer: the `commands.Bot` subclass, embeds, views and the glue the cogs share.

The only package (with `cogs/`) that imports `discord`; a test enforces it.
"""
