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


def exports(
    registry: Registry, site_url: str, publisher: Publisher = DEFAULT_PUBLISHER
) -> dict[str, bytes]:
    """Every download, feed and printable view: output path (paths.py) -> content."""
    out: dict[str, bytes] = {}
    out.update(json_files(registry, site_url, publisher))
    out.update(
        table_files(registry, site_url, publisher.authority, publisher.license, publisher.subject)
    )
    dimensions = statistics(registry)
    out[paths.STATISTICS_CSV] = to_csv(statistics_table(dimensions))
    out[paths.DATAPACKAGE] = datapackage(registry, site_url, publisher, out, dimensions)
    out.update(schema_files(site_url, registry.rules))
    out[paths.FEED] = atom_feed(registry, site_url, publisher)
    out.update(calendar_files(registry, site_url, publisher))
    out.update(qr_files(registry, site_url, publisher))
    return dict(sorted(out.items()))


__all__ = [
    "HEADER",
    "Publisher",
    "announcement_record",
    "exports",
    "is_formula_like",
    "neutralise",
    "platform_record",
]
