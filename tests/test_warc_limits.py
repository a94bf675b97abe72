"""Reading WARC records back is bounded: a size cap on bodies and no truncated record taken as whole.

Real WARC files written by the project's own WarcStore, real archive files, the real CLI in a
subprocess. The gzip bomb is a response whose payload is 200 MB of zeros gzipped to ~200 KB
(`Content-Encoding: gzip`); the truncated file is cut in the middle of its last response's payload,
as a full disk or a copy stopped half-way leaves it.
"""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
import tempfile
import time
import tracemalloc
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest

from newsarchive.items import Article, RawRecord
from newsarchive.pages import parse_article
from newsarchive.storage import Archive
from newsarchive.storage.warc import Capture, WarcStore, iter_pages, read_page
from tests.helpers import ROOT, rows, run_cli

FIXTURES = Path(__file__).parent / "fixtures"
CAP = 16 * 1024 * 1024  # DOWNLOAD_MAXSIZE
BOMB_SIZE = 200 * 1024 * 1024
BOMB_URL = "https://kalbaronline.com/2024/09/02/bom-gzip/"
HTML = [("Content-Type", "text/html; charset=UTF-8")]


@dataclass(frozen=True)
class Page:
    url: str
    html: bytes
    fetched_at: datetime

    def article(self, url: str | None = None) -> Article:
        return parse_article(url or self.url, self.html.decode("utf-8"), self.fetched_at)


def fixture_page(name: str) -> Page:
    meta = json.loads((FIXTURES / name / "meta.json").read_text(encoding="utf-8"))
    return Page(
        meta["url"],
        (FIXTURES / name / "page.html").read_bytes(),
        datetime.fromisoformat(meta["fetched_at"]),
    )


@dataclass
class Warcs:
    folder: Path
    plain: Page  # stored as is
    gzipped: Page  # stored with Content-Encoding: gzip
    last: Page  # the last capture of the file, cut short in `cut`
    records: dict[str, RawRecord]  # plain, gzipped, last (one file); before_bomb, bomb (another)
    cut: str  # the same file, cut in the middle of the last response's payload
    declared: int  # the last response record's Content-Length
    present: int  # how much of it the cut file still holds


