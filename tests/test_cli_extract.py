"""`newsarchive extract`, run as a real subprocess for its output and exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_cascade import newkarma

URL = "https://www.kalbaronline.com/2021/11/01/banjir-ketapang/?pgrelated=3"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "newsarchive", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
    )


@pytest.fixture
def page(tmp_path: Path) -> Path:
    path = tmp_path / "page.html"
    path.write_text(newkarma(), encoding="utf-8")
    return path


def test_extract_prints_the_article_as_json(page: Path) -> None:
    done = run("extract", str(page), "--url", URL, "--fetched-at", "2024-06-16T03:00:00Z")
    assert done.returncode == 0, done.stderr
    article = json.loads(done.stdout)
    assert article["url"] == "https://kalbaronline.com/2021/11/01/banjir-ketapang/"
    assert article["fetched_at"] == "2024-06-16T03:00:00+00:00"
    assert article["dateline"] == "Ketapang"
    assert "–" in done.stdout  # UTF-8, not ASCII-escaped


def test_extract_not_an_article_exits_1_with_one_line(tmp_path: Path) -> None:
    path = tmp_path / "404.html"
    path.write_text('<html><body class="error404"><h1>Not found</h1></body></html>')
    done = run("extract", str(path), "--url", URL)
    assert done.returncode == 1
    assert done.stdout == ""
    assert len(done.stderr.strip().splitlines()) == 1
    assert "not an article" in done.stderr


@pytest.mark.parametrize(
    "args",
    [
        ("extract", "/nonexistent/page.html", "--url", URL),
        ("extract", "PAGE", "--url", "not a url"),
        ("extract", "PAGE", "--url", "ftp://kalbaronline.com/2021/11/01/a/"),
        ("extract", "PAGE", "--url", URL, "--fetched-at", "yesterday"),
        ("extract", "PAGE"),
        ("no-such-command",),
    ],
)
def test_extract_usage_errors_exit_2(page: Path, args: tuple[str, ...]) -> None:
    done = run(*(str(page) if a == "PAGE" else a for a in args))
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert "error" in done.stderr
    assert done.stdout == ""


def test_help_documents_exit_codes() -> None:
    done = run("--help")
    assert done.returncode == 0
    for code in ("0", "1", "2", "75"):
        assert f"  {code} " in done.stdout
