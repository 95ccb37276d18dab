"""Every kind of page, at desktop and at phone width, in a real browser.

One visit per kind of page (a browser visit is the slow part), checked at three widths.
Desktop (1280 px): nothing is requested from another host, nothing is logged as a
console error, axe-core finds no serious or critical WCAG 2.0/2.1 A/AA violation.
Phone (390 px, and 320 px for sideways scrolling): the page never scrolls sideways,
tables stack or scroll inside their own box, and every tap target in the header and
the content is at least 24×24 CSS px or exempt under WCAG 2.2 SC 2.5.8 (inline in a
sentence, or spaced so that a 24 px circle around it touches no other target).
A screenshot of each is written to tests/screenshots/<kind>-<width>.png, and the tap
target sizes to tests/screenshots/tap-targets.json.
"""

from __future__ import annotations

from typing import Any

import pytest
from browserkit import (
    NARROW_PHONE,
    PHONE,
    Browsing,
    Findings,
    screenshot,
    serious_axe_violations,
    wait_for_search,
)

from generator import paths

pytestmark = pytest.mark.browser


def open_kind(b: Browsing, kind: str, path: str) -> None:
    b.open(path, expect_status=404 if kind == "404" else 200)
    if kind == "search":
        wait_for_search(b.page)


# After a resize: scrolled to the top, and two frames later (the page's resize handlers ran).
SETTLED = "() => { window.scrollTo(0, 0); return new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r))); }"

SIDEWAYS = """() => {
  const width = document.scrollingElement.scrollWidth;
  return width > window.innerWidth + 1 ? [`scrolls sideways: the page is ${width}px wide`] : [];
}"""

# Each content table either stacks (its rows are blocks) or sits in a .reg-table-wrap
# that scrolls sideways on its own and fits in the viewport.
TABLES = """() => [...document.querySelectorAll('.md-content table')].flatMap(t => {
  const row = t.querySelector('tbody tr');
  if (row && getComputedStyle(row).display === 'block') return [];
  const wrap = t.closest('.reg-table-wrap, .md-typeset__scrollwrap');
  if (!wrap) return [`table "${t.caption ? t.caption.textContent : t.id}" is neither stacked nor in a scrolling box`];
  const box = wrap.getBoundingClientRect();
  if (!['auto', 'scroll'].includes(getComputedStyle(wrap).overflowX)) return [`${wrap.className} does not scroll`];
  if (box.right > window.innerWidth + 1) return [`${wrap.className} is ${box.width}px wide`];
  // A box that scrolls must be reachable by keyboard and named (WCAG 2.1.1, 4.1.2).
  if (wrap.scrollWidth > wrap.clientWidth + 1 && !(wrap.tabIndex >= 0 && wrap.getAttribute('aria-labelledby')))
    return [`table "${t.caption ? t.caption.textContent : t.id}" scrolls in a box the keyboard cannot reach`];
  return [];
})"""

# Focusable but not seen: a control inside a visually hidden box (1 px, clipped) takes
# keyboard focus and shows nothing (WCAG 2.4.7). Material's skip link is transparent
# until focused, which checkVisibility({checkOpacity}) leaves out.
FOCUSABLE_UNSEEN = """() => {
  const focusable = [...document.querySelectorAll('a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex]')]
    .filter(el => el.tabIndex >= 0 && !el.disabled && el.checkVisibility({checkOpacity: true, checkVisibilityCSS: true}));
  const tiny = (el) => { const r = el.getBoundingClientRect(); return r.width <= 2 || r.height <= 2; };
  const unseen = focusable.filter(el => {
    for (let node = el; node && node !== document.body; node = node.parentElement)
      if (tiny(node) && getComputedStyle(node).overflow !== 'visible') return true;
    return tiny(el);
  });
  return unseen.map(el => `focusable but hidden: ${el.tagName.toLowerCase()} "${(el.textContent || '').trim().slice(0, 20)}"`);
}"""

