"""`newsarchive report`: one offline HTML file of charts, from a crawled archive and a stored one,
looked at in headless Chromium."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from newsarchive.items import Article
from newsarchive.storage import Archive
from tests.fakesite import FakeSite
from tests.helpers import FAST, ROOT, count, crawl, rows, run_cli

CHARTS = [
    "Articles per month, per section",
    "Field fill rates per month (layout drift)",
    "Layout per month",
    "Failures per run",
    "Coverage",
]
SVG_RE = re.compile(r"<svg\b.*?</svg>", re.S)
# Path data with at least two points: a line, a bar, an axis.
PATH_DATA_RE = re.compile(r'<path\b[^>]*\bd="M\s*-?[\d.]+\s+-?[\d.]+\s*[LCZz]')


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Two runs over the replica: a full crawl (one article answers 404), then one that fails
    a listing page; then a coverage run, which finds those missing."""
    path = tmp_path_factory.mktemp("report") / "archive.db"
    with FakeSite(articles=120, seed=31, page_size=10) as site:
        assert crawl(site, path, "--no-raw").returncode == 0
        site.fail("/category/landak/", status=503, times=None)
        site.publish(5)
        assert crawl(site, path, "--no-raw", "-s", "RETRY_TIMES=0").returncode == 1
        site.clear_knobs()
        site.publish(3)
        cover = run_cli("coverage", "--db", str(path), "--base-url", site.base_url, *FAST)
        assert cover.returncode == 1, cover.stderr  # the 3 new posts are missing
    yield path


@pytest.fixture(scope="module")
def report(crawled: Path) -> tuple[Path, str, str]:
    output = crawled.parent / "report.html"
    before = _digest(crawled)
    done = run_cli("report", "--db", str(crawled), "--output", str(output))
    assert done.returncode == 0, done.stderr
    assert _digest(crawled) == before  # a read command: the archive is as it was
    return output, output.read_text(encoding="utf-8"), done.stderr


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_report_is_one_offline_file_with_a_chart_per_heading(report: tuple[Path, str, str]) -> None:
    _, page, stderr = report
    assert re.fullmatch(
        rf"newsarchive report: {len(CHARTS)} charts, \d+ KiB to \S+\.html\n", stderr
    )
    svgs = SVG_RE.findall(page)
    assert len(svgs) == len(CHARTS)
    for title, svg in zip(CHARTS, svgs, strict=True):
        assert f"<h2>{title}</h2>" in page.split(svg)[0].rsplit("<section>", 1)[1]
        assert len(PATH_DATA_RE.findall(svg)) >= 10, title
    # Nothing to load from anywhere: no URL at all (the SVG namespaces are dropped, the HTML
    # parser supplies them), no scripts, images, style sheets, frames or fonts.
    assert not re.search(r"https?:|//[a-z0-9.-]+\.[a-z]{2,}/", page, re.I)
    for tag in ("<script", "<link", "<img", "<image", "<iframe", "<object", "<embed", "@import",
                "@font-face"):  # fmt: skip
        assert tag not in page.lower(), tag
    assert not re.search(r"url\((?!#)", page)  # only clip paths within the same SVG
    assert not re.search(r'(?:src|href)="(?!#)', page)


def test_report_shows_what_the_archive_holds(crawled: Path, report: tuple[Path, str, str]) -> None:
    _, page, _ = report
    sections, charts = page.split("<h2>Field fill rates")[0], SVG_RE.findall(page)
    assert f"<b>{count(crawled, 'articles'):,}</b>articles" in page
    assert str(crawled.resolve()) in page
    for row in rows(crawled, "select name, count(*) as n from categories c join "
                    "article_categories ac on ac.category_id = c.id group by name"):  # fmt: skip
        assert f">{row['name']} ({row['n']:,})</text>" in sections
    for layout in rows(crawled, "select distinct layout from articles"):
        assert f">{layout['layout']}</text>" in charts[2]
    assert ">fetch</text>" in charts[3] and ">#2</text>" in charts[3].replace("\n", "<")
    runs = page.split("<h2>Last runs</h2>")[1]
    assert "<td>#2</td>" in runs and "<td class=bad>failed</td>" in runs
    assert "<h2>Coverage</h2>" in page
    coverage = page.split("<h2>Coverage</h2>")[1]
    assert "listed by the site" in charts[4] and "completeness, %" in charts[4]
    missing = rows(crawled, "select sum(missing) as n from coverage_months")[0]["n"]
    assert missing >= 3 and "Months with posts missing" in coverage
    assert f"{missing:,} missing" in coverage


def _chromium() -> str:
    found = next(filter(None, map(shutil.which, ("chromium", "chromium-browser"))), None)
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed (apt-get install -y chromium)")
        pytest.skip("chromium is not installed (apt-get install -y chromium)")
    return found


