"""Streamed exports of a snapshot as JSONL or Parquet: trl-ready columns plus provenance.

Each item is frozen at snapshot time as its export record, one JSON object (``record``), so
JSONL is those lines in order, and Parquet is each batch of lines parsed by pyarrow's
(multi-threaded, C++) JSON reader against ``SCHEMA`` and written as one row group. Batches
are read with a server-side cursor and handed on before the next is read, so memory stays
flat whatever the dataset's size.
"""

import hashlib
import hmac
import json
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor

import pyarrow as pa
import pyarrow.json as pj
import pyarrow.parquet as pq
from sqlalchemy import LargeBinary, cast, type_coerce

from server.datasets.models import Dataset, DatasetItem
from server.extensions import db

BATCH = 2000
MIN_BLOCK = 1 << 20
# Free text seldom repeats: dictionary-encoding it only costs time; short labels repeat.
DICTIONARY = ["source", "site", "licence", "contributor", "contributors", "tags", "spans"]
# Min/max statistics of long free text are useless for filtering and, kept per row group
# until the footer is written, they would make memory grow with the row count.
STATISTICS = ["margin", "source", "site", "licence", "pair_id", "item_hash", "contributor"]
WRITE_OPTIONS = {
    "compression": "snappy",
    "use_dictionary": DICTIONARY,
    "write_statistics": STATISTICS,
}
FORMATS = {"jsonl": "application/x-ndjson", "parquet": "application/vnd.apache.parquet"}
SPAN = pa.struct([("start", pa.int64()), ("end", pa.int64()), ("tag", pa.string())])
SCHEMA = pa.schema(
    [
        ("prompt", pa.string()),
        ("chosen", pa.string()),
        ("rejected", pa.string()),
        ("margin", pa.float64()),
        ("source", pa.string()),
        ("site", pa.string()),
        ("licence", pa.string()),
        ("pair_id", pa.int64()),
        ("item_hash", pa.string()),
        ("contributor", pa.string()),
        ("contributors", pa.list_(pa.string())),
        ("tags", pa.list_(pa.string())),
        ("spans", pa.list_(SPAN)),
        ("correction", pa.string()),
    ]
)


def pseudonym(salt: str, address: str) -> str:
    """A contributor's pseudonym in one dataset: HMAC-SHA256(dataset salt, address), 32 hex."""
    digest = hmac.new(bytes.fromhex(salt), address.lower().encode(), hashlib.sha256)
    return digest.hexdigest()[:32]


def record(fields: dict) -> str:
    """An item's export line: the columns of SCHEMA, in order, as one JSON object. The
    Unicode line and paragraph separators are escaped, so any line splitter keeps it whole."""
    line = json.dumps({name: fields[name] for name in SCHEMA.names}, ensure_ascii=False)
    return line.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def _raw(column):
    """A text column read as its UTF-8 bytes (no decoding into Python strings)."""
    if db.session.get_bind().dialect.name == "postgresql":
        return type_coerce(db.func.convert_to(column, "UTF8"), LargeBinary)
    return type_coerce(cast(column, LargeBinary), LargeBinary)


def _lines(dataset_id: int) -> Iterator[list[bytes]]:
    """The dataset's records in order, as UTF-8 bytes, a batch at a time.

    Read through the driver's own cursor (a named, server-side one on PostgreSQL): rows are
    single byte strings, so skipping SQLAlchemy's per-row result machinery is a real saving.
    """
    query = (
        db.select(_raw(DatasetItem.record))
        .where(DatasetItem.dataset_id == dataset_id)
        .order_by(DatasetItem.position)
    )
    connection = db.session.connection()
    sql = str(query.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True}))
    driver = connection.connection.dbapi_connection
    postgres = connection.dialect.name == "postgresql"
    cursor = driver.cursor(name=f"export_{dataset_id}") if postgres else driver.cursor()
    try:
        cursor.execute(sql)
        while rows := cursor.fetchmany(BATCH):
            yield [row[0] for row in rows]
    finally:
        cursor.close()


def stream_jsonl(dataset_id: int) -> Iterator[bytes]:
    """One JSON object per line, a batch of lines per chunk."""
    for lines in _lines(dataset_id):
        yield b"\n".join(lines) + b"\n"


def to_table(lines: list[bytes]) -> pa.Table:
    """Parse a batch of records into a table of SCHEMA (blocks parse in parallel; each must
    hold a whole line)."""
    data = b"\n".join(lines)
    block = max(MIN_BLOCK, 2 * max(map(len, lines)) + 64)
    table = pj.read_json(
        pa.BufferReader(data),
        read_options=pj.ReadOptions(block_size=block),
        parse_options=pj.ParseOptions(explicit_schema=SCHEMA, unexpected_field_behavior="error"),
    )
    return table.select(SCHEMA.names)


class _Sink:
    """A write-only file that keeps what was written until ``drain`` hands it on."""

    closed = False

    def __init__(self) -> None:
        """Start empty."""
        self.parts: list[bytes] = []
        self.position = 0

    def write(self, data) -> int:
        """Keep a copy of the bytes."""
        self.parts.append(bytes(data))
        self.position += len(data)
        return len(data)

    def tell(self) -> int:
        """Bytes written so far."""
        return self.position

    def flush(self) -> None:
        """Nothing to flush."""

    def close(self) -> None:
        """Mark closed."""
        self.closed = True

    def drain(self) -> bytes:
        """Everything written since the last drain."""
        data, self.parts = b"".join(self.parts), []
        return data


def stream_parquet(dataset_id: int) -> Iterator[bytes]:
    """A Parquet file, one row group per batch, streamed as the groups are written.

    A worker thread parses and writes batch k (pyarrow releases the GIL) while this thread
    reads batch k + 1 from the database, so at most two batches are in memory.
    """
    sink = _Sink()
    writer = pq.ParquetWriter(sink, SCHEMA, **WRITE_OPTIONS)
    with ThreadPoolExecutor(1, thread_name_prefix="parquet-export") as pool:
        pending: Future | None = None
        for lines in _lines(dataset_id):
            if pending is not None:
                pending.result()
                yield sink.drain()
            pending = pool.submit(lambda batch=lines: writer.write_table(to_table(batch)))
        if pending is not None:
            pending.result()
    writer.close()
    yield sink.drain()


def stream(dataset: Dataset, fmt: str) -> Iterator[bytes]:
    """The export in a format of FORMATS (the id is read now: the stream outlives the view,
    and the session it was loaded in)."""
    dataset_id = int(dataset.id)
    return stream_parquet(dataset_id) if fmt == "parquet" else stream_jsonl(dataset_id)
