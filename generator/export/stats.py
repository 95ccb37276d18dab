"""The numbers of the statistics page, its static SVG charts, and statistics.csv.

One computation serves the page's charts, the page's tables and the download, so the
three always agree. Charts are plain SVG built with ElementTree (which escapes every
label): no script, no external request, readable without CSS. Each chart carries a
<title> and <desc> for screen readers, and the page repeats its numbers as a table.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from xml.etree import ElementTree as ET

from generator.export.common import category_titles, xml_text
from generator.export.tables import Cell, Table
from generator.model import HOLDS_TITLE, Registry, Status


@dataclass(frozen=True)
class Group:
    code: str
    label: str
    count: int


@dataclass(frozen=True)
class Dimension:
    key: str  # year | county | category | status
    title: str  # caption of the chart and the table
    unit_note: str  # what is counted
    groups: tuple[Group, ...]
    #: whether the groups add up to a number of platforms (a platform offers several categories)
    additive: bool = True

    @property
    def total(self) -> int:
        return sum(g.count for g in self.groups)


def statistics(registry: Registry) -> tuple[Dimension, ...]:
    """By batch year, county, service category and status, in the site's orders."""
    status = {p.id: registry.status(p) for p in registry.platforms}
    holding = [p for p in registry.platforms if status[p.id] in HOLDS_TITLE]
    years = Counter(p.certified_year for p in registry.platforms if p.certified_year)
    counties = Counter(p.county for p in holding)
    categories = Counter(k for p in holding for k in p.categories)
    statuses = Counter(status.values())
    return (
        Dimension(
            "year",
            "各年度认定的平台数",
            "该年度批次认定的平台（含其后撤销的）",
            tuple(Group(str(y), f"{y}年度", years[y]) for y in registry.years),
        ),
        Dimension(
            "county",
            "各县（市、区）现有示范平台数",
            "现持有示范平台称号的平台（已认定、待复核）",
            tuple(Group(c.code, c.name, counties[c.code]) for c in registry.counties),
        ),
        Dimension(
            "category",
            "各服务类别现有示范平台数",
            "现持有示范平台称号、提供该类服务的平台（一个平台可提供多类服务）",
            tuple(Group(k, t, categories[k]) for k, t in category_titles().items()),
            additive=False,
        ),
        Dimension(
            "status",
            "各状态的平台数",
            "名录中的全部平台，按数据日期的状态",
            tuple(Group(s.slug, s.value, statuses[s]) for s in Status),
        ),
    )


STATISTICS_HEADER = ("统计项", "统计项代码", "分组", "分组代码", "平台数")


def statistics_table(dimensions: tuple[Dimension, ...]) -> Table:
    rows: list[tuple[Cell, ...]] = [
        (d.title, d.key, g.label, g.code, g.count) for d in dimensions for g in d.groups
    ]
    return Table(STATISTICS_HEADER, rows)


# -- SVG ----------------------------------------------------------------------------------

SVG_NS = "http://www.w3.org/2000/svg"
_BAR = 22
_GAP = 8
_LABEL_W = 150
_BAR_W = 360
_NUM_W = 50
_TOP = 8


def bar_chart(dim: Dimension) -> str:
    """A horizontal bar chart of one dimension as an SVG element (a string of XML)."""
    n = len(dim.groups)
    height = _TOP * 2 + n * (_BAR + _GAP)
    width = _LABEL_W + _BAR_W + _NUM_W
    most = max((g.count for g in dim.groups), default=0) or 1
    title_id, desc_id = f"chart-{dim.key}-title", f"chart-{dim.key}-desc"
    svg = ET.Element(
        "svg",
        {
            "xmlns": SVG_NS,
            "class": "reg-chart",
            "viewBox": f"0 0 {width} {height}",
            # as wide as the column up to its own width, the height following (phones)
            "width": "100%",
            "style": f"max-width:{width}px;height:auto",
            "role": "img",
            "aria-labelledby": f"{title_id} {desc_id}",
            "font-size": "14",
        },
    )
    ET.SubElement(svg, "title", {"id": title_id}).text = xml_text(dim.title)
    ET.SubElement(svg, "desc", {"id": desc_id}).text = xml_text(
        "；".join(f"{g.label} {g.count}" for g in dim.groups)
    )
    for i, g in enumerate(dim.groups):
        y = _TOP + i * (_BAR + _GAP)
        mid = str(y + _BAR / 2)
        label = ET.SubElement(
            svg,
            "text",
            {
                "x": str(_LABEL_W - 8),
                "y": mid,
                "text-anchor": "end",
                "dominant-baseline": "central",
                "fill": "currentColor",
            },
        )
        label.text = xml_text(g.label)
        w = round(_BAR_W * g.count / most, 1)
        ET.SubElement(
            svg,
            "rect",
            {
                "x": str(_LABEL_W),
                "y": str(y),
                "width": str(w),
                "height": str(_BAR),
                "fill": "#1f5f99",
                "class": "reg-chart__bar",
            },
        )
        num = ET.SubElement(
            svg,
            "text",
            {
                "x": str(_LABEL_W + w + 6),
                "y": mid,
                "dominant-baseline": "central",
                "fill": "currentColor",
            },
        )
        num.text = str(g.count)
    return ET.tostring(svg, encoding="unicode", short_empty_elements=False)
