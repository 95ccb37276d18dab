"""JSON Schema (2020-12) of every JSON download, published under /schemas/export/.

These describe the exports, not the source records (schemas/*.schema.json describe those:
platforms.json holds derived fields such as status and drops indicators and internal
notes, so it does not match the source schema and is not meant to). Titles and enums
come from the source schemas and from `records.field_descriptions`, never copied.

Each published schema is self-contained (its own `$defs`), so a client needs one file.
"""

from __future__ import annotations

from typing import Any

from generator import paths, schemas
from generator.export.common import SCHEMA_VERSION, category_titles, event_labels, to_json
from generator.export.records import field_descriptions
from generator.model import Rules, Status

DIALECT = "https://json-schema.org/draft/2020-12/schema"
NAMES = ("platforms", "announcements", "platform", "announcement", "index")

_DATE = {"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"}
_URL = {"type": "string", "format": "uri", "pattern": "^https?://"}


def _nullable(node: dict[str, Any]) -> dict[str, Any]:
    return {"anyOf": [node, {"type": "null"}]}


def _str(title: str, **more: Any) -> dict[str, Any]:
    return {"title": title, "type": "string", **more}


def _enum(kind: str, path: list[str | int]) -> list[str]:
    return [str(v) for v in schemas.enum(kind, path)]


def _event_enum(field: str) -> dict[str, Any]:
    path: list[str | int] = ["history", 0, field]
    # the values and their labels, not the source schema's description: that one is
    # written for staff and cites the measures' articles
    labels = event_labels(field)
    return {
        "title": schemas.title("platform", path),
        "description": "；".join(f"{k} {labels.get(k, k)}" for k in _enum("platform", path)),
        "enum": _enum("platform", path),
    }


