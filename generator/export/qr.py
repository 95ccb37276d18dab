"""A QR code per platform (SVG) and its printable plaque.

The code holds the absolute URL of the platform's page, which is where anyone checks
whether the platform really holds the title today: a printed plaque cannot show a
revocation, the page does. Error correction level M.

The codes are made by zxing-cpp (its writer, Zint, in C): 0.25 ms a code, where segno,
pure Python, took 1 ms even with a fixed mask, 10 s of a 10,000-platform build on the
critical path (benchmarks/README.md). zxing-cpp gives the modules; `svg` draws them as
one path of horizontal strokes, the SVG segno used to write (same viewBox, classes and
white background). tests/test_opendata.py rasterises every SVG and decodes it with
zxing-cpp's reader.

The plaque (platforms/<id>/plaque.html) is one standalone HTML file with its own print
style and the QR code inline, not a themed MkDocs page: it is meant for paper, carries
no navigation, and 10,000 of them cost no MkDocs time. Its template is a file
(generator/render/templates/plaque.html.j2), rendered with autoescaping, so record text
stays text. A platform that does not hold the title gets a plaque saying so, not a
certificate.
"""

from __future__ import annotations

import re
from functools import cache
from html import escape
from pathlib import Path

import jinja2
import zxingcpp
from markupsafe import Markup

from generator import paths
from generator.export.common import Publisher, cn_date, xml_text
from generator.model import HOLDS_TITLE, Platform, Registry

TEMPLATES = Path(__file__).resolve().parent.parent / "render" / "templates"

SCALE = 4  # screen pixels per module
BORDER = 4  # the quiet zone, in modules (ISO/IEC 18004)


def modules(url: str) -> list[bytes]:
    """The QR code of `url` (error correction M), one row of bytes per row of modules:
    0 dark, 255 light, without the quiet zone."""
    code = zxingcpp.create_barcode(url, zxingcpp.BarcodeFormat.QRCode, ec_level="M")
    image = code.to_image(scale=1, add_quiet_zones=False)
    rows, width = image.shape
    # an Image is a buffer of one byte per module (its stubs do not say so)
    flat = bytes(memoryview(image))  # type: ignore[arg-type]
    return [flat[y * width : (y + 1) * width] for y in range(rows)]


def svg(rows: list[bytes], title: str) -> bytes:
    """The modules as an SVG: a white square (scannable on a dark page too) and one path
    of horizontal strokes, one per run of dark modules. `title` is text (escaped here)."""
    size = len(rows) + 2 * BORDER
    strokes: list[str] = []
    for y, row in enumerate(rows):
        x = 0  # where the pen is on this row; each row starts with an absolute move
        for run in re.finditer(rb"\x00+", row):
            start, length = run.start() + BORDER, run.end() - run.start()
            move = f"M{start} {y + BORDER}.5" if x == 0 else f"m{start - x} 0"
            strokes.append(f"{move}h{length}")
            x = start + length
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size * SCALE} {size * SCALE}"'
        f' class="reg-qr"><title>{escape(title)}</title><g transform="scale({SCALE})">'
        f'<path fill="#fff" d="M0 0h{size}v{size}h-{size}z"/>'
        f'<path stroke="#000" d="{"".join(strokes)}"/></g></svg>'
    ).encode()


def qr_svg(url: str, title: str) -> bytes:
    return svg(modules(url), title)


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
            # the code's SVG (numbers and the escaped title only), inline so that it prints
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
