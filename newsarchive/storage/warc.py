"""Raw captures as gzipped WARC files (ISO 28500) through warcio, and reading them back.

Each record is its own gzip member and the file is flushed after every request/response pair,
so a killed run leaves a file readable up to its last complete record. The archive points at a
capture by file name (relative to the WARC folder) and the byte offset of its response record.
"""

from __future__ import annotations

import io
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from http import HTTPStatus
from pathlib import Path
from typing import IO

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from newsarchive import __version__
from newsarchive.items import RawRecord

# Headers describing how bytes crossed the wire, not what they are: Scrapy hands over the body
# already de-chunked, so keeping them would make readers de-chunk it again.
_HOP_HEADERS = {"transfer-encoding", "connection", "keep-alive"}


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


class WarcStore:
    """Writes captures to `<folder>/<prefix>-NNNNN.warc.gz`, starting a new file past max_bytes."""

    def __init__(self, folder: str | Path, prefix: str, max_bytes: int = 1_000_000_000) -> None:
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.prefix = prefix
        self.max_bytes = max_bytes
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
        self._writer = WARCWriter(self._file, gzip=True)
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


def read_page(path: str | Path, offset: int) -> StoredPage:
    """The response record at `offset`, its body decoded of any content encoding."""
    with open(path, "rb") as stream:
        stream.seek(offset)
        try:
            for record in ArchiveIterator(stream):
                if record.rec_type == "response":
                    return _stored(record)
                break
        except (ArchiveLoadFailed, EOFError, zlib.error) as exc:
            raise ValueError(f"not a WARC record: {exc}") from None
    raise ValueError(f"no response record at offset {offset} of {path}")


def iter_pages(path: str | Path) -> Iterator[tuple[int, StoredPage]]:
    """Every response record of a file with its offset, up to the last complete record."""
    with open(path, "rb") as stream:
        records = ArchiveIterator(stream)
        try:
            for record in records:
                if record.rec_type == "response":
                    page = _stored(record)
                    yield records.get_record_offset(), page
        except (ArchiveLoadFailed, EOFError, OSError, ValueError, zlib.error):
            # A run killed mid-write leaves a partial last record: what precedes it is whole.
            return


def _stored(record: object) -> StoredPage:
    headers = record.rec_headers  # type: ignore[attr-defined]
    http = record.http_headers  # type: ignore[attr-defined]
    body = record.content_stream().read()  # type: ignore[attr-defined]
    date = headers.get_header("WARC-Date") or ""
    return StoredPage(
        url=headers.get_header("WARC-Target-URI"),
        status=int(http.get_statuscode()),
        content_type=http.get_header("Content-Type"),
        body=body,
        fetched_at=datetime.fromisoformat(date.replace("Z", "+00:00")),
    )


def warc_dir(db_path: str | Path) -> Path:
    """Where WARC files go by default: `warc/` beside the archive file."""
    return Path(db_path).parent / "warc"
