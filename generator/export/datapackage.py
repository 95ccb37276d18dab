"""The Frictionless data package (data/datapackage.json) describing every CSV download.

Each CSV gets a Table Schema: field types and formats, required and unique fields,
enum constraints, primary keys and the foreign keys between the tables (history rows
name a platform and an announcement). Code columns list their values with the Chinese
label of each as Table Schema v2 `categories` (value/label), and say the same in their
description for v1 readers. The package states the data licence, the sources, `created`
(the build day in Beijing) and each file's size and SHA-256, so `frictionless validate`
checks the files are the ones described.

The CSV files start with a UTF-8 byte order mark (for Excel); the resources declare the
encoding "utf-8-sig" (Python's name for it, which frictionless reads), the dialect and
the header row.
"""

from __future__ import annotations

import hashlib
import posixpath
from typing import Any

from generator import paths, schemas
from generator.export.common import (
    Publisher,
    announcement_type_labels,
    category_titles,
    event_labels,
    to_json,
)
from generator.export.stats import STATISTICS_HEADER, Dimension
from generator.export.tables import (
    ANNOUNCEMENT_HEADER,
    HEADER,
    HISTORY_HEADER,
)
from generator.model import Registry, Status

ID_PATTERN = "^[a-z0-9][a-z0-9-]{2,63}$"


def _field(name: str, type_: str = "string", description: str = "", **more: Any) -> dict[str, Any]:
    field: dict[str, Any] = {"name": name, "title": name, "type": type_}
    if description:
        field["description"] = description
    if type_ == "date":
        field["format"] = "%Y-%m-%d"
    field.update(more)
    return field


def _required(unique: bool = False, **more: Any) -> dict[str, Any]:
    constraints: dict[str, Any] = {"required": True, **more}
    if unique:
        constraints["unique"] = True
    return constraints


def _coded(name: str, labels: dict[str, str], required: bool = True) -> dict[str, Any]:
    """A code column: enum of the codes, each with its Chinese label."""
    values = list(labels)
    constraints: dict[str, Any] = {"enum": values}
    if required:
        constraints["required"] = True
    return _field(
        name,
        description="取值：" + "；".join(f"{k} {v}" for k, v in labels.items()),
        constraints=constraints,
        categories=[{"value": k, "label": v} for k, v in labels.items()],
    )


def platform_schema(registry: Registry) -> dict[str, Any]:
    rules = registry.rules
    counties = [c.name for c in registry.counties]
    fields = [
        _field(
            HEADER[0],
            description="平台编号，永不更改、永不复用",
            constraints=_required(unique=True, pattern=ID_PATTERN),
        ),
        _field(HEADER[1], constraints=_required()),
        _field(HEADER[2], constraints=_required()),
        _field(
            HEADER[3],
            description="18位统一社会信用代码（GB 32100）；在 Excel 中请作为文本导入",
            constraints=_required(),
        ),
        _field(
            HEADER[4],
            description="平台所在的县（市、区）或功能区",
            constraints=_required(enum=counties) if counties else _required(),
        ),
        _field(
            HEADER[5],
            description=f"提供的{schemas.title('platform', ['services'])}，以“、”分隔："
            + "、".join(category_titles().values()),
        ),
        _field(
            HEADER[6],
            description="数据日期当天由历史推算的状态",
            constraints=_required(enum=[s.value for s in Status]),
            categories=[{"value": s.value, "label": s.value} for s in Status],
        ),
        _field(HEADER[7], description="证书编号（最近一次认定）"),
        _field(HEADER[8], "integer", "首次认定的年度批次", constraints={"minimum": 1900}),
        _field(
            HEADER[9],
            "date",
            f"认定或上次复核合格满{rules.review_years}年（{rules.review_article}）",
        ),
        _field(HEADER[10], "date", "撤销日期，仅已撤销的平台"),
        _field(HEADER[11], description="服务电话；在 Excel 中请作为文本导入，以免丢失开头的 0"),
        _field(HEADER[12]),
        _field(HEADER[13]),
        _field(
            HEADER[14],
            description="平台页面（核验页面）地址",
            format="uri",
            constraints=_required(unique=True),
        ),
    ]
    return {"fields": fields, "primaryKey": [HEADER[0]], "missingValues": [""]}


def announcement_schema(registry: Registry) -> dict[str, Any]:
    h = ANNOUNCEMENT_HEADER
    labels = announcement_type_labels()
    fields = [
        _field(
            h[0], description="公告编号", constraints=_required(unique=True, pattern=ID_PATTERN)
        ),
        _field(h[1], constraints=_required(enum=list(labels.values()))),
        _coded(h[2], labels),
        _field(h[3], constraints=_required()),
        _field(h[4], "date", constraints=_required()),
        _field(h[5]),
        _field(h[6], "date", "仅公示公告"),
        _field(
            h[7],
            "integer",
            f"仅公示公告（{registry.rules.publicity_article}）",
            constraints={"minimum": 1},
        ),
        _field(h[8], "date", "按工作日推算，仅公示公告"),
        _field(h[9], format="uri", constraints=_required(unique=True)),
    ]
    return {"fields": fields, "primaryKey": [h[0]], "missingValues": [""]}


