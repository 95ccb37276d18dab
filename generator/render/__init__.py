"""render: Markdown/HTML pages for MkDocs, from the model only.

Pages are generated as files (not through MkDocs plugin hooks) so that the
configuration stays portable to Zensical. Templates are files under templates/,
rendered with autoescaping and `escape.finalize` on every printed value.
"""

from __future__ import annotations

import functools
import json
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import jinja2
from markupsafe import Markup

from generator import paths, schemas
from generator.model import (
    HOLDS_TITLE,
    Announcement,
    Platform,
    Registry,
    Status,
    cite,
    lead,
    split_paragraphs,
)
from generator.render import searchkey
from generator.render.escape import escape_text, finalize
from generator.render.linkify import linked, tel
from generator.settings import SiteConfig

TEMPLATES = Path(__file__).parent / "templates"
#: The list filter's value for "holds the title" (已认定 and 待复核 together).
HOLDING = "holding"
#: 主题分类 of a notice that names none (政府信息公开 theme of SME policy)
DEFAULT_TOPIC = "工业、交通/中小企业"
#: Order of a list of platforms by status: holders first, revoked last.
_STANDING = {
    Status.CERTIFIED: 0,
    Status.REVIEW_DUE: 0,
    Status.REVIEW_FAILED: 0,  # all still hold the title
    Status.PUBLICITY_ENDED: 1,
    Status.PUBLICITY: 1,
    Status.RECOMMENDED: 1,
    Status.REJECTED: 2,
    Status.REVOKED: 3,
}


def cn_date(d: date | None) -> str:
    return f"{d.year}年{d.month}月{d.day}日" if d else ""


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        finalize=finalize,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        # The templates are the package's own and do not change while a site is rendered:
        # no file check on each of the thousands of get_template calls (3 a page).
        auto_reload=False,
    )
    env.filters["cn_date"] = cn_date
    env.filters["iso"] = lambda d: d.isoformat() if d else ""
    return env


def front_matter(title: str, **extra: Any) -> Markup:
    """YAML front matter; JSON strings are valid YAML scalars, so no title can break it."""
    lines = ["---", f"title: {json.dumps(title, ensure_ascii=False)}"]
    for key, value in extra.items():
        lines.append(f"{key}: {json.dumps(value, ensure_ascii=False)}")
    lines.append("---")
    return Markup("\n".join(lines) + "\n")


