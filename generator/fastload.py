"""A fast reader for the plain subset of YAML our records are written in.

``parse(text)`` returns ``(data, lines)`` exactly as load's strict path would build
them, or None when it is not sure. It is an accelerator, not a second loader: load
runs the strict path (PyYAML events, every refusal and message) whenever this
returns None, so anything unusual, wrong or merely unfamiliar goes there.

What it reads, one line at a time (anything else: None):
- block mappings ``key: value`` with keys ``[A-Za-z_][A-Za-z0-9_]*`` that stay text,
  each key once, and values on the same line or a block below ``key:``;
- block sequences ``- value`` and ``- key: value`` (a mapping as a list item),
  indented deeper than their parent key;
- flow sequences and mappings closed on the line they open, nested or not;
- single-line scalars: plain (typed by load's own ``_resolve_plain``), double-quoted
  without backslashes, single-quoted;
- blank lines, full-line comments, `` # comment`` after a value.

Not read (None): tabs, CR, document markers and directives, anchors, aliases, tags,
``?`` keys, quoted keys, block scalars, scalars spanning lines, empty list items,
a block sequence at its key's own indentation, plain scalars holding characters that
YAML could read as syntax (``: ``, ``#``, brackets; in flows also ``:``, ``?``, quotes).
The characters load refuses (control characters and so on) never get here.

Both paths are compared on every shipped and fixture file and on generated inputs
in tests/test_fastload.py.
"""

from __future__ import annotations

import re
from typing import Any

from generator import load as _load

PathKey = tuple[str | int, ...]

_KEY = re.compile(r"([A-Za-z_][A-Za-z0-9_]{0,127}):(?: +|$)")
# A plain scalar in a flow collection: up to the next comma or bracket. Characters that
# YAML (1.1 in PyYAML, 1.1-ish in libyaml) might read differently end it, and then
# whatever follows is not a comma or bracket, so the parse gives up.
_FLOW_PLAIN = re.compile(r"[^,\[\]{}#:?'\"]+")
_FLOW_KEY = re.compile(r"([A-Za-z_][A-Za-z0-9_]{0,127}): +")
# Inside a plain scalar in block context: a mapping indicator, a comment or a bracket.
_BLOCK_PLAIN_UNSURE = re.compile(r": |:$|[\[\]{}#]")
# No plain scalar may start with these (PyYAML's check_plain); "-" is allowed when a
# non-space follows, and handled apart.
_INDICATORS = frozenset("-?:,[]{}#&*!|>'\"%@`")


# "key: |", "- |", "- key: |" and the same with "|-": a literal block scalar follows.
_BLOCK_HEADER = re.compile(r"(- +)?(?:([A-Za-z_][A-Za-z0-9_]{0,127}): +)?\|(-?)$")


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


