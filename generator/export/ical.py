"""iCalendar feeds (RFC 5545, written with the `icalendar` library) of the registry's dates.

calendar.ics holds every publicity period (start to end, with its number of working
days), every platform's next review due date and each year's annual-report deadline,
with the articles, periods and due day of data/rules.yaml. platforms/<id>.ics holds
the same dates for one platform: the publicity periods it was listed in, its review
due date and the annual-report deadlines it is bound by (from the year after its
certification until it is revoked). A publicity period or deadline is one event with one
UID wherever it appears, built and serialised once.

Every event is an all-day event. UIDs are `tag:` URIs naming what the event is (the
announcement, the platform and the review date, or the year of the deadline), so they stay the same from one
build to the next and across a move of the site. DTSTAMP is the start of the build day
in Beijing (no clock), so the same data and day give the same bytes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, time, timedelta, timezone

from icalendar import Calendar, Event

from generator import paths
from generator.export.common import Publisher, cn_date
from generator.model import Announcement, Platform, Registry, Rules

BEIJING = timezone(timedelta(hours=8))


def _stamp(today: date) -> datetime:
    return datetime.combine(today, time(), BEIJING).astimezone(UTC)


def _calendar(publisher: Publisher, name: str) -> Calendar:
    cal = Calendar()
    cal.add("prodid", f"-//{publisher.authority}//{publisher.registry_title}//ZH")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", "Asia/Shanghai")
    return cal


#: An event not built yet: its UID, and what builds it (only if that UID is not serialised yet)
Pending = tuple[str, Callable[[], Event]]


def _event(
    uid: str, start: date, end: date, summary: str, description: str, url: str, stamp: datetime
) -> Event:
    """An all-day event from `start` to `end`, both included."""
    ev = Event()
    ev.add("uid", uid)
    ev.add("dtstamp", stamp)
    ev.add("dtstart", start)
    ev.add("dtend", end + timedelta(days=1))  # DTEND of an all-day event is exclusive
    ev.add("summary", summary)
    ev.add("description", description)
    ev.add("url", url)
    ev.add("transp", "TRANSPARENT")
    return ev


def _publicity(
    a: Announcement, rules: Rules, site_url: str, publisher: Publisher, stamp: datetime
) -> Pending | None:
    start, end = a.publicity_start, a.publicity_end
    if start is None or end is None:
        return None
    uid = publisher.tag(f"announcement/{a.id}/publicity")
    return uid, lambda: _event(
        uid,
        start,
        end,
        f"公示期：{a.title}",
        f"公示期为{a.working_days}个工作日，自{cn_date(start)}至{cn_date(end)}"
        f"（{rules.publicity_article}）。对公示名单有异议的，可在公示期内提出。",
        paths.absolute(site_url, paths.announcement(a.id)),
        stamp,
    )


def _review(
    p: Platform, today: date, rules: Rules, site_url: str, publisher: Publisher, stamp: datetime
) -> Pending | None:
    due = p.next_review(today)
    if due is None or due == date.max:
        return None
    uid = publisher.tag(f"platform/{p.id}/review/{due.isoformat()}")
    return uid, lambda: _event(
        uid,
        due,
        due,
        f"复核到期：{p.name}",
        f"{p.name}（{p.id}）自认定或上次复核合格起满{rules.review_years}年，"
        f"应当复核（{rules.review_article}）。",
        paths.absolute(site_url, paths.platform(p.id)),
        stamp,
    )


def _due(rules: Rules, year: int) -> date | None:
    month, _, day = rules.annual_report_due.partition("-")
    try:
        return date(year, int(month), int(day))
    except ValueError:
        return None


def _annual(
    year: int, rules: Rules, uid: str, summary: str, url: str, stamp: datetime, authority: str
) -> Pending | None:
    due = _due(rules, year)
    if due is None:
        return None
    return uid, lambda: _event(
        uid,
        due,
        due,
        summary,
        f"示范平台每年将上一年度（{year - 1}年度）工作总结报{authority}，截止日期{cn_date(due)}"
        f"（{rules.annual_report_article}）。",
        url,
        stamp,
    )


def _deadline(
    year: int, rules: Rules, site_url: str, publisher: Publisher, stamp: datetime
) -> Pending | None:
    """The annual-report deadline of `year`: one event, in the registry's calendar and in
    the calendar of every platform that owes a report that year (one UID: a subscriber to
    several calendars sees it once; built and serialised once)."""
    return _annual(
        year,
        rules,
        publisher.tag(f"annual-report/{year}"),
        f"示范平台报送{year - 1}年度工作总结截止",
        paths.absolute(site_url, paths.CONDITIONS),
        stamp,
        publisher.authority,
    )


def _platform_annual_years(p: Platform, today: date, rules: Rules) -> Iterable[int]:
    """From the year after certification to next year, or to the last due day before
    the revocation."""
    first = p.certified_year
    if first is None:
        return ()
    revoked = p.revocation(today)
    if revoked is None:
        return range(first + 1, today.year + 2)
    due = _due(rules, revoked.date.year)
    last = revoked.date.year if due is not None and due <= revoked.date else revoked.date.year - 1
    return range(first + 1, last + 1)


_END = b"END:VCALENDAR\r\n"


def _assemble(cal: Calendar, events: Iterable[Pending | None], done: dict[str, bytes]) -> bytes:
    """The calendar with its events. Each event is built and serialised once (`done`, by
    UID) and its lines reused in every calendar that holds it: building and serialising
    are most of the cost, and a review or publicity event is in the registry's calendar
    and a platform's."""
    present = [ev for ev in events if ev is not None]
    head = cal.to_ical()
    if not head.endswith(_END):  # not the shape RFC 5545 gives it: let the library add them
        for _, build in present:
            cal.add_component(build())
        return cal.to_ical()
    parts = [head[: -len(_END)]]
    for uid, build in present:
        if uid not in done:
            done[uid] = build().to_ical()
        parts.append(done[uid])
    parts.append(_END)
    return b"".join(parts)


