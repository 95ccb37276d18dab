"""Record text is data, never markup: the one place it is escaped for the site.

Every value a template prints passes through `finalize`, which turns it into inert
text for both HTML and Markdown: HTML special characters become entities, and so does
every ASCII punctuation mark that Markdown, attribute lists (`{: }`), Jinja-like
template expressions (`{{ }}`), pymdownx syntax or snippet includes (`--8<--`) could
read. Browsers and Pagefind decode the entities, so readers see the text unchanged.
Line breaks collapse to spaces, so a value cannot end an HTML block early.
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup

_SAFE_ASCII = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ,./")
_TABLE = {c: f"&#{c};" for c in range(128) if chr(c) not in _SAFE_ASCII}
# Line breaks, tabs, Unicode line/paragraph separators and the other control characters
# (C0, DEL, C1) become spaces: the loader rejects controls in records, and a character
# reference to one (&#1;) is an HTML parse error that readers would not see anyway.
for _cp in (*range(0x20), 0x7F, *range(0x80, 0xA0), 0x2028, 0x2029):
    _TABLE[_cp] = " "


def escape_text(value: Any) -> str:
    """Inert text for HTML and Markdown alike."""
    return str(value).translate(_TABLE)


def finalize(value: Any) -> Any:
    """Jinja `finalize`: every printed value is escaped unless the template marked it safe."""
    if value is None:
        return ""
    if isinstance(value, Markup):
        return value
    return Markup(escape_text(value))