class _Reader:
    __slots__ = ("blocks", "budget", "lines", "max_depth", "pos", "rows")

    def __init__(self, text: str, max_depth: int, max_nodes: int) -> None:
        rows: list[tuple[int, int, str]] = []
        blocks: dict[int, str] = {}
        raw_lines = text.split("\n")
        total = len(raw_lines)
        index = 0
        while index < total:
            line = raw_lines[index].rstrip(" ")
            index += 1
            content = line.lstrip(" ")
            if not content or content[0] == "#":
                continue
            indent = len(line) - len(content)
            rows.append((index, indent, content))
            if content[-1] == "|" or content[-2:] == "|-":
                header = _BLOCK_HEADER.match(content)
                if header is not None and (header.group(1) or header.group(2)):
                    # The collection the scalar is in: the key's column, or the dash's.
                    parent = indent + len(header.group(1) or "") if header.group(2) else indent
                    value, after = _literal(raw_lines, index, parent, header.group(3))
                    blocks[index] = value  # by the header's line number
                    index = after
        self.rows = rows
        self.blocks = blocks
        self.pos = 0
        self.lines: dict[PathKey, int] = {(): 1}
        self.max_depth = max_depth
        self.budget = max_nodes  # nodes left before we leave it to the strict path

    def document(self) -> Any:
        rows = self.rows
        if not rows:
            return self._unsure()
        data = self._block(rows[0][1], (), 1)
        if self.pos != len(rows):
            self._unsure()
        return data

    @staticmethod
    def _unsure() -> Any:
        raise _Unsure

    def _block(self, indent: int, path: PathKey, depth: int) -> Any:
        """The block collection whose first row is at ``self.pos``, at ``indent``."""
        if depth > self.max_depth:
            self._unsure()
        content = self.rows[self.pos][2]
        if content[0] == "-" and (len(content) == 1 or content[1] == " "):
            return self._sequence(indent, path, depth)
        return self._mapping(indent, path, depth, content)

    def _mapping(self, indent: int, path: PathKey, depth: int, first: str) -> dict[str, Any]:
        """A block mapping at ``indent``; ``first`` is the content of its first row
        (for ``- key: value`` it starts after the dash)."""
        rows = self.rows
        lines = self.lines
        resolve = _load._resolve_plain
        maybe_typed = _load._MAYBE_KEYWORD
        count = len(rows)
        result: dict[str, Any] = {}
        content = first
        while True:
            number = rows[self.pos][0]
            match = _KEY.match(content)
            if match is None:
                self._unsure()
            key = match.group(1)  # type: ignore[union-attr]
            if key in result or (key[0] in maybe_typed and not isinstance(resolve(key), str)):
                self._unsure()
            child = (*path, key)
            lines[child] = number
            rest = content[match.end() :]  # type: ignore[union-attr]
            self.pos += 1
            self.budget -= 2
            if rest and rest[0] != "#":
                result[key] = _inline(rest, child, number, lines, depth, self)
            elif self.pos < count and rows[self.pos][1] > indent:
                result[key] = self._block(rows[self.pos][1], child, depth + 1)
            else:
                result[key] = None
            if self.budget < 0:
                self._unsure()
            if self.pos == count:
                return result
            number, row_indent, content = rows[self.pos]
            if row_indent < indent:
                return result
            if row_indent > indent:
                self._unsure()

    def _sequence(self, indent: int, path: PathKey, depth: int) -> list[Any]:
        rows = self.rows
        lines = self.lines
        count = len(rows)
        result: list[Any] = []
        while True:
            number, _, content = rows[self.pos]
            if content[0] != "-" or len(content) < 2 or content[1] != " ":
                self._unsure()  # another node at the sequence's indentation, or "-" alone
            rest = content[2:].lstrip(" ")
            if (
                not rest
                or rest[0] == "#"
                or (rest[0] == "-" and (len(rest) == 1 or rest[1] == " "))
            ):
                self._unsure()  # an empty item, or an item below its dash, or "- - x"
            item = (*path, len(result))
            lines[item] = number
            self.budget -= 1
            if _KEY.match(rest):
                column = indent + len(content) - len(rest)
                result.append(self._mapping(column, item, depth + 1, rest))
            else:
                self.pos += 1
                result.append(_inline(rest, item, number, lines, depth, self))
            if self.budget < 0:
                self._unsure()
            if self.pos == count:
                return result
            row_indent = rows[self.pos][1]
            if row_indent < indent:
                return result
            if row_indent > indent:
                self._unsure()


def _inline(
    rest: str, path: PathKey, number: int, lines: dict[PathKey, int], depth: int, reader: _Reader
) -> Any:
    """The value written on the rest of a line (no leading spaces, not a comment)."""
    first = rest[0]
    if first == "|" and len(rest) <= 2:
        value = reader.blocks.get(number)
        return reader._unsure() if value is None else value
    if first == "[" or first == "{":
        value, end = _flow(rest, 0, path, number, lines, depth + 1, reader)
    elif first == '"' or first == "'":
        value, end = _quoted(rest, 0)
    else:
        cut = rest.find(" #")
        if cut >= 0:
            rest = rest[:cut].rstrip(" ")
        if (first in _INDICATORS and (first != "-" or len(rest) < 2 or rest[1] == " ")) or (
            _BLOCK_PLAIN_UNSURE.search(rest)
        ):
            reader._unsure()
        return _load._resolve_plain(rest)
    if end != len(rest):
        tail = rest[end:]
        if tail[0] != " " or tail.lstrip(" ")[0] != "#":
            reader._unsure()
    return value


def _literal(raw_lines: list[str], start: int, parent: int, strip: str) -> tuple[str, int]:
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
            if key in result or not isinstance(_load._resolve_plain(key), str):
                raise _Unsure
            child = (*path, key)
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
            match = _FLOW_PLAIN.match(text, index)
            if match is None:
                raise _Unsure
            plain = match.group().rstrip(" ")
            if not plain or (
                char in _INDICATORS and (char != "-" or len(plain) < 2 or plain[1] == " ")
            ):
                raise _Unsure
            value = _load._resolve_plain(plain)
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