class Renderer:
    def __init__(self, registry: Registry, site: SiteConfig) -> None:
        self.r = registry
        self.site = site
        self.env = _environment()
        self.categories = schemas.service_categories()
        self.event_labels = schemas.enum_labels("platform", ["history", 0, "type"])
        self.reason_labels = schemas.enum_labels("platform", ["history", 0, "reason"])
        self.result_labels = schemas.enum_labels("platform", ["history", 0, "result"])
        self.level_labels = schemas.enum_labels("platform", ["history", 0, "level"])
        self.supervision_labels = schemas.enum_labels("platform", ["history", 0, "kind"])
        self.ann_labels = schemas.enum_labels("announcement", ["type"])
        self.kind_labels = schemas.enum_labels("counties", ["counties", 0, "kind"])
        self.status = {p.id: p.status(registry.today) for p in registry.platforms}
        self.changed = {p.id: self._changed(p) for p in registry.platforms}
        self.status_values = list(Status)
        # Each platform's derived values once, not once for every page that shows it.
        self.years = {p.id: p.certified_year for p in registry.platforms}
        self.keys = {p.id: p.categories for p in registry.platforms}
        self.by_county: dict[str, list[Platform]] = {}
        self.by_category: dict[str, list[Platform]] = {k: [] for k in self.categories}
        self.by_year: dict[int, list[Platform]] = {}
        for p in registry.platforms:
            self.by_county.setdefault(p.county, []).append(p)
            for k in self.keys[p.id]:
                self.by_category.setdefault(k, []).append(p)
            if (y := self.years[p.id]) is not None:
                self.by_year.setdefault(y, []).append(p)
        #: (platform id, link to its page) -> its list-table row (`platform_rows`)
        self._rows: dict[tuple[str, str], str] = {}
        #: indicator key -> (its place in the schema, its title)
        self._indicators: dict[str, tuple[int, str]] = {}
        #: county names, category titles and service items as search words (`search_key`)
        self._words: dict[str, str] = {}
        self.env.globals["paragraphs"] = split_paragraphs
        self.env.globals["paths"] = paths
        self.env.globals["HOLDING"] = HOLDING
        self.env.globals["DEFAULT_TOPIC"] = DEFAULT_TOPIC
        self.env.globals["tel"] = tel
        self.env.globals["cite"] = cite
        self.env.globals["lead"] = lead
        self.publisher = _publisher(site)
        self.env.filters["linked"] = linked
        self.env.globals["site_url"] = lambda: site.site_url
        self.env.globals["data_day"] = lambda: registry.today

    # -- helpers available to templates ------------------------------------------------

    def link(self, here: str, to: str) -> str:
        return paths.relative(here, to)

    def category_titles(self, p: Platform) -> list[str]:
        return [self.categories[k][0] for k in p.categories]

    def status_of(self, p: Platform) -> Status:
        return self.status[p.id]

    def certified_year(self, p: Platform) -> int | None:
        return self.years[p.id]

    def categories_of(self, p: Platform) -> tuple[str, ...]:
        return self.keys[p.id]

    def in_county(self, code: str) -> list[Platform]:
        """The platforms of a county, in the registry's order."""
        return self.by_county.get(code, [])

    def in_category(self, key: str) -> list[Platform]:
        """The platforms offering a service category, in the registry's order."""
        return self.by_category.get(key, [])

    def in_year(self, year: int) -> list[Platform]:
        """The platforms first certified in a year (its batch), in the registry's order."""
        return self.by_year.get(year, [])

    def holding_count(self, platforms: list[Platform]) -> int:
        """How many of the platforms hold the title today."""
        return sum(1 for p in platforms if self.holds_title(p))

    def revoked_count(self, platforms: list[Platform]) -> int:
        status = self.status
        return sum(1 for p in platforms if status[p.id] is Status.REVOKED)

    def platform_rows(self, here: str, platforms: list[Platform]) -> Markup:
        """The rows of a list table on page `here` (macros.j2 `platform_row`). A row depends
        on the platform and the link to its page only, so it is made once per link: the
        list, county, category and year pages at the same depth share it."""
        row = self.env.get_template("macros.j2").module.platform_row  # type: ignore[attr-defined]
        rows = self._rows
        out = []
        for p in platforms:
            link = paths.relative(here, paths.platform(p.id))
            text = rows.get((p.id, link))
            if text is None:
                text = rows[p.id, link] = row(self, link, p)
            out.append(text)
        return Markup("".join(out))

    def holds_title(self, p: Platform) -> bool:
        return self.status[p.id] in HOLDS_TITLE

    def by_standing(self, platforms: list[Platform]) -> list[Platform]:
        """Current holders first, then those in the procedure, not certified, revoked last."""
        return sorted(platforms, key=lambda p: _STANDING[self.status[p.id]])

    def status_slugs(self, p: Platform) -> str:
        """The row's status for the list filter; holders also match the 'holding' view."""
        slug = self.status[p.id].slug
        return f"{slug} {HOLDING}" if self.holds_title(p) else slug

    def search_key(self, p: Platform) -> str:
        """The platform's key strings for Pagefind, one character a word (render.searchkey)."""
        texts = [p.name, *p.former_names, p.operator.name, p.operator.uscc, p.contact.address, p.id]
        texts += [e.certificate for e in p.history if e.certificate]
        shared = [self.r.county_name(p.county)]  # strings many platforms have
        for key, items in p.services:
            shared += [self.categories[key][0], *items]
        known = self._words
        for text in shared:
            if text not in known:
                known[text] = searchkey.spaced([text])
        return searchkey.joined([searchkey.spaced(texts), *(known[t] for t in shared)])

    def issue_url(self, p: Platform) -> str:
        if not self.site.repository:
            return ""
        query = urlencode(
            {
                "template": "report-error.yml",
                "platform-id": p.id,
                "page-url": paths.absolute(self.site.site_url, paths.platform(p.id)),
                "title": f"[信息有误] {p.name}（{p.id}）",
            },
            quote_via=quote,
        )
        return f"{self.site.repository.rstrip('/')}/issues/new?{query}"

    def source_url(self, source: str) -> str:
        if not self.site.repository:
            return ""
        return f"{self.site.repository.rstrip('/')}/blob/{self.site.branch}/{quote(source)}"

    def indicator_rows(self, p: Platform) -> list[tuple[str, list[str]]]:
        keys: list[str] = []
        for y in p.indicators:
            for k in y.values:
                if k not in keys:
                    keys.append(k)
        known = self._indicators
        for k in keys:
            if k not in known:
                title = schemas.title("platform", ["indicators", 0, *k.split(".")])
                known[k] = (_indicator_order().get(k, 999), title)
        keys.sort(key=lambda k: known[k][0])
        return [(known[k][1], [_num(y.values.get(k)) for y in p.indicators]) for k in keys]

    def event_text(self, e: Any) -> str:
        label = self.event_labels.get(e.type, e.type)
        if e.type in ("reviewed", "inspected", "evaluated"):  # 复核合格, 定期检查不合格 ...
            return f"{label}{self.result_labels.get(e.result, e.result)}"
        if e.type == "revoked":
            return f"{label}：{self.reason_labels.get(e.reason, e.reason)}"
        if e.type == "promoted":
            return f"推荐为{self.level_labels.get(e.level, e.level)}示范平台"
        if e.type == "annual_report":
            return f"报送{e.year}年度工作总结"
        if e.type == "renamed":
            return f"{label}：由“{e.from_name}”更名为“{e.to_name}”"
        if e.type == "certified":
            return f"{label}，证书编号 {e.certificate}"
        return label

    def kind_of(self, e: Any) -> str:
        """What a supervision check looked at: 服务质量, 服务收费情况 ..."""
        return self.supervision_labels.get(e.kind, e.kind)

    def publicity_sentence(self, a: Announcement) -> str:
        return f"公示期为{a.working_days}个工作日，自{cn_date(a.publicity_start)}至{cn_date(a.publicity_end)}。"

    # -- pages -----------------------------------------------------------------------------

    def _render(self, template: str, here: str, **values: Any) -> str:
        return self.env.get_template(template).render(
            r=self.r,
            R=self,
            here=here,
            today=self.r.today,
            site=self.site,
            fm=front_matter,
            **values,
        )

    def render_job(self, job: tuple[str, str, dict[str, Any]]) -> RenderedPage:
        """One page: its template prints `fm(title, ...)` first, which records the page's
        settings (title, hidden sidebars, searchable) instead of printing front matter."""
        url, template, values = job
        meta: dict[str, Any] = {}

        def fm(title: str, **extra: Any) -> Markup:
            meta.update(title=title, **extra)
            return Markup("")

        body = self.env.get_template(template).render(
            r=self.r,
            R=self,
            here=url,
            today=self.r.today,
            site=self.site,
            fm=fm,
            **values,
        )
        if "title" not in meta:
            raise ValueError(f"template {template} does not call fm(title, ...)")
        title = str(meta.pop("title"))
        return RenderedPage(
            url, title, tuple(sorted(meta.items())), body, self.lastmod(url, values)
        )

    def lastmod(self, url: str, values: Mapping[str, Any]) -> date | None:
        """The day the data shown on a page last changed (the sitemap's lastmod): the latest
        change of the platforms it shows or of its announcement; for the overview pages, of
        any record. None for pages made from the settings and the measures alone."""
        platforms: list[Platform] = []
        days: list[date] = []
        if "p" in values:
            platforms.append(values["p"])
        platforms += values.get("platforms") or ()
        if "a" in values:
            days.append(values["a"].date)
            platforms += [p for p, _ in values.get("listed") or ()]
        if url in (
            paths.HOME,
            paths.PLATFORMS,
            paths.ANNOUNCEMENTS,
            paths.LISTS,
            paths.COUNTIES,
            paths.CATEGORIES,
        ):
            platforms = list(self.r.platforms)
            days += [a.date for a in self.r.announcements]
        days += [d for p in platforms if (d := self.changed[p.id]) is not None]
        known = [d for d in days if d <= self.r.today]
        return max(known) if known else None

    def _changed(self, p: Platform) -> date | None:
        """The last day up to today on which the platform's page changed: an event, the end
        of a publicity period (公示中 -> 公示期满), a review falling due (-> 待复核)."""
        today = self.r.today
        days = [e.date for e in p.history if e.date <= today]
        days += [
            e.publicity_end + timedelta(days=1)
            for e in p.history
            if e.type == "publicity" and e.publicity_end and e.publicity_end < today
        ]
        due = p.next_review(today)
        if due is not None and due <= today:
            days.append(due)
        return max(days, default=None)

    def jobs(self) -> list[tuple[str, str, dict[str, Any]]]:
        """(url, template, values) of every page, in the site's order."""
        out: list[tuple[str, str, dict[str, Any]]] = []

        def add(url: str, template: str, **values: Any) -> None:
            out.append((url, template, values))

        r = self.r
        add(paths.HOME, "home.md.j2", counts=self._counts())
        add(paths.PLATFORMS, "platforms.md.j2", platforms=r.platforms)
        for p in r.platforms:
            add(paths.platform(p.id), "platform.md.j2", p=p)
        add(paths.ANNOUNCEMENTS, "announcements.md.j2")
        for a in r.announcements:
            add(paths.announcement(a.id), "announcement.md.j2", a=a, listed=r.listed_in(a.id))
        add(paths.LISTS, "lists.md.j2")
        for y in r.years:
            add(paths.year_list(y), "year.md.j2", year=y, platforms=self.in_year(y))
        add(paths.COUNTIES, "counties.md.j2")
        for c in r.counties:
            here = self.by_standing(self.in_county(c.code))
            add(paths.county(c.code), "county.md.j2", c=c, platforms=here)
        add(paths.CATEGORIES, "categories.md.j2")
        for key, (title, items) in self.categories.items():
            offering = self.by_standing(self.in_category(key))
            add(
                paths.category(key),
                "category.md.j2",
                key=key,
                title=title,
                items=items,
                platforms=offering,
            )
        add(paths.CONDITIONS, "conditions.md.j2")
        add(paths.DATA, "data.md.j2", fields=_download_fields(r), publisher=self.publisher)
        add(paths.STATISTICS, "statistics.md.j2", charts=_charts(r))
        return out

    def _counts(self) -> dict[str, Any]:
        by_status = Counter(self.status.values())
        by_category = Counter(
            k for p in self.r.platforms for k in p.categories if self.holds_title(p)
        )
        return {
            "holding": sum(by_status[s] for s in HOLDS_TITLE),
            "by_status": [(s, by_status[s]) for s in Status],
            "by_category": [(k, t, by_category[k]) for k, (t, _) in self.categories.items()],
            "supervision": self._supervision_counts(),
        }

    def _supervision_counts(self) -> list[tuple[int, int, int, int]]:
        """(year, 定期检查, 不定期测评, 不合格) for each year with a check, newest first."""
        by_year: dict[int, list[int]] = {}
        for p in self.r.platforms:
            for e in p.supervision(self.r.today):
                row = by_year.setdefault(e.date.year, [0, 0, 0])
                row[0 if e.type == "inspected" else 1] += 1
                row[2] += e.result == "failed"
        return [(y, row[0], row[1], row[2]) for y, row in sorted(by_year.items(), reverse=True)]