def test_report_renders_in_headless_chromium(report: tuple[Path, str, str], tmp_path: Path) -> None:
    from PIL import Image  # matplotlib's own dependency

    chromium = _chromium()
    output, _, _ = report
    shot = tmp_path / "report.png"
    with tempfile.TemporaryDirectory() as profile:
        done = subprocess.run(
            [chromium, "--headless", "--no-sandbox", "--disable-gpu",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--no-first-run", f"--user-data-dir={profile}", f"--screenshot={shot}",
             "--window-size=1280,2400", output.resolve().as_uri()],
            capture_output=True, text=True, timeout=180,
        )  # fmt: skip
    assert shot.is_file() and shot.stat().st_size > 50_000, done.stderr[-2000:]
    if os.environ.get("NEWSARCHIVE_ARTIFACTS"):  # .ci/run keeps what a person should look at
        for made in (shot, output):
            shutil.copy(made, Path(os.environ["NEWSARCHIVE_ARTIFACTS"]) / made.name)
    with Image.open(shot) as image:
        assert image.size == (1280, 2400)
        colours = image.convert("RGB").getcolors(maxcolors=1 << 20)
    assert colours is not None
    ink = sum(n for n, rgb in colours if rgb != (255, 255, 255))
    assert ink > 1280 * 2400 // 50  # not a blank page
    # The charts' own colours are drawn: the lines' blue, the second layout's orange.
    assert any(_near(rgb, (0x1F, 0x77, 0xB4)) for _, rgb in colours)
    assert any(_near(rgb, (0xFF, 0x7F, 0x0E)) for _, rgb in colours)


def _near(rgb: tuple[int, int, int], want: tuple[int, int, int]) -> bool:
    return all(abs(a - b) <= 8 for a, b in zip(rgb, want, strict=True))


SECTIONS = [
    "Pontianak", "Kubu Raya", "Ketapang", "Mempawah", "Landak", "Tips", "Sambas", "Sintang",
    "Kapuas Hulu", "Bengkayang", "Sanggau", "Sekadau", "Melawi", "Kayong Utara", "Singkawang",
    "Nasional", "Olahraga", "Ekonomi", "Politik", "Harga $5 & <Pasar>",
]  # fmt: skip


def test_ten_years_of_twenty_sections_stay_small_and_drift_shows(tmp_path: Path) -> None:
    """120 months, 20 sections (one with HTML and a dollar sign in its name); four months of
    60 articles, in one of which every byline is missing: stats flags it, the report shows it."""
    db, output = tmp_path / "archive.db", tmp_path / "report.html"
    n = 0
    with Archive(db) as archive, archive.db.atomic():
        for year in range(2016, 2026):
            for month in range(1, 13):
                busy = year == 2021 and month <= 4
                for i in range(60 if busy else len(SECTIONS)):
                    n += 1
                    archive.store(Article(
                        url=f"https://kalbaronline.com/{year}/{month:02d}/10/berita-{n}/",
                        post_id=n, title=f"Berita {n}",
                        byline=None if (year, month) == (2021, 3) else "Jauhari Fatria",
                        published_at=f"{year}-{month:02d}-10T09:00:00+07:00",
                        date_source="jsonld", categories=[SECTIONS[i % len(SECTIONS)]],
                        tags=["Kalbar"], body="Isi berita.\n\n(jim)", reporter="jim",
                        layout="news5" if year >= 2024 else "newkarma",
                        fetched_at="2026-01-01T00:00:00+00:00",
                    ))  # fmt: skip
    done = run_cli("report", "--db", str(db), "--output", str(output))
    assert done.returncode == 0, done.stderr
    page = output.read_text(encoding="utf-8")
    assert output.stat().st_size < 600_000
    svgs = SVG_RE.findall(page)
    assert len(svgs) == 3  # no runs: no failures chart
    assert "No runs recorded yet." in page
    assert ">Harga $5 &amp; &lt;Pasar&gt; (128)</text>" in svgs[0]  # 116 months of 1, 4 of 3
    assert svgs[0].count("</text>") > 20 * 5  # every panel has a title and its own axis labels
    assert (
        "<tr><td>2021-03</td><td>byline</td><td class=n>0%</td><td class=n>100%</td></tr>" in page
    )
    assert "#d62728" in svgs[1]  # the red drift dot


def test_empty_archive_gives_a_page_without_charts(tmp_path: Path) -> None:
    db, output = tmp_path / "archive.db", tmp_path / "report.html"
    Archive(db).close()
    done = run_cli("report", "--db", str(db), "--output", str(output))
    assert done.returncode == 0, done.stderr
    page = output.read_text(encoding="utf-8")
    assert "<svg" not in page and "No articles in the archive yet." in page
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")


def test_without_matplotlib_one_line_says_how_to_install(crawled: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "site" / "matplotlib"
    blocker.mkdir(parents=True)
    (blocker / "__init__.py").write_text("raise ImportError('no matplotlib here')\n")
    env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
    env["PYTHONPATH"] = os.pathsep.join([str(blocker.parent), str(ROOT)])
    output = tmp_path / "report.html"
    done = subprocess.run(
        [sys.executable, "-m", "newsarchive", "report", "--db", str(crawled),
         "--output", str(output)],
        capture_output=True, text=True, timeout=120, cwd=ROOT, env=env,
    )  # fmt: skip
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "newsarchive: error: the report needs matplotlib: pip install 'newsarchive[report]'"
    ]
    assert not output.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--output", "{db}"), "archive's own file"),
        (("--output", "{tmp}/no/such/dir/report.html"), "no folder"),
        (("--output", "{tmp}"), "is a directory"),
        ((), "required: --output"),
    ],
)
def test_bad_output_exits_2_with_one_line(
    crawled: Path, tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    before = _digest(crawled)
    given = [a.format(db=crawled, tmp=tmp_path) for a in args]
    done = run_cli("report", "--db", str(crawled), *given)
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1 and message in done.stderr
    assert _digest(crawled) == before


def test_missing_archive_exits_2(tmp_path: Path) -> None:
    done = run_cli("report", "--db", str(tmp_path / "none.db"), "--output",
                   str(tmp_path / "report.html"))  # fmt: skip
    assert done.returncode == 2 and "no archive" in done.stderr
    assert not (tmp_path / "none.db").exists() and not (tmp_path / "report.html").exists()
