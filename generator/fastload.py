"""A fast reader for the plain subset of YAML our records are written in.

``parse(text)`` returns ``(data, lines)`` exactly as load's strict path would build
them, or None when it is not sure. It is an accelerator, not a second loader: load
runs the strict path (PyYAML events, every refusal and message) whenever this
returns None, so anything unusual, wrong or merely unfamiliar goes there.

What it reads (anything else: None):
- block mappings ``key: value`` with keys ``[A-Za-z_][A-Za-z0-9_]*`` that stay text,
  each key once, and values on the same line or a block below ``key:``;
- block sequences ``- value`` and ``- key: value`` (a mapping as a list item),
  indented deeper than their parent key;
- flow sequences and mappings closed on the line they open, nested or not;
- single-line scalars: plain (typed by load's own ``_resolve_plain``), double-quoted
  without backslashes, single-quoted;
- literal block scalars ``|`` and ``|-`` whose first line holds text;
- blank lines, full-line comments, `` # comment`` after a value.

Not read (None): tabs, CR, document markers and directives, anchors, aliases, tags,
``?`` keys, quoted keys, folded and ``|+`` block scalars, other scalars spanning lines,
empty list items, a block sequence at its key's own indentation, plain scalars holding
characters that YAML could read as syntax (``: ``, ``#``, brackets; in flows also
``:``, ``?``, quotes, a leading ``-``), nesting beyond half of load's depth limit, more
than half of its node limit. The characters load refuses never get here.

Where the time goes: each distinct line is read once per process (a regular
expression, then a bounded cache by line text, as records share most of their lines);
a document is then one walk over its rows by indentation.

Both paths are compared on every shipped, fixture and synthetic file and on generated
and mutated inputs in tests/test_fastload.py.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from generator import load as _load

PathKey = tuple[str | int, ...]

_KEY = r"[A-Za-z_][A-Za-z0-9_]{0,127}"
# What no plain scalar may start with (PyYAML's check_plain, plus space and line end);
# "-" may start one when a non-space follows, and is left to the general path.
_NOT_FIRST = r"\-?:,\[\]{}#&*!|>'\"%@` \n"
# A plain scalar in block context that surely is one scalar: no ": ", no "#", no
# brackets, no ":" or space at the end. (Brackets would be fine; refusing them costs
# nothing.)
_BLOCK_PLAIN = rf"[^{_NOT_FIRST}][^:\[\]{{}}#\n]*(?::[^ :\[\]{{}}#\n][^:\[\]{{}}#\n]*)*(?<! )"
# A plain scalar in a flow collection: words without the characters that YAML (1.1 in
# PyYAML, 1.1-ish in libyaml) might read differently, separated by spaces. What follows
# it must be a comma or bracket (else the general path decides).
_FLOW_PLAIN = rf"[^{_NOT_FIRST}][^ ,\[\]{{}}#:?'\"\n]*(?: +[^ ,\[\]{{}}#:?'\"\n]+)*"
# Any line: indentation, "- " (with the spaces after it), "key:" (with the spaces
# after it), then the value as a plain scalar of the common kind, a flow collection
# on one line, or else anything (blank, comment, the rest).
_LINE = re.compile(
    rf"( *)(- +)?(?:({_KEY}):(?: +|$))?(?:({_BLOCK_PLAIN})$|([\[{{].*[\]}}])$|(.*)$)"
)
# The items of a flow collection of scalars, each with the "{", "[" or "," before it:
# split() gives the items and, between them, what they do not account for (nothing,
# when the collection is this simple).
_MAP_ITEM = re.compile(rf'(?:^\{{|,) *({_KEY}): +(?:"([^"\\\n]*)"|({_FLOW_PLAIN})) *')
_SEQ_ITEM = re.compile(rf'(?:^\[|,) *(?:"([^"\\\n]*)"|({_FLOW_PLAIN})) *')
# For the general path.
_FLOW_KEY = re.compile(rf"({_KEY}): +")
_FLOW_PLAIN_ANY = re.compile(r"[^,\[\]{}#:?'\"]+")
_BLOCK_PLAIN_UNSURE = re.compile(r": |:$|[\[\]{}#]")
_INDICATORS = frozenset("-?:,[]{}#&*!|>'\"%@`")

_MISSING: Any = object()
# Typed plain scalars seen before ("2021", "86.5", "2021-10-18", "null"...) and keys
# known to be text: records repeat them a lot. Bounded so that no input grows them
# without end.
_TYPED: dict[str, Any] = {}
_TEXT_KEYS: set[str] = set()
_CACHE_MAX = 20_000
# Longer lines and scalars (descriptions, notes) are seldom repeated; not keeping them
# also bounds the memory the caches take, whatever the input.
_CACHED_LENGTH = 200


def _typed(plain: str) -> Any:
    """load._resolve_plain, remembered."""
    value = _TYPED.get(plain, _MISSING)
    if value is _MISSING:
        value = _load._resolve_plain(plain)
        if len(_TYPED) < _CACHE_MAX and len(plain) <= _CACHED_LENGTH:
            _TYPED[plain] = value
    return value


def _is_text_key(key: str) -> bool:
    """False for the keys the strict path refuses (null, true, ...): it explains them."""
    if key in _TEXT_KEYS:
        return True
    if not isinstance(_load._resolve_plain(key), str):
        return False
    if len(_TEXT_KEYS) < _CACHE_MAX:
        _TEXT_KEYS.add(key)
    return True


class _Unsure(Exception):
    """Raised anywhere in the parse: leave this text to the strict path."""


def parse(text: str, max_depth: int | None = None, max_nodes: int | None = None) -> Any:
    """``(data, lines)`` for ``text``, exactly as the strict path builds them, or None.

    ``max_depth``/``max_nodes`` are load's limits (read at call time, so a test can
    lower them); well before either is reached the strict path takes over and
    reports.
    """
    if "\t" in text or "\r" in text:
        return None
    depth = _load.MAX_DEPTH if max_depth is None else max_depth
    nodes = _load.MAX_NODES if max_nodes is None else max_nodes
    try:
        reader = _Reader(text, depth // 2, nodes // 2)
        data = reader.document()
    except _Unsure:
        return None
    except Exception:  # noqa: BLE001 — IndexError at a line's end, and anything unforeseen
        # Never worse than without the fast path: the strict path reads it and reports.
        return None
    return data, reader.lines


# What a line holds after its indentation, dash and key (the row's "kind"):
_PLAIN = 0  # a scalar on the line; the payload is its value
_NOTHING = 1  # nothing or a comment: the value is below, or null
_FLOW_MAP = 2  # a flow mapping of scalars; the payload is its (key, value) pairs
_FLOW_SEQ = 3  # a flow sequence of scalars; the payload is its values
_OTHER = 4  # anything else; the payload is the text, for the general path
_REFUSED = 5  # a key the strict path refuses
# (indentation, length of "- " with its spaces or 0, key or None, kind, payload)
_Row = tuple[int, int, str | None, int, Any]

# Rows by line text. A line means the same wherever it is, and records share most of
# their lines (keys with common values, list items); a folder of records reads each
# distinct line once. Emptied when full, so its size is bounded.
_ROWS: dict[str, _Row | None] = {}
_ROWS_MAX = 50_000


def _row(line: str) -> _Row | None:
    """What one line holds, or None for a blank or comment line."""
    # Every part of the expression is optional: it matches any line.
    spaces, dash, key, plain, flow, other = _LINE.match(line).groups()  # type: ignore[union-attr]
    if not (dash or key or plain or flow) and (not other or other.lstrip(" ")[:1] == "#"):
        return None
    indent = len(spaces)
    step = len(dash) if dash else 0
    if key is not None and not _is_text_key(key):
        return indent, step, key, _REFUSED, None
    if plain is not None:
        return indent, step, key, _PLAIN, _typed(plain)
    if flow is not None:
        found = _simple_flow(flow)
        if found is not None:
            return indent, step, key, found[0], found[1]
        other = flow
    other = other.rstrip(" ")
    if not other or other[0] == "#":
        return indent, step, key, _NOTHING, None
    return indent, step, key, _OTHER, other


def _simple_flow(text: str) -> tuple[int, Any] | None:
    """(kind, payload) for a flow collection of scalars that is all of ``text``."""
    if text[0] == "{":
        pieces = _MAP_ITEM.split(text)
        if len(pieces) == 1 or pieces[-1] != "}" or any(pieces[0:-1:4]):
            return None
        pairs = []
        for key, quoted, plain in zip(pieces[1::4], pieces[2::4], pieces[3::4], strict=True):
            if not _is_text_key(key):
                return None
            pairs.append((key, quoted if plain is None else _typed(plain)))
        return _FLOW_MAP, tuple(pairs)
    pieces = _SEQ_ITEM.split(text)
    if len(pieces) == 1 or pieces[-1] != "]" or any(pieces[0:-1:3]):
        return None
    values = tuple(
        quoted if plain is None else _typed(plain)
        for quoted, plain in zip(pieces[1::3], pieces[2::3], strict=True)
    )
    return _FLOW_SEQ, values


class _Reader:
    """One pass over the lines that hold something, by recursive descent on indentation."""

    __slots__ = ("budget", "lines", "max_depth", "numbers", "pos", "raw_lines", "rows")

    def __init__(self, text: str, max_depth: int, max_nodes: int) -> None:
        raw_lines = text.split("\n")
        cache = _ROWS
        if len(cache) > _ROWS_MAX:
            cache.clear()
        get = cache.get
        rows: list[_Row | None] = [get(line, _MISSING) for line in raw_lines]
        if _MISSING in rows:
            for index, row in enumerate(rows):
                if row is _MISSING:
                    line = raw_lines[index]
                    rows[index] = _row(line)
                    if len(line) <= _CACHED_LENGTH:
                        cache[line] = rows[index]
        # Blank and comment lines go; usually they are only at the top and the end.
        start = 0
        end = len(rows)
        while start < end and rows[start] is None:
            start += 1
        while end > start and rows[end - 1] is None:
            end -= 1
        kept = rows[start:end]
        self.numbers: Sequence[int] = range(start + 1, end + 1)  # the line of each row
        if None in kept:
            self.numbers = [number for number, row in enumerate(rows, 1) if row is not None]
            kept = [row for row in kept if row is not None]
        self.rows: list[_Row] = kept  # type: ignore[assignment]
        self.raw_lines = raw_lines
        self.pos = 0
        self.lines: dict[PathKey, int] = {(): 1}
        self.max_depth = max_depth
        self.budget = max_nodes  # nodes left before we leave it to the strict path

    def document(self) -> Any:
        rows = self.rows
        if not rows:
            raise _Unsure
        data = self._block(rows[0][0], (), 1)
        if self.pos != len(rows):
            raise _Unsure
        return data

    def _block(self, indent: int, path: PathKey, depth: int) -> Any:
        """The block collection whose first row is at ``self.pos``, at ``indent``."""
        if depth > self.max_depth:
            raise _Unsure
        if self.rows[self.pos][1]:
            return self._sequence(indent, path, depth)
        return self._mapping(indent, path, depth)

    def _mapping(self, indent: int, path: PathKey, depth: int) -> dict[str, Any]:
        """A block mapping at ``indent`` starting at row ``self.pos`` (whose dash, for
        ``- key: value``, is the sequence's)."""
        rows = self.rows
        numbers = self.numbers
        lines = self.lines
        count = len(rows)
        pos = self.pos
        result: dict[str, Any] = {}
        number = numbers[pos]
        _, _, key, kind, payload = rows[pos]
        while True:
            if key is None or key in result:
                raise _Unsure  # not "key: ...", or a key again
            child = path + (key,)
            lines[child] = number
            pos += 1
            if kind == _PLAIN:
                result[key] = payload
            elif kind == _NOTHING:
                if pos < count and rows[pos][0] > indent:
                    self.pos = pos
                    result[key] = self._block(rows[pos][0], child, depth + 1)
                    pos = self.pos
                else:
                    result[key] = None
            else:
                result[key], pos = self._other_value(
                    kind, payload, child, number, depth, indent, pos
                )
            if pos == count:
                break
            row_indent, step, key, kind, payload = rows[pos]
            if row_indent != indent or step:
                if row_indent < indent:
                    break
                raise _Unsure  # deeper than a key whose value is on its line
            number = numbers[pos]
        self.budget -= 2 * len(result)
        if self.budget < 0:
            raise _Unsure
        self.pos = pos
        return result

    def _sequence(self, indent: int, path: PathKey, depth: int) -> list[Any]:
        rows = self.rows
        numbers = self.numbers
        lines = self.lines
        count = len(rows)
        pos = self.pos
        result: list[Any] = []
        while True:
            _, step, key, kind, payload = rows[pos]
            if not step:
                raise _Unsure  # a key at the sequence's indentation
            number = numbers[pos]
            item = path + (len(result),)
            lines[item] = number
            if key is not None:
                self.pos = pos
                result.append(self._mapping(indent + step, item, depth + 1))
                pos = self.pos
            else:
                pos += 1
                if kind == _PLAIN:
                    result.append(payload)
                elif kind == _NOTHING:
                    raise _Unsure  # an empty item, or an item below its dash
                else:
                    value, pos = self._other_value(kind, payload, item, number, depth, indent, pos)
                    result.append(value)
            if pos == count:
                break
            row_indent = rows[pos][0]
            if row_indent != indent:
                if row_indent < indent:
                    break
                raise _Unsure
        self.budget -= len(result)
        if self.budget < 0:
            raise _Unsure
        self.pos = pos
        return result

    def _other_value(
        self, kind: int, payload: Any, path: PathKey, number: int, depth: int, indent: int, pos: int
    ) -> tuple[Any, int]:
        """A value other than a plain scalar on line ``number``: (value, next row)."""
        lines = self.lines
        if kind == _FLOW_MAP:
            if depth >= self.max_depth:
                raise _Unsure
            for key, _ in payload:
                lines[path + (key,)] = number
            mapping = dict(payload)
            if len(mapping) != len(payload):
                raise _Unsure  # a key again
            self.budget -= 2 * len(mapping)
            return mapping, pos
        if kind == _FLOW_SEQ:
            if depth >= self.max_depth:
                raise _Unsure
            for index in range(len(payload)):
                lines[path + (index,)] = number
            self.budget -= len(payload)
            return list(payload), pos
        if kind != _OTHER:
            raise _Unsure
        if payload != "|" and payload != "|-":
            return _value(payload, path, number, depth, self), pos
        # The body starts on the line after the header (0-based index ``number``).
        value, after = _literal(self.raw_lines, number, indent, payload == "|-")
        numbers = self.numbers
        while pos < len(numbers) and numbers[pos] <= after:
            pos += 1  # rows that were the scalar's text
        return value, pos


def _value(rest: str, path: PathKey, number: int, depth: int, reader: _Reader) -> Any:
    """The value written on the rest of a line when it is not one of the common forms:
    flows with nesting or a comment after them, quoted scalars, other plain scalars.
    ``rest`` has no spaces around it and is not a comment."""
    first = rest[0]
    if first == "[" or first == "{":
        value, end = _flow(rest, 0, path, number, reader.lines, depth + 1, reader)
    elif first == '"' or first == "'":
        value, end = _quoted(rest, 0)
    else:
        cut = rest.find(" #")
        if cut >= 0:
            rest = rest[:cut].rstrip(" ")
        if (first in _INDICATORS and (first != "-" or len(rest) < 2 or rest[1] == " ")) or (
            _BLOCK_PLAIN_UNSURE.search(rest)
        ):
            raise _Unsure
        return _typed(rest)
    if end != len(rest):
        tail = rest[end:]
        if tail[0] != " " or tail.lstrip(" ")[0] != "#":
            raise _Unsure
    return value


def _literal(raw_lines: list[str], start: int, parent: int, strip: bool) -> tuple[str, int]:
    """A literal block scalar whose body starts at ``raw_lines[start]``, in a block
    collection at column ``parent``: (value, index of the first line after it).

    PyYAML's scan_block_scalar, for the cases where it is simple: the first line
    of the body holds text and sets the indentation; blank lines inside hold no more
    spaces than that indentation (extra spaces would be text).
    """
    total = len(raw_lines)
    if start >= total:
        raise _Unsure
    first = raw_lines[start]
    body = first.lstrip(" ")
    indent = len(first) - len(body)
    if not body.strip(" ") or indent <= parent:
        raise _Unsure  # an empty scalar, or blank lines before the text
    kept: list[str] = []
    last = start  # the last line with text
    index = start
    while index < total:
        line = raw_lines[index]
        text = line.lstrip(" ")
        if not text:
            if len(line) > indent:
                raise _Unsure
            kept.append("")
        elif len(line) - len(text) < indent:
            break
        else:
            kept.append(line[indent:])
            last = index
        index += 1
    del kept[last - start + 1 :]  # trailing blank lines: chomped by "|" and "|-" alike
    value = "\n".join(kept)
    # "|" keeps the last line break, when there is one ("|-" drops it).
    if not strip and last + 1 < total:
        value += "\n"
    return value, last + 1


def _quoted(text: str, start: int) -> tuple[str, int]:
    """A quoted scalar closed on this line: (value, index after the closing quote)."""
    quote = text[start]
    end = text.find(quote, start + 1)
    if end < 0:
        raise _Unsure
    value = text[start + 1 : end]
    if quote == '"':
        if "\\" in value:
            raise _Unsure
        return value, end + 1
    # Single quotes: '' stands for one quote.
    if text.startswith("'", end + 1):
        parts = [value]
        while text.startswith("'", end + 1):
            begin = end + 2
            end = text.find("'", begin)
            if end < 0:
                raise _Unsure
            parts.append(text[begin:end])
        value = "'".join(parts)
    return value, end + 1


def _skip_spaces(text: str, index: int) -> int:
    while text[index] == " ":  # IndexError at the end of the line: unsure
        index += 1
    return index


def _flow(
    text: str,
    index: int,
    path: PathKey,
    number: int,
    lines: dict[PathKey, int],
    depth: int,
    reader: _Reader,
) -> tuple[Any, int]:
    """The flow collection opening at ``text[index]``: (value, index after it)."""
    if depth > reader.max_depth:
        raise _Unsure
    is_map = text[index] == "{"
    close = "}" if is_map else "]"
    index = _skip_spaces(text, index + 1)
    result: Any = {} if is_map else []
    if text[index] == close:
        return result, index + 1
    while True:
        if is_map:
            match = _FLOW_KEY.match(text, index)
            if match is None:
                raise _Unsure
            key = match.group(1)
            if key in result or not _is_text_key(key):
                raise _Unsure
            child = path + (key,)
            index = match.end()
            reader.budget -= 1
        else:
            child = (*path, len(result))
        lines[child] = number
        reader.budget -= 1
        char = text[index]
        if char == "[" or char == "{":
            value, index = _flow(text, index, child, number, lines, depth + 1, reader)
        elif char == '"' or char == "'":
            value, index = _quoted(text, index)
        else:
            match = _FLOW_PLAIN_ANY.match(text, index)
            if match is None:
                raise _Unsure
            plain = match.group().rstrip(" ")
            if not plain or (
                char in _INDICATORS and (char != "-" or len(plain) < 2 or plain[1] == " ")
            ):
                raise _Unsure
            value = _typed(plain)
            index = match.end()
        if is_map:
            result[key] = value
        else:
            result.append(value)
        index = _skip_spaces(text, index)
        char = text[index]
        if char == close:
            if reader.budget < 0:
                raise _Unsure
            return result, index + 1
        if char != ",":
            raise _Unsure
        index = _skip_spaces(text, index + 1)
        if text[index] == close:
            raise _Unsure  # a trailing comma: valid YAML, but not worth the risk
