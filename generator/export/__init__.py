"""Open data, feeds and printable views, computed from the model only.

`exports(registry, site_url)` returns every download as bytes keyed by its output path
(paths.py); the write stage puts them on disk. Nothing here reads the YAML, the disk or
the clock: the model has already dropped `internal:` notes, and the build day is
`registry.today`. The same registry gives byte-identical output, XLSX included.

One module per family of artefacts:
- records: JSON (platforms.json, per-year, announcements.json, one file per record, index)
- tables: CSV and XLSX
- atom: the Atom feed
- jsonschemas: the JSON Schema of every JSON download, published on the site
- datapackage: the Frictionless data package describing the CSV files
- ical: the iCalendar feed of deadlines
- qr: a QR code per platform and its printable plaque
- stats: the numbers of the statistics page, its SVG charts and statistics.csv
"""

from __future__ import annotations

from collections.abc import Iterator

from generator import paths
from generator.export.atom import atom_feed
from generator.export.common import DEFAULT_PUBLISHER, Publisher
from generator.export.datapackage import datapackage
from generator.export.ical import calendar_files
from generator.export.jsonschemas import schema_files
from generator.export.qr import qr_files
from generator.export.records import announcement_record, json_files, platform_record
from generator.export.stats import statistics, statistics_table
from generator.export.tables import HEADER, is_formula_like, neutralise, table_files, to_csv
from generator.model import Registry


def iter_exports(
    registry: Registry, site_url: str, publisher: Publisher = DEFAULT_PUBLISHER
) -> Iterator[tuple[str, bytes]]:
    """Every download, feed and printable view as (output path (paths.py), content), one
    family of files at a time, so that a build can write each family and let it go: at
    10,000 platforms the downloads are a quarter of a gigabyte."""
    yield from json_files(registry, site_url, publisher).items()
    tables = table_files(
        registry, site_url, publisher.authority, publisher.license, publisher.subject
    )
    dimensions = statistics(registry)
    tables[paths.STATISTICS_CSV] = to_csv(statistics_table(dimensions))
    package = datapackage(registry, site_url, publisher, tables, dimensions)
    yield from tables.items()
    del tables
    yield paths.DATAPACKAGE, package
    yield from schema_files(site_url, registry.rules).items()
    yield paths.FEED, atom_feed(registry, site_url, publisher)
    yield from calendar_files(registry, site_url, publisher).items()
    yield from qr_files(registry, site_url, publisher).items()


def exports(
    registry: Registry, site_url: str, publisher: Publisher = DEFAULT_PUBLISHER
) -> dict[str, bytes]:
    """Every download, feed and printable view: output path (paths.py) -> content."""
    return dict(sorted(iter_exports(registry, site_url, publisher)))


__all__ = [
    "HEADER",
    "Publisher",
    "announcement_record",
    "exports",
    "is_formula_like",
    "iter_exports",
    "neutralise",
    "platform_record",
]
