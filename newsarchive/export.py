"""Stream articles to CSV, JSON Lines or Parquet in constant memory."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, Any

from sqlite_utils import Database

from newsarchive.storage.queries import EXPORT_COLUMNS, LIST_COLUMNS, Filters, export_rows

PARQUET_BATCH = 1000


class MissingParquetSupport(RuntimeError):
    pass


@contextmanager
def _text_output(path: str) -> Iterator[IO[str]]:
    if path == "-":
        yield sys.stdout
    else:
        with open(path, "w", encoding="utf-8", newline="") as handle:
            yield handle


def export(db: Database, fmt: str, path: str, filters: Filters) -> int:
    rows = export_rows(db, filters)
    if fmt == "parquet":
        return _parquet(rows, path)
    written = 0
    with _text_output(path) as out:
        if fmt == "csv":
            writer = csv.DictWriter(out, fieldnames=EXPORT_COLUMNS)
            writer.writeheader()
            for row in rows:
                for name in LIST_COLUMNS:
                    row[name] = json.dumps(row[name], ensure_ascii=False)
                writer.writerow(row)
                written += 1
        else:
            for row in rows:
                out.write(json.dumps(row, ensure_ascii=False) + "\n")
                written += 1
    return written


def _parquet(rows: Iterator[dict[str, Any]], path: str) -> int:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise MissingParquetSupport(
            'Parquet export needs pyarrow: pip install "newsarchive[parquet]"'
        ) from None
    schema = pa.schema(
        [
            (name, pa.list_(pa.string()) if name in LIST_COLUMNS else _arrow_type(pa, name))
            for name in EXPORT_COLUMNS
        ]
    )
    written = 0
    with pq.ParquetWriter(path, schema) as writer:
        batch: list[dict[str, Any]] = []
        for row in rows:
            batch.append(row)
            if len(batch) == PARQUET_BATCH:
                writer.write_table(pa.Table.from_pylist(batch, schema=schema))
                written += len(batch)
                batch = []
        if batch:
            writer.write_table(pa.Table.from_pylist(batch, schema=schema))
            written += len(batch)
    return written


def _arrow_type(pa: Any, name: str) -> Any:
    return pa.int64() if name in ("post_id", "word_count", "revision") else pa.string()