TAP_TARGETS = """() => {
  const SELECTOR = 'a[href], button, input:not([type=hidden]), select, textarea, summary, [role=button], .md-header label.md-header__button';
  const scopes = [...document.querySelectorAll('.md-header, .md-content')];
  const describe = (el) => {
    const text = (el.textContent || el.getAttribute('aria-label') || el.getAttribute('placeholder') || '').trim().slice(0, 24);
    return el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
      (el.classList.length ? '.' + [...el.classList].slice(0, 2).join('.') : '') + (text ? ` "${text}"` : '');
  };
  const blockOf = (el) => {
    let p = el.parentElement;
    while (p && getComputedStyle(p).display.startsWith('inline')) p = p.parentElement;
    return p;
  };
  // WCAG 2.5.8 "inline": the target sits in a sentence, its size set by the line of text.
  const inSentence = (el) => {
    if (!getComputedStyle(el).display.startsWith('inline') || getComputedStyle(el).display === 'inline-block') return false;
    const block = blockOf(el);
    if (!block) return false;
    const clone = block.cloneNode(true);
    clone.querySelectorAll(SELECTOR).forEach(t => t.remove());
    return /[\\p{L}\\p{N}]/u.test(clone.textContent);
  };
  const targets = scopes.flatMap(s => [...s.querySelectorAll(SELECTOR)])
    .filter(el => el.checkVisibility({checkOpacity: true, checkVisibilityCSS: true}))
    .map(el => ({el, r: el.getBoundingClientRect()}))
    .filter(t => t.r.width > 0 && t.r.height > 0 && t.r.right > 0 && t.r.left < window.innerWidth);
  const small = (t) => t.r.width < 23.99 || t.r.height < 23.99;
  const centre = (t) => [t.r.left + t.r.width / 2, t.r.top + t.r.height / 2];
  const circleHitsRect = ([x, y], r) => {
    const dx = Math.max(r.left - x, 0, x - r.right), dy = Math.max(r.top - y, 0, y - r.bottom);
    return dx * dx + dy * dy < 144;
  };
  const failing = [], inline = [];
  for (const t of targets) {
    if (!small(t)) continue;
    if (inSentence(t.el)) { inline.push(t); continue; }
    const c = centre(t);
    const crowded = targets.some(o => o !== t && !o.el.contains(t.el) && !t.el.contains(o.el) && (
      circleHitsRect(c, o.r) || (small(o) && Math.hypot(c[0] - centre(o)[0], c[1] - centre(o)[1]) < 24)));
    if (crowded) failing.push(t);
  }
  const size = (t) => ({target: describe(t.el), width: Math.round(t.r.width * 10) / 10, height: Math.round(t.r.height * 10) / 10});
  const smallest = (list) => list.length ? size(list.reduce((a, b) => Math.min(b.r.width, b.r.height) < Math.min(a.r.width, a.r.height) ? b : a)) : null;
  const sized = targets.filter(t => !inline.includes(t));
  return {count: targets.length, inline: inline.length, smallest: smallest(sized), smallest_inline: smallest(inline),
          failing: failing.map(size)};
}"""


def test_page_kind(kind: str, kind_path: str, desktop: Browsing, tap_findings: Findings) -> None:
    page = desktop.page
    open_kind(desktop, kind, kind_path)
    screenshot(page, f"{kind}-1280")
    violations = serious_axe_violations(desktop)
    problems = [f"request to another host: {u}" for u in desktop.watch.foreign]
    problems += [f"console error: {e}" for e in desktop.watch.errors]
    problems += [f"axe {v['impact']} {v['id']} ({v['help']}): {v['nodes']}" for v in violations]
    problems += page.evaluate(FOCUSABLE_UNSEEN)

    # The same page on a phone: resizing reflows it as a phone would lay it out (the
    # viewport meta makes a phone's layout width its screen width).
    page.set_viewport_size(PHONE)
    page.evaluate(SETTLED)
    screenshot(page, f"{kind}-390")
    problems += [f"390px: {p}" for p in page.evaluate(SIDEWAYS)]
    problems += [f"390px: {p}" for p in page.evaluate(TABLES)]
    problems += [f"390px: {p}" for p in page.evaluate(FOCUSABLE_UNSEEN)]
    taps: dict[str, Any] = page.evaluate(TAP_TARGETS)
    tap_findings.data[kind] = taps
    problems += [
        f"390px: tap target {t['target']} is {t['width']}×{t['height']}px and crowded"
        for t in taps["failing"]
    ]
    page.set_viewport_size(NARROW_PHONE)
    page.evaluate(SETTLED)
    problems += [f"320px: {p}" for p in page.evaluate(SIDEWAYS)]
    assert not problems, f"{kind} ({kind_path}):\n" + "\n".join(problems)


def test_a_missing_page_helps_the_visitor(desktop: Browsing) -> None:
    page = desktop.page
    desktop.open("platforms/bd-9999/", expect_status=404)
    assert "页面不存在" in page.locator("h1").inner_text()
    assert page.locator("form[role=search] input[name=q]").count() >= 1
    page.locator(".md-content a", has_text="平台名录").click()
    page.wait_for_load_state("load")
    assert desktop.site.path_of(page.url) == paths.PLATFORMS, (
        "the 404 page's links work at any depth"
    )