def _defs(rules: Rules) -> dict[str, Any]:
    d = field_descriptions(rules)
    t = schemas.title
    history = {
        "title": t("platform", ["history", 0]),
        "type": "object",
        "required": ["date", "type", "type_label", "announcement"],
        "additionalProperties": False,
        "properties": {
            "date": {"title": "日期", **_DATE},
            "type": _event_enum("type"),
            "type_label": _str("事件类型（中文）"),
            "announcement": _nullable({"type": "string"}),
            "certificate": _str(t("platform", ["history", 0, "certificate"])),
            "year": {"title": "年度", "type": "integer"},
            "result": _event_enum("result"),
            "result_label": _str("复核结果（中文）"),
            "reason": _event_enum("reason"),
            "reason_label": _str("撤销原因（中文）"),
            "level": _event_enum("level"),
            "level_label": _str("推荐级别（中文）"),
            "from": _str("原名称"),
            "to": _str("新名称"),
            "note": _str("说明"),
            "publicity_end": {"title": "公示结束日期", **_DATE},
        },
    }
    nullable_str = _nullable({"type": "string"})
    categories = list(category_titles())
    platform = {
        "title": "示范平台（导出记录）",
        "type": "object",
        "additionalProperties": False,
        "required": list(d),
        "properties": {
            "id": {
                "description": d["id"],
                "type": "string",
                "pattern": "^[a-z0-9][a-z0-9-]{2,63}$",
            },
            "name": {"description": d["name"], "type": "string"},
            "former_names": {
                "description": d["former_names"],
                "type": "array",
                "items": {"type": "string"},
            },
            "operator": {
                "description": d["operator"],
                "type": "object",
                "additionalProperties": False,
                "required": ["name", "uscc", "established"],
                "properties": {
                    "name": {"type": "string"},
                    "uscc": {"type": "string"},
                    "established": _DATE,
                },
            },
            "county": {
                "description": d["county"],
                "type": "object",
                "additionalProperties": False,
                "required": ["code", "name"],
                "properties": {"code": {"type": "string"}, "name": {"type": "string"}},
            },
            "categories": {
                "description": d["categories"],
                "type": "array",
                "items": {"enum": categories},
                "uniqueItems": True,
            },
            "services": {
                "description": d["services"],
                "type": "object",
                "propertyNames": {"enum": categories},
                "additionalProperties": {"type": "array", "items": {"type": "string"}},
            },
            "status": {"description": d["status"], "enum": [s.value for s in Status]},
            "status_code": {"description": d["status_code"], "enum": [s.slug for s in Status]},
            "certificate": {"description": d["certificate"], **nullable_str},
            "certified_on": {"description": d["certified_on"], **_nullable(_DATE)},
            "certified_year": {"description": d["certified_year"], "type": ["integer", "null"]},
            "next_review": {"description": d["next_review"], **_nullable(_DATE)},
            "revoked_on": {"description": d["revoked_on"], **_nullable(_DATE)},
            "revocation_reason": {"description": d["revocation_reason"], **nullable_str},
            "revocation_reason_code": {
                "description": d["revocation_reason_code"],
                "anyOf": [{"enum": _enum("platform", ["history", 0, "reason"])}, {"type": "null"}],
            },
            "recommender": {
                "description": d["recommender"],
                "type": "object",
                "additionalProperties": False,
                "required": ["type", "name"],
                "properties": {
                    "type": {"enum": _enum("platform", ["recommender", "type"])},
                    "code": {"type": "string"},
                    "name": {"type": "string"},
                },
            },
            "contact": {
                "description": d["contact"],
                "type": "object",
                "additionalProperties": False,
                "required": ["address", "phone", "website", "email"],
                "properties": {k: nullable_str for k in ("address", "phone", "website", "email")},
            },
            "description": {"description": d["description"], "type": "string"},
            "url": {"description": d["url"], **_URL},
            "json": {"description": d["json"], **_URL},
            "history": {
                "description": d["history"],
                "type": "array",
                "items": {"$ref": "#/$defs/event"},
            },
            "last_change": {"description": d["last_change"], **_nullable(_DATE)},
        },
    }
    announcement = {
        "title": "公告（导出记录）",
        "type": "object",
        "additionalProperties": False,
        "required": [
            "id",
            "type",
            "type_label",
            "title",
            "date",
            "issuer",
            "doc_number",
            "publicity",
            "contact",
            "body",
            "attachments",
            "url",
            "json",
            "platforms",
        ],
        "properties": {
            "id": {"title": t("announcement", ["id"]), "type": "string"},
            "type": {"title": t("announcement", ["type"]), "enum": _enum("announcement", ["type"])},
            "type_label": _str("公告类型（中文）"),
            "title": _str(t("announcement", ["title"])),
            "date": {"title": t("announcement", ["date"]), **_DATE},
            "issuer": _str("发布单位"),
            "doc_number": {"title": t("announcement", ["doc_number"]), **nullable_str},
            "publicity": _nullable(
                {
                    "title": "公示期",
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["start", "working_days", "end"],
                    "properties": {
                        "start": {"title": "开始日期", **_DATE},
                        "working_days": {"title": "工作日数", "type": "integer", "minimum": 1},
                        "end": {"title": "结束日期（由工作日推算）", **_nullable(_DATE)},
                    },
                }
            ),
            "contact": {
                "title": t("announcement", ["contact"]),
                "type": "object",
                "additionalProperties": False,
                "required": ["department", "phone", "email", "address"],
                "properties": {
                    "department": {"type": "string"},
                    "phone": {"type": "string"},
                    "email": nullable_str,
                    "address": nullable_str,
                },
            },
            "body": _str("正文（纯文本，段落之间空一行）"),
            "attachments": {
                "title": "附件",
                "type": "array",
                "items": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["title", "file", "sha256"],
                    "properties": {
                        "title": {"type": "string"},
                        "file": {"type": "string"},
                        "sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
                    },
                },
            },
            "url": {"title": "公告页面地址", **_URL},
            "json": {"title": "本记录的 JSON 文件地址", **_URL},
            "platforms": {
                "title": "涉及的平台（由平台历史推算）",
                "type": "array",
                "items": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["id", "name", "event_type", "event_type_label", "url"],
                    "properties": {
                        "id": {"type": "string"},
                        "name": {"type": "string"},
                        "event_type": {"enum": _enum("platform", ["history", 0, "type"])},
                        "event_type_label": {"type": "string"},
                        "url": _URL,
                    },
                },
            },
        },
    }
    return {"event": history, "platform": platform, "announcement": announcement}


