"""render.escape's shortcut: a value with no character the escaping would touch is printed
as it is; that must be exactly what the full escaping gives, also after Jinja's own HTML
escaping of what `finalize` returns."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import Markup, escape

from generator.render import _environment
from generator.render.escape import _TABLE, _UNSAFE, close_bidi, escape_text, finalize

# every character the table replaces, the bidi controls, and some it leaves alone
_TOUCHED = (
    "".join(chr(c) for c in sorted(_TABLE))
    + "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
_MIXED = st.text(st.sampled_from(_TOUCHED + "平台保定abcXYZ019 ,./\u00a0\u2027\u202f\u2065\u206a"))


def _full(text: str) -> str:
    return close_bidi(text.translate(_TABLE))


@settings(max_examples=500, deadline=None)
@given(st.one_of(st.text(), _MIXED))
def test_shortcut_is_the_full_escaping(text: str) -> None:
    assert escape_text(text) == _full(text)
    # what a template prints: Jinja's HTML escaping of what finalize gives
    assert str(escape(finalize(text))) == _full(text)


def test_every_touched_character_takes_the_full_path() -> None:
    for ch in _TOUCHED:
        assert _UNSAFE.search(ch), repr(ch)
    for ch in "平台abcXYZ019 ,./\u00a0\u2027\u202f\u2065\u206a\uff1c":
        assert _UNSAFE.search(ch) is None, repr(ch)


def test_finalize_other_values() -> None:
    assert finalize(-7) == "&#45;7" and isinstance(finalize(-7), Markup)
    assert finalize(None) == ""
    m = Markup("<b>x</b>")
    assert finalize(m) is m


_PRINT = _environment().from_string("{{ x }}|{{ x ~ '' }}")


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(), _MIXED))
def test_a_printed_value_is_the_full_escaping(text: str) -> None:
    full = _full(text)
    assert _PRINT.render(x=text) == f"{full}|{full}"
