"""Reading a database export folder with DuckDB, and caching what is extracted.

DuckDB reads the CSV / CSV.gz files out of core: filters (item ids, the first
24 hours) run inside the engine, so the full MIMIC-III CHARTEVENTS (about 330
million rows) is streamed, never loaded whole. Memory is capped
(``BENCH_DUCKDB_MEMORY``, default 3GB; DuckDB spills to a temporary folder
past it) and threads follow the machine.

An extracted cohort is cached as Parquet under ``BENCH_CACHE_DIR`` (default
``~/.cache/icu-synthetic-privacy-bench``), keyed by the source files (names,
sizes, modification times) and the cohort definition (the loader's source and
the code tables). The cache holds patient-level rows derived from data the user
already holds; it is written with owner-only permissions and never goes into
``results/``.
"""

from __future__ import annotations

import hashlib
import inspect
import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from bench.errors import BenchInputError
from bench.resources import available_cores


@dataclass(frozen=True)
class Table:
    """One table of the export: its file and the columns a loader needs."""

    name: str
    columns: tuple[str, ...]
    required: bool = True


class Source:
    """A database export folder: finds each table's file (``NAME.csv`` or ``NAME.csv.gz``,
    any case) and checks the columns a loader will read, with one-line errors."""

    def __init__(self, data_dir: Path | str | None, database: str) -> None:
        if data_dir is None:
            raise BenchInputError(f"the {database} cohort needs --data-dir FOLDER (the database's CSV export)")
        self.folder = Path(data_dir).expanduser()
        self.database = database
        if not self.folder.is_dir():
            raise BenchInputError(f"{database}: data folder not found: {self.folder}")
        self.files = {p.name.lower(): p for p in self.folder.iterdir() if p.is_file()}
        self.paths: dict[str, Path | None] = {}

    def find(self, table: Table) -> Path | None:
        for suffix in (".csv", ".csv.gz"):
            path = self.files.get(table.name.lower() + suffix)
            if path is not None:
                return path
        if table.required:
            raise BenchInputError(f"{self.database}: table {table.name} not found in {self.folder} "
                                  f"(expected {table.name}.csv or {table.name}.csv.gz)")
        return None

    def check(self, connection, tables: list[Table]) -> None:
        """Locate every table and confirm its header has the needed columns (case-insensitive).
        A table already checked is not read again."""
        for table in tables:
            if table.name in self.paths:
                continue
            path = self.find(table)
            self.paths[table.name] = path
            if path is None:
                continue
            if path.stat().st_size == 0:
                raise BenchInputError(f"{self.database}: {path.name} is empty")
            try:
                header = connection.execute(f"DESCRIBE SELECT * FROM {self.scan(table.name)}").fetchall()
            except Exception as exc:  # duckdb raises its own error types
                raise BenchInputError(f"{self.database}: {path.name} cannot be read: {str(exc).splitlines()[0]}") from None
            present = {row[0].lower() for row in header}
            missing = [c for c in table.columns if c.lower() not in present]
            if missing:
                raise BenchInputError(f"{self.database}: {path.name} lacks column(s) {', '.join(missing)}")

    def has(self, name: str) -> bool:
        return self.paths.get(name) is not None

    def scan(self, name: str) -> str:
        """SQL table expression reading one table's file (headers, all columns as text-tolerant types)."""
        path = self.paths.get(name) or self.find(Table(name, ()))
        quoted = str(path).replace("'", "''")
        return (f"read_csv('{quoted}', header = true, all_varchar = true, delim = ',', quote = '\"', "
                f"escape = '\"', parallel = true)")

    def fingerprint(self, tables: list[Table], definition: str) -> str:
        digest = hashlib.sha256(definition.encode())
        for table in tables:
            path = self.paths.get(table.name)
            if path is not None:
                stat = path.stat()
                digest.update(f"{path.name}:{stat.st_size}:{stat.st_mtime_ns}".encode())
        return digest.hexdigest()[:20]


def connect():
    """A DuckDB connection with a memory cap and a spill folder."""
    import tempfile

    import duckdb

    connection = duckdb.connect(database=":memory:")
    connection.execute(f"SET memory_limit = '{os.environ.get('BENCH_DUCKDB_MEMORY', '3GB')}'")
    connection.execute(f"SET temp_directory = '{tempfile.gettempdir()}/bench-duckdb-spill'")
    connection.execute(f"SET threads = {available_cores()}")
    connection.execute("SET preserve_insertion_order = false")
    return connection


def extract_cached(source: Source, tables: list[Table], extract) -> pd.DataFrame:
    """Check the export, then return ``extract(source)``, cached under a key made of the
    source files and the cohort definition (the loader's module, the table layout and the code
    tables)."""
    from bench.data.real import codes, table

    connection = connect()
    source.check(connection, tables)
    connection.close()
    definition = "".join(inspect.getsource(module) for module in (inspect.getmodule(extract), table, codes))
    return cached(f"{source.database}-{source.fingerprint(tables, definition)}", lambda: extract(source))


def cached(key: str, build) -> pd.DataFrame:
    """The table cached under ``key``, or ``build()`` written there first (write, then rename)."""
    import duckdb

    folder = Path(os.environ.get("BENCH_CACHE_DIR", Path.home() / ".cache" / "icu-synthetic-privacy-bench"))
    path = folder / f"{key}.parquet"
    if path.exists():
        return duckdb.sql(f"SELECT * FROM read_parquet('{path}')").df()
    table = build()
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    partial = path.with_suffix(".parquet.partial")
    connection = duckdb.connect()
    connection.register("extracted", table)
    connection.execute(f"COPY extracted TO '{partial}' (FORMAT parquet)")
    connection.close()
    os.chmod(partial, 0o600)
    os.replace(partial, path)
    return table
