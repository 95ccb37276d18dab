"""searchkey: record strings as Pagefind finds them, whatever the Chinese segmenters do.

Pagefind segments Chinese twice, differently: at index time with jieba (the extended
build), at query time in the browser with `Intl.Segmenter` (ICU's dictionary). The
same full name or address comes out as different words on each side ("徐水" against
"徐|水"), and a query word missing from the index is silently dropped, so an exact
name could rank twentieth. Both segmenters leave single characters alone, though: a
string written one character per word indexes and queries the same on both sides.

Each platform page therefore carries its key strings (name, operator, address,
certificate numbers, county, service items) in a `data-pagefind-meta` field as
single characters separated by spaces (metadata is split on spaces only, never
segmented), and the search page sends an exact (quoted) query in the same form
(docs/content/assets/searchterm.js, which splits exactly as `words` here).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

#: The metadata field that holds the key strings (removed from results before display).
FIELD = "k"


def normalize(text: str) -> str:
    """NFKC, lower case, letters and digits only (what searchterm.js keeps of a query)."""
    folded = unicodedata.normalize("NFKC", text).lower()
    return "".join(c for c in folded if unicodedata.category(c)[0] in "LN")


def words(text: str) -> list[str]:
    """A normalised string as index words: each character alone, except runs of ASCII
    letters and digits, which stay whole ("bdsf", "2021"): both segmenters keep such a run
    together, and a single-letter word would answer any unknown Latin query."""
    out: list[str] = []
    ascii_run = False
    for c in unicodedata.normalize("NFKC", text).lower():
        if unicodedata.category(c)[0] not in "LN":  # punctuation and spaces end a run
            ascii_run = False
            continue
        is_ascii = c.isascii()
        if is_ascii and ascii_run:
            out[-1] += c
        else:
            out.append(c)
        ascii_run = is_ascii
    return out


def spaced(texts: Iterable[str]) -> str:
    """The key strings as space-separated words; strings separated by a double space."""
    return joined(" ".join(words(t)) for t in texts)


def joined(parts: Iterable[str]) -> str:
    """`spaced` results (or words already spaced) as one key: separated by a double space,
    empty ones left out; spaced(a + b) == joined([spaced(a), spaced(b)])."""
    return "  ".join(p for p in parts if p)