def _bomb() -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)  # gzip wrapper
    zeros = bytes(1024 * 1024)
    parts = [packer.compress(zeros) for _ in range(BOMB_SIZE // len(zeros))]
    return b"".join([*parts, packer.flush()])


def _capture(url: str, body: bytes, fetched_at: datetime, headers: list[tuple[str, str]]) -> Capture:
    return Capture(url, "GET", [("User-Agent", "newsarchive-test")], 200, "HTTP/1.1",
                   headers, body, fetched_at)  # fmt: skip


@pytest.fixture(scope="module")
def warcs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Warcs]:
    folder = tmp_path_factory.mktemp("warc")
    plain = fixture_page("newkarma_2024_plain")
    gzipped = fixture_page("news5_2025_plain")
    last = fixture_page("newkarma_2017_yoast")
    store = WarcStore(folder, "limits")
    records = {
        "plain": store.write(_capture(plain.url, plain.html, plain.fetched_at, HTML)),
        "gzipped": store.write(_capture(gzipped.url, gzip.compress(gzipped.html),
                                        gzipped.fetched_at, [*HTML, ("Content-Encoding", "gzip")])),
        "last": store.write(_capture(last.url, last.html, last.fetched_at, HTML)),
    }  # fmt: skip
    store.close()
    # The bomb has a file of its own, between two normal pages.
    bombs = WarcStore(folder, "bomb")
    records["before_bomb"] = bombs.write(_capture(plain.url, plain.html, plain.fetched_at, HTML))
    records["bomb"] = bombs.write(_capture(BOMB_URL, _bomb(), plain.fetched_at,
                                           [*HTML, ("Content-Encoding", "gzip")]))  # fmt: skip
    bombs.write(_capture(last.url, last.html, last.fetched_at, HTML))
    bombs.close()
    assert (folder / bombs.name).stat().st_size < 400_000  # the bomb is small on disk
    whole = (folder / store.name).read_bytes()
    last_at = records["last"].warc_offset
    assert last_at is not None
    # The last response record is its own gzip member; cut it where ~60% of its page is present.
    member = zlib.decompressobj(31)
    full = member.decompress(whole[last_at:])
    head_end = full.index(b"\r\n\r\n") + 4  # end of the WARC headers: the record's block follows
    declared = int(full[:head_end].split(b"Content-Length: ")[1].split(b"\r\n")[0])
    assert full[head_end:].startswith(b"HTTP/1.1 200")
    member_size = len(whole) - last_at - len(member.unused_data)
    cut_at = last_at + member_size * 6 // 10
    partial = zlib.decompressobj(31).decompress(whole[last_at:cut_at])
    assert b"<html" in partial[head_end:] and b"</html>" not in partial
    cut = "limits-cut.warc.gz"
    (folder / cut).write_bytes(whole[:cut_at])
    yield Warcs(folder, plain, gzipped, last, records, cut, declared, len(partial) - head_end)


def _where(warcs: Warcs, name: str, file: str | None = None) -> tuple[Path, int]:
    record = warcs.records[name]
    assert record.warc_file is not None and record.warc_offset is not None
    return warcs.folder / (file or record.warc_file), record.warc_offset


def _archive(path: Path, entries: list[tuple[Article, RawRecord]]) -> Path:
    with Archive(path) as archive:
        for article, raw in entries:
            archive.store(article, raw)
    return path


@dataclass
class Measured:
    returncode: int
    stdout: str
    stderr: str
    seconds: float
    peak_rss: int  # bytes, of the CLI process alone


# Runs the CLI and writes its peak RSS (VmHWM, kB) to the file named first: VmHWM belongs to
# the process's own memory map, made anew at exec. rusage's ru_maxrss would not do: Linux keeps
# it across exec, so a child forked from a big pytest process reports the parent's size.
_MEASURED_MAIN = """
import atexit, sys
def _report(path=sys.argv[1]):
    with open("/proc/self/status") as status:
        peak = next(line for line in status if line.startswith("VmHWM:")).split()[1]
    with open(path, "w") as out:
        out.write(peak)
atexit.register(_report)
sys.argv = ["newsarchive", *sys.argv[2:]]
from newsarchive.cli import main
raise SystemExit(main())
"""


def run_measured(*args: str, timeout: float = 120) -> Measured:
    """The real CLI in a subprocess, with its own peak RSS."""
    env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
    with tempfile.TemporaryDirectory() as folder:
        peak_file = Path(folder) / "peak"
        started = time.monotonic()
        done = subprocess.run(
            [sys.executable, "-c", _MEASURED_MAIN, str(peak_file), *args],
            capture_output=True, text=True, encoding="utf-8", cwd=ROOT, env=env, timeout=timeout,
        )  # fmt: skip
        seconds = time.monotonic() - started
        peak = int(peak_file.read_text()) * 1024
    return Measured(done.returncode, done.stdout, done.stderr, seconds, peak)


# --- the reader -----------------------------------------------------------------------------


def test_a_normal_record_still_reads_plain_and_gzipped(warcs: Warcs) -> None:
    page = read_page(*_where(warcs, "plain"))
    assert (page.url, page.status, page.body) == (warcs.plain.url, 200, warcs.plain.html)
    assert page.content_type == "text/html; charset=UTF-8"
    assert read_page(*_where(warcs, "gzipped")).body == warcs.gzipped.html
    assert read_page(*_where(warcs, "last")).body == warcs.last.html
    # Records before the cut are whole in the cut file too.
    assert read_page(*_where(warcs, "plain", warcs.cut)).body == warcs.plain.html


def test_the_cap_applies_to_the_body_exactly(warcs: Warcs) -> None:
    size = len(warcs.plain.html)
    assert read_page(*_where(warcs, "plain"), max_bytes=size).body == warcs.plain.html
    with pytest.raises(ValueError, match=f"size cap of {size - 1:,} bytes"):
        read_page(*_where(warcs, "plain"), max_bytes=size - 1)
    # Decoded size counts, not the gzipped size on disk.
    size = len(warcs.gzipped.html)
    assert read_page(*_where(warcs, "gzipped"), max_bytes=size).body == warcs.gzipped.html
    with pytest.raises(ValueError, match="size cap"):
        read_page(*_where(warcs, "gzipped"), max_bytes=size - 1)


def test_a_gzip_bomb_is_refused_without_inflating_it(warcs: Warcs) -> None:
    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match=f"size cap of {CAP:,} bytes") as caught:
            read_page(*_where(warcs, "bomb"))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert type(caught.value).__name__ == "RecordTooLarge"
    assert "\n" not in str(caught.value)
    assert peak < CAP + 4 * 1024 * 1024, f"peak {peak:,} bytes"


