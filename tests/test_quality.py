"""Lint and type checks run with the tests, so CI holds the package to them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run(*cmd: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600)


def test_ruff_is_clean() -> None:
    done = run(sys.executable, "-m", "ruff", "check", "newsarchive", "tests")
    assert done.returncode == 0, done.stdout + done.stderr


def test_mypy_is_clean_on_the_package() -> None:
    done = run(sys.executable, "-m", "mypy")
    assert done.returncode == 0, done.stdout + done.stderr


def test_pages_never_import_scrapy_or_storage() -> None:
    for path in (ROOT / "newsarchive" / "pages").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for forbidden in ("import scrapy", "from scrapy", "sqlite", "newsarchive.storage"):
            assert forbidden not in text, f"{path.name} mentions {forbidden}"
