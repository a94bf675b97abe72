"""Raw pages kept as WARC during a crawl of the replica, and re-parsed offline."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from newsarchive.normalize import canonical_url
from newsarchive.pages.layouts import NewkarmaPage
from newsarchive.reparse import reparse
from newsarchive.storage import Archive
from newsarchive.storage.warc import (
    COMPRESSION_LEVEL,
    Capture,
    WarcStore,
    iter_pages,
    read_page,
)
from tests.fakesite import FakeSite
from tests.helpers import count, crawl, rows, run_cli


@dataclass
class Captured:
    base_url: str
    db: Path
    warc: Path


@pytest.fixture(scope="module")
def captured(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Captured]:
    folder = tmp_path_factory.mktemp("warc")
    with FakeSite(articles=60, seed=17, page_size=10) as site:
        db = folder / "archive.db"
        done = crawl(site, db)
        assert done.returncode == 0, done.stderr[-3000:]
        base_url = site.base_url
    # The replica is stopped from here on: everything below works without network.
    yield Captured(base_url, db, folder / "warc")


def test_every_article_points_at_its_own_response_record(captured: Captured) -> None:
    articles = rows(captured.db, "select * from articles")
    assert articles
    for row in articles:
        page = read_page(captured.warc / row["warc_file"], row["warc_offset"])
        assert page.status == 200
        assert canonical_url(page.url, captured.base_url) == row["url"]
    revisions = rows(captured.db, "select warc_file, warc_offset from article_revisions")
    assert all(r["warc_file"] and r["warc_offset"] is not None for r in revisions)


def test_warc_files_are_valid_for_warcio(captured: Captured) -> None:
    kinds: dict[str, int] = {}
    for path in captured.warc.glob("*.warc.gz"):
        with open(path, "rb") as stream:
            for record in ArchiveIterator(stream, check_digests="raise"):
                kinds[record.rec_type] = kinds.get(record.rec_type, 0) + 1
                record.content_stream().read()
    assert kinds["warcinfo"] >= 1
    assert kinds["response"] == kinds["request"]
    # Listing pages, robots.txt and the failed article were captured too.
    assert kinds["response"] > count(captured.db, "articles")


def test_failures_keep_their_raw_page(captured: Captured) -> None:
    failure = rows(captured.db, "select * from failures")[0]
    assert failure["http_status"] == 404
    page = read_page(captured.warc / failure["warc_file"], failure["warc_offset"])
    assert page.status == 404


def test_reparse_without_network_changes_nothing(captured: Captured) -> None:
    before = rows(captured.db, "select id, content_hash, last_seen_at from articles order by id")
    revisions = count(captured.db, "article_revisions")
    done = run_cli("reparse", "--db", str(captured.db), "--base-url", captured.base_url)
    assert done.returncode == 0, done.stderr
    assert f"examined {len(before)} | changed 0 | unchanged {len(before)}" in done.stdout
    after = rows(captured.db, "select id, content_hash, last_seen_at from articles order by id")
    assert after == before
    assert count(captured.db, "article_revisions") == revisions


def test_reparse_after_a_parser_change_updates_exactly_the_affected_rows(
    captured: Captured, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "archive.db"
    shutil.copy(captured.db, db)
    affected = {
        r["url"]
        for r in rows(
            db, "select url from articles where layout = 'newkarma' and subtitle is not null"
        )
    }
    assert affected
    revisions = count(db, "article_revisions")
    # The simulated parser change: Newkarma subtitles are no longer read.
    monkeypatch.setattr(NewkarmaPage, "SUBTITLE", ())
    with Archive(db) as archive:
        report = reparse(archive, captured.warc, captured.base_url)
    assert report.changed == len(affected)
    assert dict(report.fields) == {"subtitle": len(affected)}
    assert count(db, "article_revisions") == revisions + len(affected)
    changed = {r["url"] for r in rows(db, "select url from articles where revision = 2")}
    assert changed == affected
    assert (
        rows(
            db,
            "select count(*) as n from articles where subtitle is not null and layout = 'newkarma'",
        )[0]["n"]
        == 0
    )


def test_extract_reads_a_warc_record(captured: Captured) -> None:
    row = rows(captured.db, "select * from articles order by id limit 1")[0]
    done = run_cli(
        "extract",
        "--warc",
        str(captured.warc / row["warc_file"]),
        "--offset",
        str(row["warc_offset"]),
        "--base-url",
        captured.base_url,
    )
    assert done.returncode == 0, done.stderr
    article = json.loads(done.stdout)
    assert article["url"] == row["url"]
    assert article["body"] == row["body"]
    bad = run_cli("extract", "--warc", str(captured.warc / row["warc_file"]), "--offset", "3")
    assert bad.returncode == 2
    assert len(bad.stderr.strip().splitlines()) == 1


def test_a_truncated_warc_file_is_readable_up_to_the_cut(
    captured: Captured, tmp_path: Path
) -> None:
    source = next(captured.warc.glob("*.warc.gz"))
    whole = list(iter_pages(source))
    data = source.read_bytes()
    cut_at = whole[len(whole) // 2][0] + 40  # inside the middle record
    truncated = tmp_path / "cut.warc.gz"
    truncated.write_bytes(data[:cut_at])
    survived = list(iter_pages(truncated))
    assert [offset for offset, _ in survived] == [offset for offset, _ in whole[: len(whole) // 2]]


def test_no_raw_keeps_no_warc(tmp_path: Path) -> None:
    with FakeSite(articles=15, seed=2, page_size=10) as site:
        db = tmp_path / "archive.db"
        assert crawl(site, db, "--no-raw").returncode == 0
    assert not (tmp_path / "warc").exists()
    assert rows(db, "select count(*) as n from articles where warc_file is not null")[0]["n"] == 0
    assert count(db, "articles") > 0


# --- compression level ---------------------------------------------------------------------


def _gzip_members(data: bytes) -> list[bytes]:
    """The gzip members of a file, each with its header, in order."""
    import zlib

    members = []
    while data:
        inflater = zlib.decompressobj(31)
        inflater.decompress(data)
        assert inflater.eof, "a member cut short"
        size = len(data) - len(inflater.unused_data)
        members.append(data[:size])
        data = inflater.unused_data
    return members


@pytest.mark.parametrize("level", [1, COMPRESSION_LEVEL, 9])
def test_every_level_writes_one_gzip_member_per_record_readable_back(
    tmp_path: Path, level: int
) -> None:
    body = ("<html><body>" + "<p>Harga cabai rawit naik di Pontianak.</p>" * 400).encode()
    capture = Capture(
        url="https://kalbaronline.com/2024/08/28/harga-cabai-naik/",
        method="GET",
        request_headers=[("Accept", "text/html")],
        status=200,
        protocol="HTTP/1.1",
        response_headers=[("Content-Type", "text/html; charset=UTF-8")],
        body=body,
        fetched_at=datetime(2024, 8, 29, 1, 0, tzinfo=UTC),
    )
    store = WarcStore(tmp_path, f"level{level}", level=level)
    pointers = [store.write(capture) for _ in range(3)]
    store.close()
    path = tmp_path / pointers[0].warc_file
    members = _gzip_members(path.read_bytes())
    assert len(members) == 1 + 2 * 3  # warcinfo, then a response and a request per capture
    # gzip's XFL byte says how hard deflate worked: 2 at level 9, 4 at level 1, 0 between.
    assert {m[8] for m in members} == {{1: 4, 9: 2}.get(level, 0)}
    for raw in pointers:
        page = read_page(path, raw.warc_offset)
        assert (page.url, page.status, page.body) == (capture.url, 200, body)
    with open(path, "rb") as stream:
        kinds = [r.rec_type for r in ArchiveIterator(stream, check_digests="raise")]
    assert kinds == ["warcinfo"] + ["response", "request"] * 3
    assert [offset for offset, _ in iter_pages(path)] == [raw.warc_offset for raw in pointers]


def test_the_crawl_writes_at_the_chosen_level_not_warcios_9(captured: Captured) -> None:
    for path in captured.warc.glob("*.warc.gz"):
        members = _gzip_members(path.read_bytes())
        assert {m[8] for m in members} == {{1: 4, 9: 2}.get(COMPRESSION_LEVEL, 0)}