def test_a_record_cut_short_is_not_taken_as_whole(warcs: Warcs) -> None:
    with pytest.raises(ValueError) as caught:
        read_page(*_where(warcs, "last", warcs.cut))
    assert type(caught.value).__name__ == "RecordTruncated"
    assert str(caught.value) == (
        f"record truncated: Content-Length declares {warcs.declared:,} bytes, "
        f"{warcs.present:,} present"
    )


def test_iter_pages_stops_before_a_last_record_cut_short(warcs: Warcs) -> None:
    offsets = [warcs.records[name].warc_offset for name in ("plain", "gzipped", "last")]
    assert [offset for offset, _ in iter_pages(_where(warcs, "plain")[0])] == offsets
    survived = list(iter_pages(warcs.folder / warcs.cut))
    assert [offset for offset, _ in survived] == offsets[:2]
    assert [page.body for _, page in survived] == [warcs.plain.html, warcs.gzipped.html]


def test_iter_pages_raises_at_a_gzip_bomb(warcs: Warcs) -> None:
    path, offset = _where(warcs, "bomb")
    seen = []
    with pytest.raises(ValueError, match=f"offset {offset}: .*size cap of {CAP:,} bytes"):
        for at, _ in iter_pages(path):
            seen.append(at)
    assert seen == [warcs.records["before_bomb"].warc_offset]


# --- extract --warc -------------------------------------------------------------------------


def test_extract_refuses_a_gzip_bomb_in_one_line_and_bounded_memory(warcs: Warcs) -> None:
    path, offset = _where(warcs, "bomb")
    done = run_measured("extract", "--warc", str(path), "--offset", str(offset))
    # The baseline, side by side: the same command on a normal record.
    plain, plain_offset = _where(warcs, "plain")
    normal = run_measured("extract", "--warc", str(plain), "--offset", str(plain_offset))
    print(f"extract on the gzip bomb: peak RSS {done.peak_rss / 2**20:.1f} MiB, "
          f"on a normal record {normal.peak_rss / 2**20:.1f} MiB")  # fmt: skip
    assert done.returncode == 1, done.stderr[-2000:]
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr[-2000:]
    assert f"size cap of {CAP:,} bytes" in lines[0] and str(path) in lines[0]
    assert normal.returncode == 0, normal.stderr[-2000:]
    # The bomb inflates to 200 MB; reading it may cost the cap and buffers, not the bomb.
    assert done.peak_rss < normal.peak_rss + 3 * CAP


def test_extract_says_a_record_is_cut_short_in_one_line(warcs: Warcs) -> None:
    path, offset = _where(warcs, "last", warcs.cut)
    done = run_cli("extract", "--warc", str(path), "--offset", str(offset))
    assert done.returncode == 1, done.stderr[-2000:]
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr[-2000:]
    assert f"declares {warcs.declared:,} bytes, {warcs.present:,} present" in lines[0]


def test_extract_still_reads_a_normal_record(warcs: Warcs) -> None:
    for name in ("plain", "gzipped"):
        path, offset = _where(warcs, name)
        done = run_cli("extract", "--warc", str(path), "--offset", str(offset))
        assert done.returncode == 0, done.stderr[-2000:]
        article = json.loads(done.stdout)
        expected = (warcs.plain if name == "plain" else warcs.gzipped).article()
        assert (article["url"], article["body"]) == (expected.url, expected.body)


# --- reparse --------------------------------------------------------------------------------


def _reparse(db: Path, warcs: Warcs) -> subprocess.CompletedProcess[str]:
    return run_cli("reparse", "--db", str(db), "--warc-dir", str(warcs.folder))


def test_reparse_records_a_gzip_bomb_as_a_failure(warcs: Warcs, tmp_path: Path) -> None:
    bomb = warcs.gzipped.article()  # a row whose stored raw page turned out to be a bomb
    db = _archive(tmp_path / "archive.db", [
        (warcs.plain.article(), warcs.records["plain"]),
        (bomb, warcs.records["bomb"]),
    ])  # fmt: skip
    done = _reparse(db, warcs)
    assert done.returncode == 1, done.stderr[-2000:]
    assert "examined 2 | changed 0 | unchanged 1 | no raw page 0 | unreadable 1" in done.stdout
    assert "too large 1" in done.stdout
    failures = rows(db, "select * from failures")
    assert len(failures) == 1
    failure = failures[0]
    assert failure["run_id"] is None
    assert failure["stage"] == "parse"
    assert failure["url"] == failure["article_url"] == bomb.url
    assert (failure["warc_file"], failure["warc_offset"]) == (
        warcs.records["bomb"].warc_file, warcs.records["bomb"].warc_offset)
    assert f"size cap of {CAP:,} bytes" in failure["reason"]
    assert rows(db, "select revision from articles where url = ?", bomb.url) == [{"revision": 1}]


