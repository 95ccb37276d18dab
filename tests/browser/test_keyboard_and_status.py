"""Keyboard-only use, and status shown by more than colour."""

from __future__ import annotations

import pytest
from browserkit import Browsing

from generator import paths
from generator.model import Registry, Status

pytestmark = pytest.mark.browser

FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  const box = el.getBoundingClientRect();
  return {id: el.id, tag: el.tagName.toLowerCase(), outline: style.outlineStyle,
          outlineWidth: parseFloat(style.outlineWidth), outlineColor: style.outlineColor,
          shadow: style.boxShadow, onScreen: box.width > 0 && box.height > 0 && box.bottom > 0 && box.top < innerHeight};
}"""


def ring_visible(focus: dict) -> bool:
    outlined = focus["outline"] not in ("none", "hidden") and focus["outlineWidth"] >= 1.5
    outlined = outlined and not focus["outlineColor"].endswith(", 0)")  # not transparent
    return outlined or focus["shadow"] not in ("none", "")


def test_tab_reaches_search_and_filters_with_a_visible_focus_ring(desktop: Browsing) -> None:
    page = desktop.page
    desktop.open(paths.PLATFORMS)
    wanted = ["reg-header-q", "f-q", "f-county", "f-category", "f-status", "f-year"]
    reached: list[str] = []
    rings: dict[str, dict] = {}
    for _ in range(60):
        page.keyboard.press("Tab")
        focus = page.evaluate(FOCUSED)
        if focus and focus["id"] in wanted and focus["id"] not in reached:
            reached.append(focus["id"])
            rings[focus["id"]] = focus
        if len(reached) == len(wanted):
            break
    assert reached == wanted, f"Tab reached {reached}, expected {wanted} in this order"
    unringed = {k: v for k, v in rings.items() if not (ring_visible(v) and v["onScreen"])}
    assert not unringed, f"focused but not visibly outlined: {unringed}"


def test_sort_buttons_take_keyboard_focus_and_enter(desktop: Browsing) -> None:
    page = desktop.page
    desktop.open(paths.PLATFORMS)
    button = page.locator("#reg-platforms thead button.reg-sort").first
    button.focus()
    page.keyboard.press("Enter")
    assert button.locator("xpath=..").get_attribute("aria-sort") == "ascending"
    assert ring_visible(page.evaluate(FOCUSED))


@pytest.mark.parametrize("path", [paths.HOME, paths.PLATFORMS])
def test_status_badges_say_it_in_words(path: str, registry: Registry, desktop: Browsing) -> None:
    desktop.open(path)
    badges = desktop.page.evaluate(
        """() => [...document.querySelectorAll('.reg-status')].map(b => {
          const icon = b.querySelector('.reg-status__icon');
          return {slug: [...b.classList].find(c => c.startsWith('reg-status--')).slice(12), text: b.innerText.trim(),
                  iconHidden: icon && icon.getAttribute('aria-hidden'),
                  glyph: icon && getComputedStyle(icon, '::before').content};
        })"""
    )
    assert badges
    words = {s.slug: s.value for s in Status}
    for badge in badges:
        assert badge["text"] == words[badge["slug"]], badge
        assert badge["iconHidden"] == "true", f"the icon of {badge['text']} is read out: {badge}"
        assert badge["glyph"] not in ("none", "normal", '""'), f"{badge['text']} has no icon"
    glyphs = {b["slug"]: b["glyph"] for b in badges}
    assert len(set(glyphs.values())) == len(glyphs), f"two statuses share an icon: {glyphs}"
