"""`newsdesk brief`: the JSON contract other tools depend on, run as a real subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers.article_server import PAGES, ArticleServer
from tests.helpers.paths import SEED, needs_shared

FIELDS = [
    "source",
    "url",
    "headline",
    "byline",
    "site",
    "published",
    "language",
    "image",
    "text",
    "quotes",
    "briefing",
    "error",
    "text_source",
]
FERRY = PAGES / "harbour-ferry.html"


def newsdesk(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("NEWSDESK_", "DISCORD_"))}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**base, **(env or {})},
        cwd=Path(__file__).resolve().parent,  # no .env from the repo root leaks in
    )


def lines(result: subprocess.CompletedProcess[str]) -> list[dict]:
    return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


def test_json_line_has_the_contract_fields_in_order() -> None:
    result = newsdesk("brief", "--json", str(FERRY))
    assert result.returncode == 0, result.stderr
    [line] = lines(result)
    assert list(line) == FIELDS
    assert line["source"] == str(FERRY)
    assert line["headline"] == "Harbour ferry service to resume after six-month suspension"
    assert line["site"] == "The Coastline Courier"
    assert line["published"] == "2026-03-14"
    assert (
        line["url"] == "https://www.coastline-courier.example/news/harbour-ferry-resume-4821.html"
    )
    assert line["error"] is None
    assert line["text_source"] == "page"
    assert 3 <= len(line["briefing"]) <= 5
    body = line["text"]
    assert all(sentence in body for sentence in line["briefing"])
    assert "Share this article" not in body and "All rights reserved" not in body
    speakers = {q["speaker"] for q in line["quotes"]}
    assert "Margaret Osei" in speakers and "Daniel Fairweather" in speakers
    for quote in line["quotes"]:
        assert set(quote) == {"text", "speaker", "paragraph"}
        assert quote["text"].split(" … ")[0][:30] in body.splitlines()[quote["paragraph"]]


def test_a_failing_source_keeps_its_line_and_order_and_sets_exit_status(tmp_path: Path) -> None:
    missing = tmp_path / "nope.html"
    result = newsdesk("brief", "--json", str(FERRY), str(missing), str(FERRY))
    assert result.returncode == 1
    out = lines(result)
    assert [line["source"] for line in out] == [str(FERRY), str(missing), str(FERRY)]
    assert out[0]["error"] is None and out[2]["error"] is None
    assert out[1]["error"]["kind"] == "fetch"
    assert "nope.html" in out[1]["error"]["message"]
    assert out[1]["headline"] is None and out[1]["quotes"] == []


def test_text_mode_reads_one_paragraph_per_line(tmp_path: Path) -> None:
    article = tmp_path / "story.txt"
    article.write_text(
        "The city council voted 7-2 on Tuesday to close the Elm Street library branch.\n\n"
        "The branch has lost half its visitors since 2019, officials said.\n"
        "“We cannot keep a building open for a dozen people a day,” said council member "
        "Ana Duarte.\n"
        "Residents plan to appeal the decision at the next meeting in May.\n",
        encoding="utf-8",
    )
    result = newsdesk("brief", "--json", "--text", str(article))
    assert result.returncode == 0, result.stderr
    [line] = lines(result)
    assert line["text"].splitlines()[0].startswith("The city council voted 7-2")
    assert len(line["text"].splitlines()) == 4
    [quote] = [q for q in line["quotes"] if q["text"].startswith("We cannot keep")]
    assert quote["speaker"] == "Ana Duarte"
    assert quote["paragraph"] == 2


def test_files_are_briefed_by_kind_a_pdf_a_text_and_a_scan(tmp_path: Path) -> None:
    from tests.helpers.pdfs import PRESS_RELEASE_TITLE, press_release_pdf, scanned_pdf

    report = tmp_path / "report.pdf"
    report.write_bytes(press_release_pdf())
    notes = tmp_path / "notes.txt"
    notes.write_text(
        "Library branch to close\n\nThe city council voted 7-2 on Tuesday to close the Elm\n"
        "Street library branch, which has lost half its visitors since 2019.\n",
        encoding="utf-8",
    )
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(scanned_pdf(1))
    result = newsdesk("brief", "--json", str(report), str(notes), str(scan))
    assert result.returncode == 1  # the scan has no text
    pdf, text, scanned = lines(result)
    assert pdf["error"] is None and pdf["text_source"] == "pdf"
    assert pdf["headline"] == PRESS_RELEASE_TITLE and 3 <= len(pdf["briefing"]) <= 5
    assert text["text_source"] == "text" and text["headline"] == "Library branch to close"
    assert text["text"].startswith("The city council voted 7-2 on Tuesday to close the Elm Street")
    assert scanned["error"]["kind"] == "not_article"
    assert "no text layer" in scanned["error"]["message"]
    readable = newsdesk("brief", str(report))
    assert readable.stdout.startswith(PRESS_RELEASE_TITLE + "\n")


def test_readable_output_shows_headline_bullets_and_quotes() -> None:
    result = newsdesk("brief", str(FERRY))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Harbour ferry service to resume after six-month suspension\n")
    assert "The Coastline Courier · Priya Raman · 2026-03-14" in result.stdout
    assert "  • The passenger ferry linking Kestrel Point" in result.stdout
    assert "— Margaret Osei" in result.stdout


def test_loopback_url_is_blocked_unless_allowed(article_server: ArticleServer) -> None:
    url = article_server.page_url("harbour-ferry.html")
    blocked = newsdesk("brief", "--json", url)
    assert blocked.returncode == 1
    assert lines(blocked)[0]["error"]["kind"] == "blocked"
    assert article_server.hits["/pages/harbour-ferry.html"] == 0

    allowed_env = {
        "NEWSDESK_ALLOWED_NETWORKS": "127.0.0.0/8",
        "NEWSDESK_ALLOWED_PORTS": f"80,443,{article_server.port}",
    }
    allowed = newsdesk("brief", "--json", url, env=allowed_env)
    assert allowed.returncode == 0, allowed.stderr
    [line] = lines(allowed)
    assert line["headline"] == "Harbour ferry service to resume after six-month suspension"
    assert article_server.hits["/pages/harbour-ferry.html"] == 1


def test_http_error_is_reported_in_plain_words(article_server: ArticleServer) -> None:
    env = {
        "NEWSDESK_ALLOWED_NETWORKS": "127.0.0.0/8",
        "NEWSDESK_ALLOWED_PORTS": f"80,443,{article_server.port}",
    }
    result = newsdesk("brief", "--json", article_server.url("/gone"), env=env)
    assert result.returncode == 1
    error = lines(result)[0]["error"]
    assert error["kind"] == "http_status"
    assert "404" in error["message"]


def test_batches_run_in_one_process_with_workers(tmp_path: Path) -> None:
    sources = [str(FERRY)] * 6
    result = newsdesk("brief", "--json", "--workers", "2", *sources)
    assert result.returncode == 0, result.stderr
    out = lines(result)
    assert len(out) == 6
    assert {line["headline"] for line in out} == {
        "Harbour ferry service to resume after six-month suspension"
    }


@needs_shared
def test_seed_story_html_and_text_agree() -> None:
    html = lines(newsdesk("brief", "--json", str(SEED / "article.html")))[0]
    text = lines(newsdesk("brief", "--json", "--text", str(SEED / "article.txt")))[0]
    assert html["headline"] == "No progress seen after Russia-US talks over Ukraine tensions"
    assert html["byline"] == "Matthew Lee"
    assert html["site"] == "BreakingNews.ie"
    assert html["published"] == "2022-01-10"
    for line in (html, text):
        joined = " ".join(line["briefing"])
        for boilerplate in ("Share this article", "Read More", "Download our Apps", "©"):
            assert boilerplate not in joined
            assert boilerplate not in line["text"]
        speakers = {q["speaker"] for q in line["quotes"]}
        assert {"Sergei Ryabkov", "Wendy Sherman"} <= speakers
    assert text["byline"] == "Matthew Lee"
    html_quotes = {(q["text"], q["speaker"]) for q in html["quotes"]}
    text_quotes = {(q["text"], q["speaker"]) for q in text["quotes"]}
    assert html_quotes == text_quotes


def test_version_and_python_dash_m_are_the_same_command() -> None:
    result = newsdesk("--version")
    assert result.returncode == 0
    assert result.stdout.startswith("newsdesk ")


def test_text_file_saved_as_windows_1252_reads_as_words(tmp_path: Path) -> None:
    article = tmp_path / "windows.txt"
    article.write_bytes(
        "Café owners on Harbour Street said on Monday the council had “lied” about the "
        "roadworks.\n“We were promised six weeks — it’s now nine,” said Renée Dubois.\n".encode(
            "cp1252"
        )
    )
    result = newsdesk("brief", "--json", "--text", str(article))
    assert result.returncode == 0, result.stderr
    [line] = lines(result)
    assert "\ufffd" not in line["text"]
    assert line["text"].startswith("Café owners")
    [quote] = line["quotes"]
    assert quote["text"].startswith("We were promised six weeks — it’s now nine")
    assert quote["speaker"] == "Renée Dubois"


def test_other_schemes_are_refused_in_plain_words(tmp_path: Path) -> None:
    result = newsdesk("brief", "--json", "ftp://news.example/a", "FILE:///etc/hostname")
    assert result.returncode == 1
    for line in lines(result):
        assert line["error"]["kind"] == "blocked"
        assert "http" in line["error"]["message"]
        assert "No such file" not in line["error"]["message"]


def test_a_local_file_over_the_body_cap_is_too_large(tmp_path: Path) -> None:
    page = tmp_path / "huge.html"
    paragraph = "<p>The council voted on the harbour budget after a long debate on Tuesday.</p>"
    page.write_text("<html><body><article>" + paragraph * 2000 + "</article></body></html>")
    capped = {"NEWSDESK_MAX_BODY_BYTES": "100000"}
    result = newsdesk("brief", "--json", str(page), str(FERRY), env=capped)
    assert result.returncode == 1
    big, ferry = lines(result)
    assert big["error"]["kind"] == "too_large" and big["text"] == ""
    assert ferry["error"] is None  # the batch goes on


def test_a_directory_or_an_empty_file_fails_alone(tmp_path: Path) -> None:
    empty = tmp_path / "empty.html"
    empty.write_bytes(b"")
    result = newsdesk("brief", "--json", str(tmp_path), str(empty), str(FERRY))
    assert result.returncode == 1
    folder, blank, ferry = lines(result)
    assert folder["error"]["kind"] == "fetch" and "directory" in folder["error"]["message"]
    assert blank["error"]["kind"] == "not_article"
    assert ferry["error"] is None


@pytest.mark.parametrize("count", ["-2", "two"])
def test_a_bad_worker_count_is_a_usage_error_not_a_traceback(count: str) -> None:
    result = newsdesk("brief", "--workers", count, str(FERRY))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and "--workers" in result.stderr
    assert result.stdout == ""


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
@pytest.mark.parametrize("as_text", [False, True])
def test_a_fifo_or_a_device_is_not_a_regular_file_and_the_batch_goes_on(
    tmp_path: Path, as_text: bool
) -> None:
    fifo = tmp_path / "page.html"
    os.mkfifo(fifo)  # nobody ever writes to it: reading it would wait forever
    mode = ["--text"] if as_text else []
    source = FERRY if not as_text else tmp_path / "ferry.txt"
    if as_text:
        source.write_text("The ferry returns on Monday, the operator said on Friday.\n")
    result = newsdesk("brief", "--json", *mode, str(fifo), os.devnull, str(source))
    assert result.returncode == 1
    pipe, device, page = lines(result)
    for line in (pipe, device):
        assert line["error"]["kind"] == "fetch"
        assert "not a regular file" in line["error"]["message"]
    assert page["error"] is None  # the batch went on past the pipe


def test_a_page_past_the_extract_timeout_times_out_and_the_batch_goes_on(tmp_path: Path) -> None:
    # The same per-page limit as the bot's workers, in the CLI's own process. The limit counts
    # CPU time, and leaves wide margins both ways: the ferry page (first, so cold) needs about
    # a quarter of it, the endless page (just under the body cap) over three times it.
    page = tmp_path / "endless.html"
    sentence = "Item {n}: the harbour board heard from Tomas Brandvik about berth {n}. "
    body = "".join(sentence.format(n=n) for n in range(64000))
    page.write_text(f"<html><body><article><p>{body}</p></article></body></html>")
    assert page.stat().st_size < 5_000_000  # under the body cap: it is analysed, not refused
    limited = {"NEWSDESK_EXTRACT_TIMEOUT": "1.5"}
    result = newsdesk("brief", "--json", str(page), str(FERRY), env=limited)
    assert result.returncode == 1
    slow, ferry = lines(result)
    assert slow["error"] == {"kind": "timeout", "message": "The page took too long to process."}
    assert ferry["error"] is None
