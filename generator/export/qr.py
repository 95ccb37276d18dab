"""A QR code per platform (segno, SVG) and its printable plaque.

The code holds the absolute URL of the platform's page, which is where anyone checks
whether the platform really holds the title today: a printed plaque cannot show a
revocation, the page does. Error correction level M and a fixed mask pattern (6): segno's
search for the best mask is 80% of what a code costs (5 ms instead of 1 ms, 40 s of a
10,000-platform build), and any mask decodes (tests/test_opendata.py decodes every code
with zxing-cpp); 6 is the mask that search picks most often for these URLs. `MASK = None`
restores the search.

The plaque (platforms/<id>/plaque.html) is one standalone HTML file with its own print
style and the QR code inline, not a themed MkDocs page: it is meant for paper, carries
no navigation, and 10,000 of them cost no MkDocs time. Its template is a file
(generator/render/templates/plaque.html.j2), rendered with autoescaping, so record text
stays text. A platform that does not hold the title gets a plaque saying so, not a
certificate.
"""

from __future__ import annotations

import io
from functools import cache
from pathlib import Path

import jinja2
import segno
from markupsafe import Markup

from generator import paths
from generator.export.common import Publisher, cn_date, xml_text
from generator.model import HOLDS_TITLE, Platform, Registry

TEMPLATES = Path(__file__).resolve().parent.parent / "render" / "templates"


MASK: int | None = 6


def make_qr(url: str) -> segno.QRCode:
    return segno.make_qr(url, error="m", mask=MASK)


def qr_svg(url: str, title: str) -> bytes:
    buf = io.BytesIO()
    make_qr(url).save(
        buf,
        kind="svg",
        xmldecl=False,
        svgns=True,
        nl=False,
        scale=4,
        border=4,
        title=title,
        omitsize=True,
        svgclass="reg-qr",
        lineclass=None,
        light="#fff",  # white even on a dark page
    )
    return buf.getvalue()


def verification_url(site_url: str, platform_id: str) -> str:
    return paths.absolute(site_url, paths.platform(platform_id))


@cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        finalize=lambda v: "" if v is None else v,
    )
    env.filters["cn_date"] = lambda d: cn_date(d) if d else ""
    return env


def plaque_html(
    registry: Registry, p: Platform, site_url: str, publisher: Publisher, svg: bytes
) -> bytes:
    today = registry.today
    status = registry.status(p)
    url = verification_url(site_url, p.id)
    text = (
        _environment()
        .get_template("plaque.html.j2")
        .render(
            p=p,
            status=status,
            holds_title=status in HOLDS_TITLE,
            cert=p.certification(today),
            next_review=p.next_review(today),
            county=registry.county_name(p.county),
            publisher=publisher,
            url=url,
            # segno's own SVG (numbers and the escaped title only), inline so that it prints
            qr=Markup(svg.decode("utf-8")),
            today=today,
            page=paths.relative(paths.platform_plaque(p.id), paths.platform(p.id)),
            # the theme's icon (Material's default, as mkdocs.yml sets none); without one the
            # browser asks for /favicon.ico at the host's root
            favicon=paths.relative(paths.platform_plaque(p.id), paths.FAVICON),
        )
    )
    return text.encode("utf-8")


def qr_files(registry: Registry, site_url: str, publisher: Publisher) -> dict[str, bytes]:
    out: dict[str, bytes] = {}
    for p in registry.platforms:
        svg = qr_svg(verification_url(site_url, p.id), xml_text(f"{p.name} 核验二维码"))
        out[paths.platform_qr(p.id)] = svg
        out[paths.platform_plaque(p.id)] = plaque_html(registry, p, site_url, publisher, svg)
    return out