def registry_calendar(
    registry: Registry, site_url: str, publisher: Publisher, done: dict[str, bytes] | None = None
) -> bytes:
    rules, today, stamp = registry.rules, registry.today, _stamp(registry.today)
    cal = _calendar(publisher, f"{publisher.subject}日程")
    events: list[Pending | None] = [
        _publicity(a, rules, site_url, publisher, stamp)
        for a in sorted(registry.announcements, key=lambda a: (a.date, a.id))
    ]
    events += [
        _review(p, today, rules, site_url, publisher, stamp)
        for p in sorted(registry.platforms, key=lambda p: p.id)
    ]
    if registry.years:
        for year in range(registry.years[0] + 1, today.year + 2):
            events.append(_deadline(year, rules, site_url, publisher, stamp))
    return _assemble(cal, events, {} if done is None else done)


def platform_calendar(
    registry: Registry,
    p: Platform,
    site_url: str,
    publisher: Publisher,
    done: dict[str, bytes] | None = None,
) -> bytes:
    rules, today, stamp = registry.rules, registry.today, _stamp(registry.today)
    done = {} if done is None else done
    cal = _calendar(publisher, f"{p.name}（{p.id}）")
    events: list[Pending | None] = []
    seen: set[str] = set()
    for e in p.events_until(today):
        a = registry.announcement(e.announcement) if e.type == "publicity" else None
        if a is not None and a.id not in seen:
            seen.add(a.id)
            events.append(_publicity(a, rules, site_url, publisher, stamp))
    events.append(_review(p, today, rules, site_url, publisher, stamp))
    for year in _platform_annual_years(p, today, rules):
        events.append(_deadline(year, rules, site_url, publisher, stamp))
    return _assemble(cal, events, done)


def calendar_files(registry: Registry, site_url: str, publisher: Publisher) -> dict[str, bytes]:
    done: dict[str, bytes] = {}
    out = {paths.CALENDAR: registry_calendar(registry, site_url, publisher, done)}
    for p in registry.platforms:
        out[paths.platform_calendar(p.id)] = platform_calendar(
            registry, p, site_url, publisher, done
        )
    return out
