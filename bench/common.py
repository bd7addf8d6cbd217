"""What every benchmark shares: finding the corpora and running our pipeline over them.

The benchmarks run the same analysis functions the CLI runs (`newsdesk brief --json`), in
this process or a few, so a table measures exactly what ships.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

DEFAULT_CORPORA = REPO.parent / "shared" / "corpora"


def markdown_table(rows: list[tuple[str, ...]], header: tuple[str, ...]) -> str:
    """The benchmarks' tables, pasted as they are into notes and the README."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def nearest_rank(ordered: list[float], q: float) -> float:
    """Nearest-rank percentile of an already sorted list."""
    rank = max(1, round(q * len(ordered) + 0.5))
    return ordered[min(rank, len(ordered)) - 1]


def corpora_path(arg: str | None = None) -> Path:
    """`--corpora`, else `$NEWSDESK_CORPORA`, else `<repo>/../shared/corpora`; exits clearly."""
    path = Path(arg or os.environ.get("NEWSDESK_CORPORA") or DEFAULT_CORPORA)
    if not path.is_dir():
        sys.exit(
            f"bench: no corpora at {path}. Put the shared evaluation sets there, or pass "
            "--corpora PATH / set NEWSDESK_CORPORA."
        )
    return path


def add_corpora_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--corpora", help="folder holding the evaluation sets")


def load_gold(folder: Path) -> list[dict]:
    with (folder / "gold.jsonl").open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def _brief_file(job: tuple[str, bool]) -> tuple[str, dict]:
    from bot.runtime.analysis import analyse_html, analyse_text

    path, as_text = job
    data = Path(path).read_bytes()
    if as_text:
        briefing = analyse_text(path, data.decode("utf-8", errors="replace"))
    else:
        briefing = analyse_html(path, data, None)
    return Path(path).stem, briefing.to_json()


def run_pipeline(paths: Iterable[Path], *, as_text: bool, workers: int | None = None) -> dict:
    """id → the `--json` line of each file, as the CLI would print it."""
    jobs = [(str(p), as_text) for p in paths]
    workers = workers or os.cpu_count() or 1
    if workers == 1:
        return dict(map(_brief_file, jobs))
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return dict(pool.map(_brief_file, jobs, chunksize=8))


_NO_NETWORK = ["unshare", "--user", "--map-root-user", "--net"]


def _no_network_prefix() -> list[str]:
    """`unshare` into a network namespace with no interfaces up, when this machine allows it."""
    if not shutil.which("unshare"):
        return []
    probe = subprocess.run([*_NO_NETWORK, "true"], capture_output=True, check=False)
    return _NO_NETWORK if probe.returncode == 0 else []


def probe(code: str, timeout: float = 600) -> tuple[dict | None, str, bool]:
    """Run `code` in a fresh interpreter (cold imports, its own memory) without network access
    where possible; the code prints one JSON object as its last line. Returns (that object or
    None, stderr's last line, whether the network was really cut off)."""
    prefix = _no_network_prefix()
    done = subprocess.run(
        [*prefix, sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=REPO,
        check=False,
    )
    lines = done.stdout.strip().splitlines()
    error = (done.stderr.strip().splitlines() or [""])[-1]
    if done.returncode != 0 or not lines:
        return None, error, bool(prefix)
    return json.loads(lines[-1]), error, bool(prefix)


RSS_SNIPPET = """
def _rss_mb():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS"):
                return int(line.split()[1]) / 1024
    return 0.0
"""
