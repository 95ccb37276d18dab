"""Record text is data, never markup: the one place it is escaped for the site.

Every value a template prints passes through `finalize`, which turns it into inert
text for both HTML and Markdown: HTML special characters become entities, and so does
every ASCII punctuation mark that Markdown, attribute lists (`{: }`), Jinja-like
template expressions (`{{ }}`), pymdownx syntax or snippet includes (`--8<--`) could
read. Browsers and Pagefind decode the entities, so readers see the text unchanged.
Line breaks collapse to spaces, so a value cannot end an HTML block early, and a
direction override or isolate the value leaves open (U+202E ...) is closed at its end,
so it cannot reverse the page text that follows it.
"""

from __future__ import annotations

import re
from typing import Any

from markupsafe import Markup

_SAFE_ASCII = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ,./")
_TABLE = {c: f"&#{c};" for c in range(128) if chr(c) not in _SAFE_ASCII}
# Line breaks, tabs, Unicode line/paragraph separators and the other control characters
# (C0, DEL, C1) become spaces: the loader rejects controls in records, and a character
# reference to one (&#1;) is an HTML parse error that readers would not see anyway.
for _cp in (*range(0x20), 0x7F, *range(0x80, 0xA0), 0x2028, 0x2029):
    _TABLE[_cp] = " "


_PDF, _PDI = "\u202c", "\u2069"
_BIDI_OPEN = {
    "\u202a": _PDF,
    "\u202b": _PDF,
    "\u202d": _PDF,
    "\u202e": _PDF,
    "\u2066": _PDI,
    "\u2067": _PDI,
    "\u2068": _PDI,
}
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")


def close_bidi(text: str) -> str:
    """Append the PDF/PDI characters that close what `text` leaves open (Unicode UAX #9)."""
    if not _BIDI.search(text):
        return text
    open_: list[str] = []
    for ch in _BIDI.findall(text):
        if ch in _BIDI_OPEN:
            open_.append(_BIDI_OPEN[ch])
        elif ch == _PDI and _PDI in open_:  # closes its isolate and what was opened inside
            del open_[len(open_) - 1 - open_[::-1].index(_PDI) :]
        elif ch == _PDF and open_ and open_[-1] == _PDF:
            open_.pop()
    return text + "".join(reversed(open_))


#: Any character that `_TABLE` replaces or that `close_bidi` looks at. Most printed values
#: (Chinese text, names, dates, numbers) have none and are already inert as they are: one
#: regular-expression search instead of `str.translate` walking a dict character by character.
_UNSAFE = re.compile(
    "[" + "".join(re.escape(chr(c)) for c in sorted(_TABLE)) + "\u202a-\u202e\u2066-\u2069]"
)


def escape_text(value: Any) -> str:
    """Inert text for HTML and Markdown alike."""
    text = str(value)
    return text if _UNSAFE.search(text) is None else _inert(text)


def _inert(text: str) -> str:
    return close_bidi(text.translate(_TABLE))


def finalize(value: Any) -> Any:
    """Jinja `finalize`: every printed value is escaped unless the template marked it safe."""
    if type(value) is str:  # the common case first: record text
        if _UNSAFE.search(value) is None:
            # Nothing to escape, for HTML or Markdown: the text as it is. Jinja's own HTML
            # escaping, which follows, leaves such a string unchanged and makes it Markup.
            return value
        return Markup(_inert(value))
    if value is None:
        return ""
    if isinstance(value, Markup):
        return value
    return Markup(escape_text(value))