def history_schema() -> dict[str, Any]:
    h = HISTORY_HEADER
    fields = [
        _field(h[0], constraints=_required(pattern=ID_PATTERN)),
        _field(
            h[1], "integer", "该平台历史中的第几个事件（从 1 起）", constraints=_required(minimum=1)
        ),
        _field(h[2], "date", constraints=_required()),
        _field(h[3], constraints=_required(enum=list(event_labels("type").values()))),
        _coded(h[4], event_labels("type")),
        _field(h[5], description="相关公告编号"),
        _field(h[6]),
        _coded(h[7], event_labels("result"), required=False),
        _coded(h[8], event_labels("reason"), required=False),
    ]
    return {
        "fields": fields,
        "primaryKey": [h[0], h[1]],
        "foreignKeys": [
            {"fields": [h[0]], "reference": {"resource": "platforms", "fields": [HEADER[0]]}},
            {
                "fields": [h[5]],
                "reference": {"resource": "announcements", "fields": [ANNOUNCEMENT_HEADER[0]]},
            },
        ],
        "missingValues": [""],
    }


def statistics_schema(dimensions: tuple[Dimension, ...]) -> dict[str, Any]:
    h = STATISTICS_HEADER
    fields = [
        _field(h[0], constraints=_required(enum=[d.title for d in dimensions])),
        _coded(h[1], {d.key: d.title for d in dimensions}),
        _field(h[2], constraints=_required()),
        _field(h[3], constraints=_required()),
        _field(h[4], "integer", constraints=_required(minimum=0)),
    ]
    return {"fields": fields, "primaryKey": [h[1], h[3]], "missingValues": [""]}


def _resource(
    name: str, path: str, title: str, data: bytes, schema: dict[str, Any], description: str = ""
) -> dict[str, Any]:
    res: dict[str, Any] = {
        "name": name,
        "type": "table",
        "path": posixpath.relpath(path, posixpath.dirname(paths.DATAPACKAGE)),
        "title": title,
        "profile": "tabular-data-resource",
        "scheme": "file",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8-sig",
        "bytes": len(data),
        "hash": "sha256:" + hashlib.sha256(data).hexdigest(),
        "dialect": {"delimiter": ",", "lineTerminator": "\r\n", "quoteChar": '"', "header": True},
        "schema": schema,
    }
    if description:
        res["description"] = description
    return res


def datapackage(
    registry: Registry,
    site_url: str,
    publisher: Publisher,
    files: dict[str, bytes],
    dimensions: tuple[Dimension, ...],
) -> bytes:
    """The descriptor of the CSV files in `files` (output path -> bytes)."""
    subject = publisher.subject
    platforms = platform_schema(registry)
    resources = [
        _resource(
            "platforms",
            paths.PLATFORMS_CSV,
            f"{subject}（全部）",
            files[paths.PLATFORMS_CSV],
            platforms,
            "全部平台，一行一个，按编号排列",
        ),
        _resource(
            "announcements",
            paths.ANNOUNCEMENTS_CSV,
            "公告",
            files[paths.ANNOUNCEMENTS_CSV],
            announcement_schema(registry),
            "全部公告，新的在前",
        ),
        _resource(
            "history",
            paths.HISTORY_CSV,
            "平台历史",
            files[paths.HISTORY_CSV],
            history_schema(),
            "每个平台的历史事件（推荐、公示、认定、复核、撤销等），截至数据日期",
        ),
        _resource(
            "statistics",
            paths.STATISTICS_CSV,
            "统计",
            files[paths.STATISTICS_CSV],
            statistics_schema(dimensions),
            "统计页面上的全部数字",
        ),
    ]
    for year in registry.years:
        resources.append(
            _resource(
                f"platforms-{year}",
                paths.year_csv(year),
                f"{year}年度认定名单",
                files[paths.year_csv(year)],
                platforms,
                f"{year}年度批次认定的平台",
            )
        )
    home = paths.absolute(site_url, paths.HOME)
    descriptor = {
        "$schema": "https://specs.frictionlessdata.io/schemas/data-package.json",
        "profile": "tabular-data-package",
        "name": "platform-registry",
        "title": f"{publisher.registry_title}开放数据",
        "description": f"{publisher.authority}依据《{registry.rules.measures}》认定的{subject}"
        "及其公告、历史和统计。状态由历史按数据日期推算。",
        "homepage": paths.absolute(site_url, paths.DATA),
        "created": f"{registry.today.isoformat()}T00:00:00+08:00",
        "licenses": [
            {
                "name": publisher.license.replace(" ", "-"),
                "path": publisher.license_url,
                "title": publisher.license_title,
            }
        ],
        "sources": [
            {"title": f"{publisher.registry_title}（{publisher.authority}）", "path": home},
            {
                "title": f"《{registry.rules.measures}》",
                "path": paths.absolute(site_url, paths.CONDITIONS),
            },
        ],
        "contributors": [{"title": publisher.authority, "role": "publisher"}],
        "keywords": [schemas.title("platform", ["services"]), subject],
        "resources": resources,
    }
    return to_json(descriptor)
