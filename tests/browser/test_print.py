"""A publicity notice prints as a clean A4 document: no site chrome, the whole list, and
the issuer and date at the end, as on a paper notice."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from browserkit import Browsing

from generator import paths
from generator.model import Registry
from generator.render import cn_date
from tests.conftest import SHIPPED_PUBLISHER

pytestmark = pytest.mark.browser

PRINT_LAYOUT = """() => {
  const shown = (el) => el.checkVisibility({checkOpacity: true, checkVisibilityCSS: true});
  const chrome = {header: '.md-header', navigation: '.md-sidebar--primary', search: '.reg-header-search',
                  footer: '.md-footer', 'back to top': '.md-top'};
  const visibleChrome = Object.entries(chrome)
    .filter(([, sel]) => [...document.querySelectorAll(sel)].some(shown)).map(([name]) => name);
  const article = document.querySelector('article.reg-notice');
  const rows = [...article.querySelectorAll('.reg-table tbody tr')];
  const wrap = article.querySelector('.reg-table-wrap');
  const sign = article.querySelector('.reg-notice__sign');
  const last = [...article.children].filter(shown).pop();
  const lowest = Math.max(...[...article.children].filter(shown).map(el => el.getBoundingClientRect().bottom));
  return {visibleChrome, rows: rows.length, rowsShown: rows.filter(shown).length,
          tableFits: wrap.scrollWidth <= wrap.clientWidth + 1,
          sign: sign && shown(sign) ? sign.innerText : null,
          signLast: last === sign && sign.getBoundingClientRect().bottom >= lowest - 1};
}"""


def test_a_publicity_notice_prints_as_a_clean_a4_document(
    registry: Registry, desktop: Browsing
) -> None:
    notices = [a for a in registry.announcements if a.type == "publicity"]
    if not notices:
        pytest.skip("no publicity announcement in the data")
    notice = max(notices, key=lambda a: (len(registry.listed_in(a.id)), a.id))
    page = desktop.page
    desktop.open(paths.announcement(notice.id))
    page.emulate_media(media="print")
    layout = page.evaluate(PRINT_LAYOUT)

    assert layout["visibleChrome"] == [], f"printed with the site's {layout['visibleChrome']}"
    listed = len(registry.listed_in(notice.id))
    assert layout["rows"] == layout["rowsShown"] == listed, (
        f"printed {layout['rowsShown']} of {listed} rows"
    )
    assert layout["tableFits"], "the table is cut off at the page edge"
    assert layout["sign"] is not None, "the issuer and date are missing"
    issuer = notice.issuer or SHIPPED_PUBLISHER.authority  # none named: the site's authority
    assert issuer and issuer in layout["sign"] and cn_date(notice.date) in layout["sign"]
    assert layout["signLast"], "the issuer and date are not at the end"

    pdf = page.pdf(format="A4")
    pages = len(re.findall(rb"/Type\s*/Page(?!s)", pdf))
    assert pdf.startswith(b"%PDF-") and len(pdf) > 0 and pages >= 1, (
        f"{len(pdf)} bytes, {pages} pages"
    )
    if shutil.which("pdftotext"):  # poppler-utils, when installed: check the text on paper too
        text = subprocess.run(
            ["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True
        ).stdout.decode()
        text = re.sub(r"\s+", "", text)
        assert issuer in text and cn_date(notice.date) in text
        assert re.sub(r"\s+", "", notice.title) in text