def _envelope(site_url: str, name: str) -> dict[str, Any]:
    return {
        "$schema": {
            "title": "本文件的 JSON Schema",
            "const": paths.absolute(site_url, paths.export_schema(name)),
        },
        "schema_version": {"title": "数据格式版本", "const": SCHEMA_VERSION},
        "generated_for": {"title": "数据日期（北京时间）", **_DATE},
        "publisher": _str("发布单位"),
        "license": _str("数据许可协议"),
        "source": {"title": "名录网站", **_URL},
    }


def _document(
    site_url: str, name: str, title: str, body: dict[str, Any], defs: dict[str, Any]
) -> dict[str, Any]:
    props = {**_envelope(site_url, name), **body}
    return {
        "$schema": DIALECT,
        "$id": paths.absolute(site_url, paths.export_schema(name)),
        "title": title,
        "type": "object",
        "additionalProperties": False,
        "required": list(props),
        "properties": props,
        "$defs": defs,
    }


def export_schemas(site_url: str, rules: Rules) -> dict[str, dict[str, Any]]:
    """name -> schema, for every JSON download."""
    defs = _defs(rules)
    pdefs = {"platform": defs["platform"], "event": defs["event"]}
    adefs = {"announcement": defs["announcement"]}
    entry_url = {"type": "string", "format": "uri"}
    index_defs: dict[str, Any] = {}
    return {
        "platforms": _document(
            site_url,
            "platforms",
            "示范平台名录（platforms.json 及各年度 platforms-<年度>.json）",
            {
                "fields": {
                    "title": "字段说明",
                    "type": "object",
                    "additionalProperties": {"type": "string"},
                },
                "platforms": {"type": "array", "items": {"$ref": "#/$defs/platform"}},
            },
            pdefs,
        ),
        "platform": _document(
            site_url,
            "platform",
            "一个示范平台（platforms/<编号>.json）",
            {"platform": {"$ref": "#/$defs/platform"}},
            pdefs,
        ),
        "announcements": _document(
            site_url,
            "announcements",
            "全部公告（announcements.json）",
            {"announcements": {"type": "array", "items": {"$ref": "#/$defs/announcement"}}},
            adefs,
        ),
        "announcement": _document(
            site_url,
            "announcement",
            "一则公告（announcements/<编号>.json）",
            {"announcement": {"$ref": "#/$defs/announcement"}},
            adefs,
        ),
        "index": _document(
            site_url,
            "index",
            "全部记录文件的索引（data/index.json）",
            {
                "platforms": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "additionalProperties": False,
                        "required": [
                            "id",
                            "name",
                            "status_code",
                            "url",
                            "json",
                            "calendar",
                            "qr",
                            "plaque",
                        ],
                        "properties": {
                            "id": {"type": "string"},
                            "name": {"type": "string"},
                            "status_code": {"enum": [s.slug for s in Status]},
                            **{k: entry_url for k in ("url", "json", "calendar", "qr", "plaque")},
                        },
                    },
                },
                "announcements": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "additionalProperties": False,
                        "required": ["id", "title", "date", "url", "json"],
                        "properties": {
                            "id": {"type": "string"},
                            "title": {"type": "string"},
                            "date": _DATE,
                            "url": entry_url,
                            "json": entry_url,
                        },
                    },
                },
            },
            index_defs,
        ),
    }


def schema_files(site_url: str, rules: Rules) -> dict[str, bytes]:
    return {
        paths.export_schema(name): to_json(s) for name, s in export_schemas(site_url, rules).items()
    }
