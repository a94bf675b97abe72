"""`stats` shows layout drift: every month's fill rates, a usual level per field, and the months
that fall under it, in the returned dict, `stats --json`, the text output and the docs alike."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from newsarchive.items import Article
from newsarchive.storage import Archive, queries
from newsarchive.storage.queries import stats
from tests.helpers import run_cli

ROOT = Path(__file__).resolve().parents[1]
PER_MONTH = {"articles", "byline", "published_time", "subtitle", "image_url", "tags", "reporter"}

# Six judged months of 60 articles (2020-01 … 2020-06): bylines vanish in April, times of day in
# May, subtitles dip only 15 points in June (under the threshold); July has 5 articles without
# bylines (too few to judge); 2018-2019 hold one article a month (listed, never judged).
BIG = 60


def _article(n: int, month: str, *, byline: bool = True, time: bool = True,
             subtitle: bool = True, day: int = 1) -> Article:  # fmt: skip
    clock = f"{9 + n % 10:02d}:{n % 60:02d}:00" if time else "00:00:00"
    return Article(
        url=f"https://kalbaronline.com/{month.replace('-', '/')}/{day:02d}/berita-{n}/",
        post_id=n,
        title=f"Berita nomor {n}",
        subtitle="Sub judul" if subtitle else None,
        byline="Jauhari Fatria" if byline else None,
        reporter="jim" if n % 2 else None,
        published_at=f"{month}-{day:02d}T{clock}+07:00",
        date_source="jsonld" if time else "url",
        categories=["Pontianak"],
        tags=["banjir"] if n % 4 else [],
        body=f"KalbarOnline, Pontianak – Isi berita {n}. (jim)",
        image_url=f"https://kalbaronline.com/img/{n}.jpg",
        layout="newkarma",
        fetched_at="2026-01-01T00:00:00+00:00",
    )


def build(path: Path) -> Path:
    n = 0
    with Archive(path) as archive:
        for m in range(1, 7):
            month = f"2020-{m:02d}"
            for i in range(BIG):
                n += 1
                archive.store(_article(
                    n, month, day=1 + i % 28,
                    byline=month != "2020-04",
                    time=month != "2020-05",
                    # half have a subtitle; June 21 of 60 (35%): 15 points under, not flagged
                    subtitle=i < (21 if month == "2020-06" else 30),
                ))  # fmt: skip
        for i in range(5):
            n += 1
            archive.store(_article(n, "2020-07", day=1 + i, byline=False))
        for year in (2018, 2019):
            for m in range(1, 13):
                n += 1
                archive.store(_article(n, f"{year}-{m:02d}"))
    return path


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    yield build(tmp_path_factory.mktemp("drift") / "archive.db")


@pytest.fixture(scope="module")
def figures(db: Path) -> dict[str, object]:
    with Archive(db) as archive:
        return stats(archive.db)


def test_every_month_has_its_fill_rates(figures: dict[str, object]) -> None:
    per_month = figures["fill_rates_per_month"]
    assert isinstance(per_month, dict)
    assert len(per_month) == 6 + 1 + 24
    assert list(per_month) == sorted(per_month)  # oldest first, as a chart draws them
    for rates in per_month.values():
        assert set(rates) == PER_MONTH
    assert per_month["2020-04"] == {
        "articles": BIG, "byline": 0.0, "published_time": 1.0, "subtitle": 0.5,
        "image_url": 1.0, "tags": 0.75, "reporter": 0.5,
    }  # fmt: skip
    assert per_month["2020-05"]["published_time"] == 0.0
    assert per_month["2020-06"]["subtitle"] == 0.35
    assert per_month["2020-07"]["articles"] == 5 and per_month["2020-07"]["byline"] == 0.0
    assert per_month["2018-03"]["articles"] == 1 and per_month["2018-03"]["byline"] == 1.0
    assert sum(r["articles"] for r in per_month.values()) == figures["articles"]


def test_drift_flags_the_months_under_the_usual_level(figures: dict[str, object]) -> None:
    assert figures["usual_fill_rates"] == {
        "byline": 1.0, "published_time": 1.0, "subtitle": 0.5, "image_url": 1.0,
        "tags": 0.75, "reporter": 0.5,
    }  # fmt: skip
    # April's bylines and May's times; not June's subtitles (15 points under), not July's
    # bylines (5 articles), not the one-article months.
    assert figures["drift"] == [
        {"month": "2020-04", "field": "byline", "rate": 0.0, "usual": 1.0},
        {"month": "2020-05", "field": "published_time", "rate": 0.0, "usual": 1.0},
    ]


def test_no_usual_level_without_enough_judged_months(tmp_path: Path) -> None:
    with Archive(tmp_path / "small.db") as archive:
        for m in range(1, 3):  # two big months: a median of two is no "usual"
            for i in range(queries.DRIFT_MIN_ARTICLES):
                archive.store(_article(m * 1000 + i, f"2021-{m:02d}", day=1 + i % 28,
                                       byline=m == 1))  # fmt: skip
        figures = stats(archive.db)
    assert set(figures["usual_fill_rates"].values()) == {None}
    assert figures["drift"] == []


def test_stats_json_has_the_same(db: Path, figures: dict[str, object]) -> None:
    done = run_cli("stats", "--json", "--db", str(db))
    assert done.returncode == 0, done.stderr
    printed = json.loads(done.stdout)
    for key in ("fill_rates_per_month", "usual_fill_rates", "drift", "drift_rule"):
        assert printed[key] == figures[key], key


def test_stats_text_lists_months_and_flags(db: Path) -> None:
    done = run_cli("stats", "--db", str(db))
    assert done.returncode == 0, done.stderr
    text = done.stdout
    listed = re.findall(r"^  (\d{4}-\d{2}) ", text, re.M)
    assert listed[:3] == ["2020-07", "2020-06", "2020-05"]  # newest first
    assert len(set(listed)) == 24
    assert "(7 more; --all)" in text
    april = next(line for line in text.splitlines() if line.startswith("  2020-04 "))
    assert april.count("!") == 1 and "0.0%!" in april
    assert re.search(r"^  2020-04  byline\s+0\.0%  usual 100\.0%$", text, re.M)
    assert re.search(r"^  2020-05  published_time\s+0\.0%  usual 100\.0%$", text, re.M)

    every = run_cli("stats", "--all", "--db", str(db)).stdout
    assert len(set(re.findall(r"^  (\d{4}-\d{2}) ", every, re.M))) == 31
    assert "more; --all" not in every


def _help(*args: str) -> str:
    env = {**os.environ, "COLUMNS": "100"}
    done = subprocess.run([sys.executable, "-m", "newsarchive", *args, "--help"],
                          capture_output=True, text=True, env=env, cwd=ROOT, check=True)  # fmt: skip
    return done.stdout


def test_the_rule_is_documented_in_help_and_docs() -> None:
    help_text = _help("stats")
    rule = " ".join(help_text.split())
    assert f"at least {queries.DRIFT_MIN_ARTICLES} articles" in rule
    assert f"at least {queries.DRIFT_MIN_MONTHS} such months" in rule
    assert f"more than {round(queries.DRIFT_POINTS * 100)} points under" in rule
    assert "median" in rule
    cli_doc = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    assert f"```\n{help_text}```" in cli_doc  # the docs' block is the help as it is
