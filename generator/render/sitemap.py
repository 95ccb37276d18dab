"""sitemap.xml and robots.txt: every page of the site, dated by its data.

MkDocs's own sitemap knows only the pages it built (here: the hand-written pages and
the shells) and dates them all with the build day; this one lists every page and gives a
generated page the day its data last changed (`RenderedPage.lastmod`), which is what a
search engine needs to know what to fetch again. Hand-written pages carry no date.
"""

from __future__ import annotations

import gzip
from collections.abc import Iterable
from datetime import date
from xml.sax.saxutils import escape

from generator import paths

SITEMAP = "sitemap.xml"
SITEMAP_GZ = "sitemap.xml.gz"
ROBOTS = "robots.txt"


def sitemap_xml(site_url: str, pages: Iterable[tuple[str, date | None]]) -> bytes:
    """A sitemap (sitemaps.org 0.9) of (page URL, lastmod) pairs, sorted by URL."""
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">',
    ]
    for url, lastmod in sorted(set(pages)):
        lines.append(
            f"  <url><loc>{escape(paths.absolute(site_url, url))}</loc>"
            + (f"<lastmod>{lastmod.isoformat()}</lastmod>" if lastmod else "")
            + "</url>"
        )
    lines.append("</urlset>")
    return ("\n".join(lines) + "\n").encode("utf-8")


def gzipped(data: bytes) -> bytes:
    return gzip.compress(data, mtime=0)


def robots_txt(site_url: str) -> bytes:
    lines = ["User-agent: *", "Allow: /"]
    if site_url:
        lines.append(f"Sitemap: {paths.absolute(site_url, SITEMAP)}")
    return ("\n".join(lines) + "\n").encode("utf-8")


def site_files(site_url: str, pages: Iterable[tuple[str, date | None]]) -> dict[str, bytes]:
    """robots.txt, and the sitemap when the site's address is known (its URLs are absolute)."""
    files = {ROBOTS: robots_txt(site_url)}
    if site_url:
        xml = sitemap_xml(site_url, pages)
        files[SITEMAP], files[SITEMAP_GZ] = xml, gzipped(xml)
    return files
