"""The Atom feed of announcements (RFC 4287).

Built with ElementTree, which escapes; characters XML 1.0 cannot carry are dropped (the
loader already rejects them, but the model can be built directly).

Ids are `tag:` URIs (RFC 4151) from the publisher's fixed tag authority, not the site's
URL: a feed reader keeps an entry it has seen when the site moves to another domain.
Each entry names the platforms it concerns as `link rel="related"` with the platform's
name as title, in the order of the announcement's page.

The summary of a non-publicity announcement is its first paragraph that is not the
salutation ("各县（市、区）工业和信息化主管部门，各有关单位："), which every notice
starts with and which would make every summary the same.
"""

from __future__ import annotations

from datetime import date
from xml.etree import ElementTree as ET

from generator import paths
from generator.export.common import (
    UTC_OFFSET,
    Publisher,
    announcement_type_labels,
    cn_date,
    sorted_announcements,
    xml_text,
)
from generator.model import Announcement, Registry

ATOM_NS = "http://www.w3.org/2005/Atom"


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    el = ET.SubElement(parent, tag, {k: xml_text(v) for k, v in attrs.items()})
    if text is not None:
        el.text = xml_text(text)
    return el


def _atom_time(day: date) -> str:
    return f"{day.isoformat()}T00:00:00{UTC_OFFSET}"


def _is_salutation(paragraph: str) -> bool:
    return paragraph.rstrip().endswith(("：", ":")) and "\n" not in paragraph.strip()


def feed_summary(registry: Registry, ann: Announcement) -> str:
    if ann.publicity_start is not None and ann.publicity_end is not None:
        count = len({p.id for p, _ in registry.listed_in(ann.id)})
        return (
            f"公示期为{ann.working_days}个工作日，自{cn_date(ann.publicity_start)}"
            f"至{cn_date(ann.publicity_end)}。拟认定名单共{count}个平台。"
        )
    paragraphs = ann.paragraphs
    return next(
        (p for p in paragraphs if not _is_salutation(p)), paragraphs[0] if paragraphs else ""
    )


def announcement_tag(publisher: Publisher, ann_id: str) -> str:
    return publisher.tag(f"announcement/{ann_id}")


def atom_feed(registry: Registry, site_url: str, publisher: Publisher) -> bytes:
    announcements = sorted_announcements(registry)
    newest = max((a.date for a in announcements), default=registry.today)
    feed = ET.Element("feed", {"xmlns": ATOM_NS, "xml:lang": "zh"})
    _sub(feed, "title", publisher.feed_title)
    _sub(feed, "id", publisher.tag("announcements"))
    _sub(feed, "updated", _atom_time(newest))
    _sub(
        feed,
        "link",
        rel="self",
        type="application/atom+xml",
        href=paths.absolute(site_url, paths.FEED),
    )
    _sub(feed, "link", rel="alternate", type="text/html", href=paths.absolute(site_url, paths.HOME))
    _sub(_sub(feed, "author"), "name", publisher.authority)
    _sub(feed, "rights", f"{publisher.license_title}（{publisher.license}）")
    labels = announcement_type_labels()
    for ann in announcements:
        url = paths.absolute(site_url, paths.announcement(ann.id))
        entry = _sub(feed, "entry")
        _sub(entry, "title", ann.title)
        _sub(entry, "id", announcement_tag(publisher, ann.id))
        _sub(entry, "link", rel="alternate", type="text/html", href=url)
        _sub(
            entry,
            "link",
            rel="alternate",
            type="application/json",
            href=paths.absolute(site_url, paths.announcement_json(ann.id)),
        )
        seen: set[str] = set()
        for platform, _event in registry.listed_in(ann.id):
            if platform.id in seen:
                continue
            seen.add(platform.id)
            _sub(
                entry,
                "link",
                rel="related",
                type="text/html",
                href=paths.absolute(site_url, paths.platform(platform.id)),
                title=platform.name,
            )
        _sub(entry, "published", _atom_time(ann.date))
        _sub(entry, "updated", _atom_time(ann.date))
        _sub(_sub(entry, "author"), "name", ann.issuer or publisher.authority)
        _sub(entry, "category", term=ann.type, label=labels.get(ann.type, ann.type))
        _sub(entry, "summary", feed_summary(registry, ann), type="text")
        _sub(entry, "content", ann.body, type="text")
    ET.indent(feed)
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True) + b"\n"
