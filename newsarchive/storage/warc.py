"""Raw captures as gzipped WARC files (ISO 28500) through warcio, and reading them back.

Each record is its own gzip member and the file is flushed after every request/response pair,
so a killed run leaves a file readable up to its last complete record. The archive points at a
capture by file name (relative to the WARC folder) and the byte offset of its response record.

Reading back is bounded: a body (decoded of its Content-Encoding) larger than `MAX_BODY_BYTES`,
the downloader's cap, is refused with `RecordTooLarge` after at most that many bytes plus one,
and a record holding fewer bytes than its Content-Length declares (a file cut short) is refused
with `RecordTruncated` instead of being returned as if it were whole.
"""

from __future__ import annotations

import importlib
import io
import os
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from http import HTTPStatus
from pathlib import Path
from typing import IO, Any, ClassVar

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.limitreader import LimitReader
from warcio.statusandheaders import StatusAndHeaders, StatusAndHeadersParserException
from warcio.warcwriter import GzippingWrapper, WARCWriter

from newsarchive import __version__
from newsarchive.items import RawRecord
from newsarchive.site import MAX_PAGE_BYTES

# Headers describing how bytes crossed the wire, not what they are: Scrapy hands over the body
# already de-chunked, so keeping them would make readers de-chunk it again.
_HOP_HEADERS = {"transfer-encoding", "connection", "keep-alive"}

MAX_BODY_BYTES = MAX_PAGE_BYTES
"""The cap on one page body, decoded: the downloader's (settings.DOWNLOAD_MAXSIZE) and the
readers' here, so a page the crawl could not have taken is not taken from a WARC file either."""

_CHUNK = 64 * 1024  # bytes read, or decoded, at a time
# warcio inflates each gzip member block by block without a bound on the output; deflate turns
# a block into at most ~1032 times its size, so this keeps that buffer to ~4 MiB.
_BLOCK = 4096

COMPRESSION_LEVEL = 3
"""zlib level of each record's gzip member, in place of warcio's fixed 9. Measured on the
replica's pages (benchmarks/warc_level.py: a capture of ~35 KB of HTML, response and request
record), level 9 costs 0.78 ms of CPU per capture and level 6 0.72 for the same size; level 3
0.47 ms for 11% more bytes, level 1 0.44 ms for 16% more. Level 3 takes nearly all of the
saving at two thirds of level 1's extra disk."""

try:  # optional, as for warcio and Scrapy: without it, `br` payloads are kept as stored
    _brotli: Any = importlib.import_module("brotli")
except ImportError:
    _brotli = None


class UnusableRecord(ValueError):
    """The record is there, but its page cannot be used. The message is one line."""

    kind = "unusable"


class RecordTooLarge(UnusableRecord):
    """The body, decoded of its Content-Encoding, is larger than the size cap."""

    kind = "too large"


class RecordTruncated(UnusableRecord):
    """The file holds fewer bytes of the record than its Content-Length declares."""

    kind = "truncated"


@dataclass(frozen=True)
class Capture:
    """One page as fetched: what was asked, what came back."""

    url: str
    method: str
    request_headers: list[tuple[str, str]]
    status: int
    protocol: str
    response_headers: list[tuple[str, str]]
    body: bytes
    fetched_at: datetime


class _Gzipping(GzippingWrapper):  # type: ignore[misc]  # warcio ships no type hints
    """warcio's one-gzip-member-per-record wrapper, at a chosen compression level."""

    def __init__(self, out: IO[bytes], level: int) -> None:
        self.compressor = zlib.compressobj(level, zlib.DEFLATED, zlib.MAX_WBITS + 16)
        self.out = out