def test_reparse_records_a_record_cut_short_as_a_failure(warcs: Warcs, tmp_path: Path) -> None:
    cut = RawRecord(warcs.cut, warcs.records["last"].warc_offset)
    last = warcs.last.article()
    db = _archive(tmp_path / "archive.db", [
        (warcs.plain.article(), RawRecord(warcs.cut, warcs.records["plain"].warc_offset)),
        (last, cut),
    ])  # fmt: skip
    done = _reparse(db, warcs)
    assert done.returncode == 1, done.stderr[-2000:]
    assert "examined 2 | changed 0 | unchanged 1 | no raw page 0 | unreadable 1" in done.stdout
    assert "truncated 1" in done.stdout
    failures = rows(db, "select * from failures")
    assert len(failures) == 1
    failure = failures[0]
    assert (failure["stage"], failure["url"], failure["article_url"]) == ("parse", last.url, last.url)
    assert (failure["warc_file"], failure["warc_offset"]) == (cut.warc_file, cut.warc_offset)
    assert f"declares {warcs.declared:,} bytes, {warcs.present:,} present" in failure["reason"]
    # The row keeps its content: a cut raw page never becomes a revision.
    assert rows(db, "select revision, body from articles where url = ?", last.url) == [
        {"revision": 1, "body": last.body}]


def _encoded(html: bytes) -> dict[str, tuple[str, bytes]]:
    deflate = zlib.compressobj(6, zlib.DEFLATED, -15)
    cases = {
        "gzip": ("gzip", gzip.compress(html)),
        "x-gzip": ("x-gzip", gzip.compress(html)),
        "deflate": ("deflate", zlib.compress(html)),
        "raw deflate": ("deflate", deflate.compress(html) + deflate.flush()),
        "mislabelled": ("gzip", html),
        "trailing bytes": ("gzip", gzip.compress(html) + b"\r\n"),
        "gzip cut short": ("gzip", gzip.compress(html)[:-2000]),
        "unknown": ("compress", html),
    }
    brotli = pytest.importorskip("brotli")
    cases["br"] = ("br", brotli.compress(html))
    return cases


def test_bounded_decoding_gives_what_warcio_gives(warcs: Warcs, tmp_path: Path) -> None:
    """The reader decodes payloads itself, in bounded steps: the same bytes as warcio's stream,
    and `x-gzip` and `br` as the downloader does (warcio keeps x-gzip as stored, and its br
    reader fails on brotli 1.2: 'Decompressor' object has no attribute 'unused_data')."""
    from warcio.archiveiterator import ArchiveIterator

    html = warcs.last.html
    store = WarcStore(tmp_path, "encodings")
    where = {
        name: store.write(_capture(warcs.last.url, payload, warcs.last.fetched_at,
                                   [*HTML, ("Content-Encoding", encoding)]))
        for name, (encoding, payload) in _encoded(html).items()
    }  # fmt: skip
    store.close()
    for name, raw in where.items():
        assert raw.warc_offset is not None
        body = read_page(tmp_path / store.name, raw.warc_offset).body
        if name in ("x-gzip", "br"):
            assert body == html, name
            continue
        with open(tmp_path / store.name, "rb") as stream:
            stream.seek(raw.warc_offset)
            expected = next(iter(ArchiveIterator(stream))).content_stream().read()
        assert body == expected, name
        assert body == html or name in ("gzip cut short", "unknown"), name


def test_the_crawl_asks_only_for_codings_the_warc_reader_decodes() -> None:
    from newsarchive.crawl import crawl_settings
    from newsarchive.storage.warc import _Decoder

    offered = crawl_settings({}).getdict("DEFAULT_REQUEST_HEADERS")["Accept-Encoding"]
    codings = [c.strip() for c in offered.split(",")]
    assert "zstd" not in codings
    assert all(_Decoder.for_encoding(c) is not None for c in codings), codings
