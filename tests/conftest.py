"""Shared fixtures live in tests/helpers; each helper module is a pytest plugin listed here."""

pytest_plugins = [
    "tests.helpers.article_server",
    "tests.helpers.fake_discord",
    "tests.helpers.postgres",
    "tests.helpers.raw_server",
    "tests.helpers.storage",
]
