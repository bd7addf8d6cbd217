"""Where the tests find things: the repo, our fixtures, and `../shared` (seed and corpora).

Tests that read `../shared` are marked `needs_shared`, so a clone without it skips them with
one reason instead of failing (CI always has it).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures"
PAGES = FIXTURES / "pages"
SHARED = Path(os.environ.get("NEWSDESK_SHARED") or REPO.parent / "shared")
SEED = SHARED / "seed"
CORPORA = Path(os.environ.get("NEWSDESK_CORPORA") or SHARED / "corpora")

needs_shared = pytest.mark.skipif(
    not (SEED.is_dir() and CORPORA.is_dir()),
    reason="../shared (seed story and corpora) is not beside the repo",
)
