"""What every export shares: the publisher's identity, labels from the schema, small helpers.

Labels (event types, reasons, categories, announcement types) are read from the source
schemas (STYLE.md 4), never copied here.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any

from generator import paths, schemas
from generator.model import Announcement, Event, Platform, Registry, Status

SCHEMA_VERSION = "1.0"
#: Beijing time; announcements carry a date only, published at the start of that day.
UTC_OFFSET = "+08:00"


@dataclass(frozen=True)
class Publisher:
    """Who publishes the registry, of what, under which licence: the strings another
    bureau changes to reuse the project. `from_settings` reads them from mkdocs.yml's
    `extra.registry`; the defaults name no city (every site configures its own, see
    mkdocs.yml and examples/)."""

    #: the full name of the authority: the publisher, and the issuer of announcements
    #: that name none
    authority: str = ""
    #: the kind of platform, with its city: "<subject>公告", "<subject>名录", ...
    subject: str = "中小企业公共服务示范平台"
    license: str = "CC BY 4.0"
    license_url: str = "https://creativecommons.org/licenses/by/4.0/"
    license_title: str = "知识共享署名 4.0 国际许可协议"
    #: authority and date of `tag:` URIs (RFC 4151): a domain the publisher held on that
    #: date. Fixed, so that Atom ids and iCalendar UIDs survive a move of the site.
    tag_authority: str = "registry.example"
    tag_date: str = "2025"

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any], **override: str) -> Publisher:
        """From mkdocs.yml's `extra.registry` (keys authority, subject, data_license,
        data_license_url, data_license_title, tag_authority, tag_date); a missing or
        empty key keeps the default."""
        keys = {
            "authority": "authority",
            "subject": "subject",
            "license": "data_license",
            "license_url": "data_license_url",
            "license_title": "data_license_title",
            "tag_authority": "tag_authority",
            "tag_date": "tag_date",
        }
        values = {f: str(settings[k]) for f, k in keys.items() if settings.get(k)}
        values.update((k, v) for k, v in override.items() if v)
        return cls(**values)

    @property
    def registry_title(self) -> str:
        return f"{self.subject}名录"

    @property
    def feed_title(self) -> str:
        return f"{self.subject}公告"

    def tag(self, specific: str) -> str:
        return f"tag:{self.tag_authority},{self.tag_date}:{specific}"


DEFAULT_PUBLISHER = Publisher()


# -- labels from the schema (STYLE.md 4) -------------------------------------------------


@cache
def event_labels(field: str) -> dict[str, str]:
    return schemas.enum_labels("platform", ["history", 0, field])


@cache
def announcement_type_labels() -> dict[str, str]:
    return schemas.enum_labels("announcement", ["type"])


@cache
def category_titles() -> dict[str, str]:
    return {key: title for key, (title, _items) in schemas.service_categories().items()}


def label(field: str, value: str) -> str:
    return event_labels(field).get(value, value)


# -- small helpers ----------------------------------------------------------------------


def iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def or_none(text: str) -> str | None:
    return text or None


def cn_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def to_json(data: Any) -> bytes:
    return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def sorted_announcements(registry: Registry) -> list[Announcement]:
    """Newest first; the same day in id order."""
    return sorted(registry.announcements, key=lambda a: (-a.date.toordinal(), a.id))


def sorted_platforms(platforms: tuple[Platform, ...] | list[Platform]) -> list[Platform]:
    return sorted(platforms, key=lambda p: p.id)


def batch(registry: Registry, year: int) -> list[Platform]:
    return [p for p in registry.platforms if p.certified_year == year]


def revocation(registry: Registry, platform: Platform) -> Event | None:
    """The revocation in force: set only while the derived status is 已撤销."""
    if registry.status(platform) is not Status.REVOKED:
        return None
    return platform.revocation(registry.today)


def envelope(
    registry: Registry, site_url: str, publisher: Publisher, schema: str
) -> dict[str, Any]:
    """What every JSON download starts with: its schema, version, day, publisher, licence, source."""
    return {
        "$schema": paths.absolute(site_url, paths.export_schema(schema)),
        "schema_version": SCHEMA_VERSION,
        "generated_for": registry.today.isoformat(),
        "publisher": publisher.authority,
        "license": publisher.license,
        "source": paths.absolute(site_url, paths.HOME),
    }


_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(text: str) -> str:
    """Text XML 1.0 can carry: characters it cannot are dropped. XML parsers turn CR and
    CRLF into LF; normalised here so that the text round-trips exactly."""
    return _XML_ILLEGAL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