class LeveledWARCWriter(WARCWriter):  # type: ignore[misc]  # warcio ships no type hints
    """warcio's WARCWriter with gzip at `level` instead of its fixed 9: the records are what
    WARCWriter(gzip=True) writes, one gzip member each, only deflated with less effort."""

    def __init__(self, filebuf: IO[bytes], level: int = COMPRESSION_LEVEL) -> None:
        # gzip=False: warcio would wrap each record at level 9; _write_warc_record wraps it.
        super().__init__(filebuf, gzip=False)
        self.level = level

    def _write_warc_record(self, out: IO[bytes], record: Any) -> None:
        super()._write_warc_record(_Gzipping(out, self.level), record)


class WarcStore:
    """Writes captures to `<folder>/<prefix>-NNNNN.warc.gz`, starting a new file past max_bytes."""

    def __init__(
        self,
        folder: str | Path,
        prefix: str,
        max_bytes: int = 1_000_000_000,
        level: int = COMPRESSION_LEVEL,
    ) -> None:
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.prefix = prefix
        self.max_bytes = max_bytes
        self.level = level
        self.serial = 0
        self._file: IO[bytes] | None = None
        self._writer: WARCWriter | None = None
        self.name = ""
        self.bytes_written = 0

    def _open_next(self) -> None:
        self.close()
        self.serial += 1
        self.name = f"{self.prefix}-{self.serial:05d}.warc.gz"
        self._file = open(self.folder / self.name, "ab")  # noqa: SIM115 - closed in close()
        self._writer = LeveledWARCWriter(self._file, self.level)
        info = self._writer.create_warcinfo_record(
            self.name, {"software": f"newsarchive/{__version__}", "format": "WARC File Format 1.1"}
        )
        self._writer.write_record(info)

    def write(self, capture: Capture) -> RawRecord:
        if self._file is None or self._file.tell() >= self.max_bytes:
            self._open_next()
        assert self._file is not None and self._writer is not None
        date = capture.fetched_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        response = self._writer.create_warc_record(
            capture.url,
            "response",
            payload=io.BytesIO(capture.body),
            length=len(capture.body),
            warc_headers_dict={"WARC-Date": date},
            http_headers=StatusAndHeaders(
                _status_line(capture.status),
                [(k, v) for k, v in capture.response_headers if k.lower() not in _HOP_HEADERS],
                protocol=capture.protocol,
            ),
        )
        request = self._writer.create_warc_record(
            capture.url,
            "request",
            payload=io.BytesIO(b""),
            length=0,
            warc_headers_dict={"WARC-Date": date},
            http_headers=StatusAndHeaders(
                f"{capture.method} {_request_target(capture.url)} HTTP/1.1",
                capture.request_headers,
                is_http_request=True,
            ),
        )
        request.rec_headers.add_header(
            "WARC-Concurrent-To", response.rec_headers.get_header("WARC-Record-ID")
        )
        offset = self._file.tell()
        self._writer.write_record(response)
        self._writer.write_record(request)
        self._file.flush()
        self.bytes_written = self._file.tell()
        return RawRecord(warc_file=self.name, warc_offset=offset)

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
            self._writer = None


def _status_line(status: int) -> str:
    try:
        return f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        return f"{status} Unknown"


def _request_target(url: str) -> str:
    rest = url.split("://", 1)[-1]
    return "/" + rest.split("/", 1)[1] if "/" in rest else "/"


@dataclass(frozen=True)
class StoredPage:
    """A response read back from a WARC file."""

    url: str
    status: int
    content_type: str | None
    body: bytes
    fetched_at: datetime


def read_page(path: str | Path, offset: int, max_bytes: int = MAX_BODY_BYTES) -> StoredPage:
    """The response record at `offset`, its body decoded of any content encoding.

    Raises RecordTooLarge past `max_bytes` of body, RecordTruncated for a record cut short, and
    ValueError when there is no response record at `offset`.
    """
    with open(path, "rb") as stream:
        stream.seek(offset)
        try:
            for record in ArchiveIterator(stream, block_size=_BLOCK):
                if record.rec_type == "response" and record.http_headers is not None:
                    return _stored(record, max_bytes)
                break
        except _NOT_A_RECORD as exc:
            raise ValueError(f"not a WARC record: {exc}") from None
    raise ValueError(f"no response record at offset {offset} of {path}")


