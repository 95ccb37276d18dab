"""Every URL and output path of the site, in one place (STYLE.md 7).

URLs are site-relative with a trailing slash for pages ("platforms/bd-0007/"); the
Markdown source of a page is the same path with ".md" ("platforms/bd-0007.md").
Links inside generated pages are relative (see `relative`), so the site works under
any base path (GitHub Pages project sites, an intranet folder).
"""

from __future__ import annotations

import posixpath

HOME = ""
PLATFORMS = "platforms/"
ANNOUNCEMENTS = "announcements/"
CONDITIONS = "conditions/"
DATA = "data/"
GUIDE = "guide/"
SEARCH = "search/"
COUNTIES = "counties/"
CATEGORIES = "categories/"
LISTS = "lists/"
FEED = "feed.xml"
PAGEFIND = "pagefind/"

PLATFORMS_JSON = "data/platforms.json"
PLATFORMS_CSV = "data/platforms.csv"
PLATFORMS_XLSX = "data/platforms.xlsx"
ANNOUNCEMENTS_JSON = "data/announcements.json"
#: every per-record JSON file and every download, with their URLs (issue 14)
INDEX_JSON = "data/index.json"
ANNOUNCEMENTS_CSV = "data/announcements.csv"
HISTORY_CSV = "data/history.csv"
DATAPACKAGE = "data/datapackage.json"
STATISTICS_CSV = "data/statistics.csv"
CALENDAR = "calendar.ics"
STATISTICS = "statistics/"
EXPORT_SCHEMAS = "schemas/export/"
#: the theme's icon (Material's default: mkdocs.yml sets no theme.favicon)
FAVICON = "assets/images/favicon.png"


def platform(platform_id: str) -> str:
    return f"platforms/{platform_id}/"


def announcement(ann_id: str) -> str:
    return f"announcements/{ann_id}/"


def year_list(year: int) -> str:
    return f"lists/{year}/"


def county(code: str) -> str:
    return f"counties/{code}/"


def category(key: str) -> str:
    return f"categories/{key}/"


def year_csv(year: int) -> str:
    return f"data/platforms-{year}.csv"


def year_xlsx(year: int) -> str:
    return f"data/platforms-{year}.xlsx"


def year_json(year: int) -> str:
    return f"data/platforms-{year}.json"


def platform_json(platform_id: str) -> str:
    """Beside the page's folder (platforms/<id>/ -> platforms/<id>.json): the record's URL
    with the format as its extension, stable as long as the page's."""
    return f"platforms/{platform_id}.json"


def announcement_json(ann_id: str) -> str:
    return f"announcements/{ann_id}.json"


def platform_calendar(platform_id: str) -> str:
    return f"platforms/{platform_id}.ics"


def platform_qr(platform_id: str) -> str:
    return f"platforms/{platform_id}/qr.svg"


def platform_plaque(platform_id: str) -> str:
    """The printable plaque: one standalone HTML file, not a themed page."""
    return f"platforms/{platform_id}/plaque.html"


def export_schema(name: str) -> str:
    return f"{EXPORT_SCHEMAS}{name}.schema.json"


def source_md(url: str) -> str:
    """Markdown source path (relative to docs_dir) of a page URL.

    A section's page is its folder's index.md ("platforms/" -> "platforms/index.md"); a
    page inside a section is a file of its own ("platforms/bd-0007/" ->
    "platforms/bd-0007.md"), which MkDocs publishes at the same URL. Thousands of
    record pages then need no folder each in the staging docs folder: creating and
    above all removing 10,000 folders cost ~20 s on an ext4 disk mounted with
    `discard`, where every removed folder is a synchronous discard.
    """
    if url in ("", "/"):
        return "index.md"
    if not url.endswith("/"):
        return url
    stem = url.rstrip("/")
    return stem + ".md" if "/" in stem else stem + "/index.md"


def source_url(source: str) -> str:
    """The page URL MkDocs (use_directory_urls) gives a Markdown source path; source_md's
    inverse. A folder's index.md or README.md is the folder's page."""
    folder, _, name = source.rpartition("/")
    if name in ("index.md", "README.md"):
        return folder + "/" if folder else ""
    return source.removesuffix(".md") + "/"


def relative(from_url: str, to_url: str) -> str:
    """Relative link from one page URL to another page URL or file path."""
    base = (
        from_url if from_url.endswith("/") or from_url == "" else posixpath.dirname(from_url) + "/"
    )
    here = [part for part in base.split("/") if part]
    there = [part for part in to_url.split("/") if part]
    if "." in here or ".." in here or "." in there or ".." in there:
        rel = posixpath.relpath("/" + to_url, "/" + base)  # not a plain URL path
    else:  # what posixpath.relpath gives for plain paths, without its normalising
        common = 0
        for a, b in zip(here, there, strict=False):
            if a != b:
                break
            common += 1
        rel = "/".join([".."] * (len(here) - common) + there[common:]) or "."
    if (to_url == "" or to_url.endswith("/")) and not rel.endswith("/"):
        rel += "/"
    return "./" if rel == "./" or rel == "./." else rel


def absolute(site_url: str, url: str) -> str:
    return site_url.rstrip("/") + "/" + url