def _num(v: Any) -> str:
    if v is None:
        return "—"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


@functools.cache
def _indicator_order() -> dict[str, int]:
    node = schemas.subschema("platform", ["indicators", 0]) or {}
    order: dict[str, int] = {}
    for k, sub in (node.get("properties") or {}).items():
        if k == "year":
            continue
        if "properties" in sub:
            for k2 in sub["properties"]:
                order[f"{k}.{k2}"] = len(order)
        else:
            order[k] = len(order)
    return order


def _download_fields(registry: Registry) -> list[tuple[str, str]]:
    """(field, description) of the platform records in the downloads (platforms.json's
    `fields`): what a data user reads, not the source records' fields."""
    from generator.export.records import field_descriptions

    return list(field_descriptions(registry.rules).items())


def _publisher(site: SiteConfig) -> Any:
    """The export's Publisher from mkdocs.yml's `extra.registry` (SiteConfig.extra)."""
    from generator.export.common import Publisher

    return Publisher.from_settings(site.extra, authority=site.authority)


def _charts(registry: Registry) -> list[tuple[Any, Markup]]:
    """(dimension, its SVG chart) for the statistics page; the SVG is built with ElementTree."""
    from generator.export.stats import bar_chart, statistics

    return [(d, Markup(bar_chart(d))) for d in statistics(registry)]


@dataclass(frozen=True)
class RenderedPage:
    """A generated page: its URL, title, settings (`hide`, `pagefind`), HTML body, and the
    day its data last changed."""

    url: str
    title: str
    meta: tuple[tuple[str, Any], ...]
    body: str
    lastmod: date | None = None

    @property
    def searchable(self) -> bool:
        return bool(dict(self.meta).get("pagefind"))

    def markdown(self) -> str:
        """The page as a Markdown source with front matter (what the golden files hold)."""
        return str(front_matter(self.title, **dict(self.meta))) + self.body


def render_site(registry: Registry, site: SiteConfig) -> list[RenderedPage]:
    """Every generated page, in the site's order, rendered in this process."""
    renderer = Renderer(registry, site)
    return [renderer.render_job(job) for job in renderer.jobs()]


def render_pages(registry: Registry, site: SiteConfig) -> dict[str, str]:
    """docs-relative path -> Markdown source of every generated page (golden files)."""
    return {paths.source_md(page.url): page.markdown() for page in render_site(registry, site)}


__all__ = ["RenderedPage", "SiteConfig", "cn_date", "escape_text", "render_pages", "render_site"]