def iter_pages(
    path: str | Path, max_bytes: int = MAX_BODY_BYTES
) -> Iterator[tuple[int, StoredPage]]:
    """Every response record of a file with its offset, up to the last complete record.

    A run killed mid-write leaves a partial last record: the iteration ends before it (what
    precedes it is whole), and it is never yielded as if it were whole. A record cut short with
    more of the file after it (a damaged file, not a killed run) and a record over `max_bytes`
    raise RecordTruncated / RecordTooLarge naming its offset, after the records before it.
    """
    with open(path, "rb") as stream:
        records = ArchiveIterator(stream, block_size=_BLOCK)
        while True:
            try:
                record = next(records, None)
                if record is None:
                    return
                if record.rec_type != "response" or record.http_headers is None:
                    continue
                page = _stored(record, max_bytes)
                offset = records.get_record_offset()
            except UnusableRecord as exc:
                if isinstance(exc, RecordTruncated) and _at_end(stream, records):
                    return  # the partial last record of a killed run
                raise type(exc)(f"record at offset {_offset(records)}: {exc}") from None
            except (*_NOT_A_RECORD, OSError, ValueError):
                return  # a partial last record cut before its body
            yield offset, page


# What warcio raises on bytes that are not (or no longer) a record.
_NOT_A_RECORD = (ArchiveLoadFailed, EOFError, zlib.error, StatusAndHeadersParserException)


def _at_end(stream: IO[bytes], records: Any) -> bool:
    """Whether nothing of the file is left after the record just read."""
    at_end = stream.tell() >= os.fstat(stream.fileno()).st_size
    return bool(at_end and not records.reader.rem_length())


def _offset(records: Any) -> int | str:
    try:
        return int(records.get_record_offset())
    except (*_NOT_A_RECORD, OSError, ValueError):
        return "?"


def _stored(record: Any, max_bytes: int) -> StoredPage:
    headers = record.rec_headers
    http = record.http_headers
    body = _body(record, http.get_header("Content-Encoding"), max_bytes)
    date = headers.get_header("WARC-Date") or ""
    return StoredPage(
        url=headers.get_header("WARC-Target-URI"),
        status=int(http.get_statuscode()),
        content_type=http.get_header("Content-Type"),
        body=body,
        fetched_at=datetime.fromisoformat(date.replace("Z", "+00:00")),
    )


def _body(record: Any, content_encoding: str | None, max_bytes: int) -> bytes:
    """The payload, decoded, holding at most max_bytes + 1 bytes of it in memory.

    Decoded as warcio's content_stream would (gzip, deflate, br; anything else as stored), but
    in bounded steps. Transfer-Encoding is ignored: captures hold bodies as Scrapy hands them
    over, already de-chunked (see _HOP_HEADERS).
    """
    raw = record.raw_stream  # the record's block past the HTTP headers, limited to Content-Length
    limited = isinstance(raw, LimitReader)
    decoder = _Decoder.for_encoding(content_encoding)
    if decoder is None and limited and raw.limit > max_bytes:
        raise RecordTooLarge(
            f"body of {raw.limit:,} bytes exceeds the size cap of {max_bytes:,} bytes"
        )
    body = io.BytesIO()
    stored = 0
    while True:
        if decoder is None:
            chunk = raw.read(min(_CHUNK, max_bytes + 1 - stored))
        else:
            chunk = raw.read(_CHUNK)
        if not chunk:
            break
        stored += len(chunk)
        if decoder is None:
            body.write(chunk)
            if stored > max_bytes:
                raise RecordTooLarge(f"body exceeds the size cap of {max_bytes:,} bytes")
            continue
        if stored > max_bytes:  # the downloader would not have taken this many bytes either
            raise RecordTooLarge(
                f"{decoder.encoding} payload exceeds the size cap of {max_bytes:,} bytes"
            )
        piece = decoder.decode(chunk, min(_CHUNK, max_bytes + 1 - body.tell()))
        while True:
            body.write(piece)
            if body.tell() > max_bytes:
                raise RecordTooLarge(
                    f"body decoded from Content-Encoding {decoder.encoding} exceeds the size"
                    f" cap of {max_bytes:,} bytes"
                )
            if not decoder.pending():
                break
            piece = decoder.decode(b"", min(_CHUNK, max_bytes + 1 - body.tell()))
    if limited and raw.limit > 0:
        declared = int(record.length)
        raise RecordTruncated(
            f"record truncated: Content-Length declares {declared:,} bytes,"
            f" {declared - raw.limit:,} present"
        )
    return body.getvalue()


