"""JSON downloads: platforms.json, announcements.json, the per-year lists, one file per
platform and per announcement, and the index of all of them.

Every file starts with the same envelope (common.envelope) and names its JSON Schema
(`$schema`, published under /schemas/export/, see jsonschemas.py).

Choices (not fixed by DESIGN.md):
- History, last_change, certificate and revocation are "as of registry.today": an event
  dated after the build day (validation warns about it) is not yet a fact, so it is left
  out, the same way the derived status ignores it. `certified_year` and the per-year
  files follow `Platform.certified_year` / `Registry.years`, like the /lists/<year>/ pages.
- `revoked_on`/`revocation_reason` are set only while the derived status is 已撤销.
- A per-platform file holds exactly the record platforms.json holds for it, under
  "platform"; the same for announcements. Their URLs sit beside the pages' folders
  (platforms/<id>/ and platforms/<id>.json), so a page and its data share one stem.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from generator import paths
from generator.export.common import (
    Publisher,
    announcement_type_labels,
    batch,
    category_titles,
    envelope,
    event_labels,
    iso,
    label,
    or_none,
    revocation,
    sorted_announcements,
    sorted_platforms,
    to_json,
)
from generator.model import Announcement, Event, Platform, Registry, Rules, Status
from generator.schemas import title as schema_title


def _title(*path: str | int) -> str:
    return schema_title("platform", list(path))


def field_descriptions(rules: Rules) -> dict[str, str]:
    """Field -> Chinese description; articles and periods from data/rules.yaml."""
    t = _title
    statuses = "；".join(f"{s.slug} {s.value}" for s in Status)
    categories = "；".join(f"{k} {v}" for k, v in category_titles().items())
    return {
        "id": f"{t('id')}，永不更改、永不复用",
        "name": f"{t('name')}（现用名称）",
        "former_names": "曾用名称，按更名先后排列",
        "operator": f"{t('operator')}：name {t('operator', 'name')}，uscc "
        f"{t('operator', 'uscc')}，established {t('operator', 'established')}",
        "county": f"{t('county')}：code 行政区划代码，name 名称",
        "categories": f"服务类别（{t('services')}）：{categories}",
        "services": f"{t('services')}：服务类别 -> 服务项目",
        "status": "状态，按 generated_for 当日由历史推算：" + "、".join(s.value for s in Status),
        "status_code": f"状态代码：{statuses}",
        "certificate": "证书编号（最近一次认定）",
        "certified_on": "认定日期（最近一次认定）",
        "certified_year": "认定年度（首次认定的批次）",
        "next_review": f"下次复核日期：认定或上次复核合格满{rules.review_years}年（{rules.review_article}）；"
        "已撤销的为 null",
        "revoked_on": "撤销日期，未撤销的为 null",
        "revocation_reason": f"{t('history', 0, 'reason')}（中文），未撤销的为 null",
        "revocation_reason_code": f"{t('history', 0, 'reason')}代码："
        + "；".join(f"{k} {v}" for k, v in event_labels("reason").items()),
        "recommender": f"{t('recommender')}：type 类型（county 县（市、区）{rules.county_department}，"
        "association 全市性行业协会），code 推荐县代码，name 推荐县或协会名称",
        "contact": f"{t('contact')}：address 地址，phone 服务电话，website 网址，email 电子邮箱",
        "description": f"{t('description')}（纯文本）",
        "url": "平台页面地址",
        "json": "本记录的 JSON 文件地址",
        "history": f"{t('history')}，按时间顺序：date 日期，type 事件类型，type_label 事件类型（中文），"
        "announcement 相关公告编号，其余字段仅在有值时出现",
        "last_change": "最近一次事件的日期",
    }


def _recommender(registry: Registry, platform: Platform) -> dict[str, str]:
    rec = platform.recommender
    if rec.type == "county":
        return {"type": rec.type, "code": rec.code, "name": registry.county_name(rec.code)}
    return {"type": rec.type, "name": rec.name}


def history_entry(event: Event) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "date": event.date.isoformat(),
        "type": event.type,
        "type_label": label("type", event.type),
        "announcement": or_none(event.announcement),
    }
    optional: Sequence[tuple[str, Any]] = (
        ("certificate", event.certificate),
        ("year", event.year),
        ("result", event.result),
        ("result_label", label("result", event.result) if event.result else ""),
        ("reason", event.reason),
        ("reason_label", label("reason", event.reason) if event.reason else ""),
        ("level", event.level),
        ("level_label", label("level", event.level) if event.level else ""),
        ("from", event.from_name),
        ("to", event.to_name),
        ("note", event.note),
        ("publicity_end", iso(event.publicity_end)),
    )
    entry.update((k, v) for k, v in optional if v not in (None, ""))
    return entry


def platform_record(registry: Registry, platform: Platform, site_url: str) -> dict[str, Any]:
    today = registry.today
    status = registry.status(platform)
    cert = platform.certification(today)
    revoked = revocation(registry, platform)
    events = platform.events_until(today)
    c = platform.contact
    return {
        "id": platform.id,
        "name": platform.name,
        "former_names": list(platform.former_names),
        "operator": {
            "name": platform.operator.name,
            "uscc": platform.operator.uscc,
            "established": platform.operator.established.isoformat(),
        },
        "county": {"code": platform.county, "name": registry.county_name(platform.county)},
        "categories": list(platform.categories),
        "services": {k: list(items) for k, items in platform.services},
        "status": status.value,
        "status_code": status.slug,
        "certificate": or_none(cert.certificate) if cert else None,
        "certified_on": iso(cert.date) if cert else None,
        "certified_year": platform.certified_year,
        "next_review": iso(platform.next_review(today)),
        "revoked_on": iso(revoked.date) if revoked else None,
        "revocation_reason": label("reason", revoked.reason) if revoked else None,
        "revocation_reason_code": or_none(revoked.reason) if revoked else None,
        "recommender": _recommender(registry, platform),
        "contact": {
            "address": or_none(c.address),
            "phone": or_none(c.phone),
            "website": or_none(c.website),
            "email": or_none(c.email),
        },
        "description": platform.description,
        "url": paths.absolute(site_url, paths.platform(platform.id)),
        "json": paths.absolute(site_url, paths.platform_json(platform.id)),
        "history": [history_entry(e) for e in events],
        "last_change": iso(max((e.date for e in events), default=None)),
    }


def platform_list_json(
    registry: Registry,
    platforms: Sequence[Platform],
    site_url: str,
    publisher: Publisher,
    records: dict[str, dict[str, Any]],
) -> bytes:
    return to_json(
        {
            **envelope(registry, site_url, publisher, "platforms"),
            "fields": field_descriptions(registry.rules),
            "platforms": [records[p.id] for p in sorted_platforms(list(platforms))],
        }
    )


def announcement_record(
    registry: Registry, ann: Announcement, site_url: str, authority: str = ""
) -> dict[str, Any]:
    """One announcement; `authority` issues those that name no issuer (the site's)."""
    publicity = None
    if ann.publicity_start is not None:
        publicity = {
            "start": ann.publicity_start.isoformat(),
            "working_days": ann.working_days,
            "end": iso(ann.publicity_end),
        }
    c = ann.contact
    return {
        "id": ann.id,
        "type": ann.type,
        "type_label": announcement_type_labels().get(ann.type, ann.type),
        "title": ann.title,
        "date": ann.date.isoformat(),
        "issuer": ann.issuer or authority,
        "doc_number": or_none(ann.doc_number),
        "publicity": publicity,
        "contact": {
            "department": c.department,
            "phone": c.phone,
            "email": or_none(c.email),
            "address": or_none(c.address),
        },
        "body": ann.body,
        "attachments": [
            {"title": a.title, "file": a.file, "sha256": a.sha256} for a in ann.attachments
        ],
        "url": paths.absolute(site_url, paths.announcement(ann.id)),
        "json": paths.absolute(site_url, paths.announcement_json(ann.id)),
        "platforms": [
            {
                "id": p.id,
                "name": p.name,
                "event_type": e.type,
                "event_type_label": label("type", e.type),
                "url": paths.absolute(site_url, paths.platform(p.id)),
            }
            for p, e in registry.listed_in(ann.id)
        ],
    }


def json_files(registry: Registry, site_url: str, publisher: Publisher) -> dict[str, bytes]:
    """platforms.json, the per-year lists, announcements.json, one file per record, the index."""
    platforms = sorted_platforms(list(registry.platforms))
    announcements = sorted_announcements(registry)
    precs = {p.id: platform_record(registry, p, site_url) for p in platforms}
    arecs = {
        a.id: announcement_record(registry, a, site_url, publisher.authority) for a in announcements
    }
    out = {
        paths.PLATFORMS_JSON: platform_list_json(registry, platforms, site_url, publisher, precs),
        paths.ANNOUNCEMENTS_JSON: to_json(
            {
                **envelope(registry, site_url, publisher, "announcements"),
                "announcements": [arecs[a.id] for a in announcements],
            }
        ),
    }
    for year in registry.years:
        out[paths.year_json(year)] = platform_list_json(
            registry, batch(registry, year), site_url, publisher, precs
        )
    for p in platforms:
        out[paths.platform_json(p.id)] = to_json(
            {**envelope(registry, site_url, publisher, "platform"), "platform": precs[p.id]}
        )
    for a in announcements:
        out[paths.announcement_json(a.id)] = to_json(
            {**envelope(registry, site_url, publisher, "announcement"), "announcement": arecs[a.id]}
        )
    out[paths.INDEX_JSON] = to_json(_index(registry, site_url, publisher, platforms, announcements))
    return out


def _index(
    registry: Registry,
    site_url: str,
    publisher: Publisher,
    platforms: list[Platform],
    announcements: list[Announcement],
) -> dict[str, Any]:
    def url(path: str) -> str:
        return paths.absolute(site_url, path)

    return {
        **envelope(registry, site_url, publisher, "index"),
        "platforms": [
            {
                "id": p.id,
                "name": p.name,
                "status_code": registry.status(p).slug,
                "url": url(paths.platform(p.id)),
                "json": url(paths.platform_json(p.id)),
                "calendar": url(paths.platform_calendar(p.id)),
                "qr": url(paths.platform_qr(p.id)),
                "plaque": url(paths.platform_plaque(p.id)),
            }
            for p in platforms
        ],
        "announcements": [
            {
                "id": a.id,
                "title": a.title,
                "date": a.date.isoformat(),
                "url": url(paths.announcement(a.id)),
                "json": url(paths.announcement_json(a.id)),
            }
            for a in announcements
        ],
    }
