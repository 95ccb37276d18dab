"""linkify: phone numbers and e-mail addresses in record text become tel:/mailto: links.

The text stays data: each piece is escaped by `escape.escape_text`; only the <a> tags
around a recognised number or address are markup, and their URLs are built from the
matched characters alone (digits and a leading "+"; the address's own characters,
escaped).
"""

from __future__ import annotations

import re

from markupsafe import Markup

from generator.render.escape import escape_text

# A Chinese landline with its area code (0312-5000618, 0312 5000618) or a mobile
# number, not inside a longer run of letters and digits (a credit code, an id); or an
# e-mail address.
_FOUND = re.compile(
    r"(?P<email>[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})"
    r"|(?<![0-9A-Za-z])(?P<phone>(?:\+86[- ]?)?(?:0\d{2,3}[- ]?\d{7,8}|1[3-9]\d{9}))(?![0-9A-Za-z])"
)


def tel(phone: str) -> str:
    """A phone number as a tel: URL path: digits and a leading + only (0312-5000618 -> 03125000618)."""
    digits = "".join(c for c in phone if c.isdigit())
    return ("+" + digits) if phone.strip().startswith("+") else digits


def linked(text: str) -> Markup:
    """Escaped text with tel:/mailto: links around phone numbers and e-mail addresses."""
    out: list[str] = []
    last = 0
    for m in _FOUND.finditer(text):
        out.append(escape_text(text[last : m.start()]))
        shown = escape_text(m.group(0))
        if m.group("email"):
            out.append(f'<a href="mailto:{shown}">{shown}</a>')
        else:
            out.append(f'<a href="tel:{tel(m.group(0))}">{shown}</a>')
        last = m.end()
    out.append(escape_text(text[last:]))
    return Markup("".join(out))