class _Decoder:
    """One Content-Encoding decoded step by step, never more than `limit` bytes per step.

    As warcio does: a payload that does not decode from its first bytes is taken as not encoded
    (servers mislabel), raw deflate is tried for `deflate`, and a payload that breaks off later
    keeps what was decoded before the break; bytes after the end of the stream are ignored.
    """

    _WBITS: ClassVar[dict[str, int]] = {"gzip": 31, "x-gzip": 31, "deflate": 15}

    @classmethod
    def for_encoding(cls, content_encoding: str | None) -> _Decoder | None:
        encoding = (content_encoding or "").strip().lower()
        if encoding in cls._WBITS or (encoding == "br" and _brotli is not None):
            return cls(encoding)
        return None

    def __init__(self, encoding: str) -> None:
        self.encoding = encoding
        self._zlib: Any = None
        self._brotli: Any = None
        self._start(self._WBITS.get(encoding, 0))
        self._head = bytearray()  # input before the first output, kept for a fall-back
        self._tried_raw = False
        self._as_stored = False  # not encoded after all: bytes pass through
        self._stored = b""  # passed-through bytes not yet handed out
        self._produced = False
        self._full = False  # the last step filled its limit: more may be waiting
        self._finished = False

    def _start(self, wbits: int) -> None:
        if self.encoding == "br":
            self._brotli = _brotli.Decompressor()
        else:
            self._zlib = zlib.decompressobj(wbits)

    def pending(self) -> bool:
        """Whether output may be waiting without more input (decode(b"", ...) gives it)."""
        if self._as_stored:
            return bool(self._stored)
        if self._finished:
            return False
        if self._zlib is not None:
            return bool(self._zlib.unconsumed_tail) or self._full
        return not self._brotli.can_accept_more_data()

    def decode(self, data: bytes, limit: int) -> bytes:
        """Up to `limit` bytes of output; pass new data only when nothing is pending."""
        if self._as_stored:
            self._stored += data
            out, self._stored = self._stored[:limit], self._stored[limit:]
            return out
        if self._finished:
            return b""
        if not self._produced:
            self._head += data
        try:
            if self._zlib is not None:
                out = self._zlib.decompress(self._zlib.unconsumed_tail + data, limit)
                self._finished = self._zlib.eof
            else:
                out = self._brotli.process(data, output_buffer_limit=limit)
                self._finished = self._brotli.is_finished()
        except _DECODE_ERRORS:
            return self._broken(limit)
        self._full = len(out) >= limit
        if out and not self._produced:
            self._produced = True
            self._head = bytearray()
        return bytes(out)

    def _broken(self, limit: int) -> bytes:
        if self._produced:  # broke off after some output: keep that, ignore the rest
            self._finished = True
            return b""
        head, self._head = bytes(self._head), bytearray()
        if self.encoding == "deflate" and not self._tried_raw:
            self._tried_raw = True
            self._start(-15)  # raw deflate, without the zlib header, as some servers send it
        else:
            self._as_stored = True
        return self.decode(head, limit)


_DECODE_ERRORS: tuple[type[Exception], ...] = (zlib.error,) + (
    (_brotli.error,) if _brotli is not None else ()
)


def warc_dir(db_path: str | Path) -> Path:
    """Where WARC files go by default: `warc/` beside the archive file."""
    return Path(db_path).parent / "warc"
