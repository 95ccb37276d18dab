"""Strict YAML: one file's bytes -> plain data + the line of every node, or problems.

Strict means a small, predictable subset of YAML:
- UTF-8 only (a UTF-8 BOM and CRLF line ends are fine), no control characters;
- one document, no anchors, aliases, merge keys or tags;
- mapping keys are plain text and unique;
- scalars are resolved by our own table, not YAML 1.1's: ``no`` stays ``"no"``,
  ``0312`` stays ``"0312"``, dates stay strings until the model;
- at most MAX_BYTES bytes, MAX_DEPTH levels of nesting and MAX_NODES values.

We walk the event stream of libyaml's parser (PyYAML's ``CSafeLoader``; the pure-Python
parser where libyaml is missing) instead of using a constructor: events show anchors,
tags and aliases before anything is expanded (an alias bomb costs nothing), carry the
position of every node, and let us build the data iteratively, so deep nesting cannot
overflow the Python stack. Nothing here touches the disk (generator.load.folder does).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import yaml

from generator.load.syntax import TAG_HINT, syntax_problem
from generator.report import Problem

# Only the loader's documented parser interface is used (get_event, dispose, as
# yaml.parse does): libyaml's parser, or PyYAML's pure-Python one where PyYAML was
# built without libyaml (the same events; the tests run both).
_LOADER: Callable[[bytes], Any] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

MAX_BYTES = 1_048_576
MAX_DEPTH = 32
MAX_NODES = 100_000
# A file full of the same mistake (say 5,000 aliases) should not bury the others.
_MAX_PROBLEMS = 100

PathKey = tuple[str | int, ...]


@dataclass(frozen=True)
class Document:
    """One loaded file: plain data and the 1-based line of every node.

    ``lines[path]`` is the line of the key for a mapping entry, the line of the
    item's first node for a list item, and 1 for the root ``()``.
    """

    file: str
    data: Any
    lines: Mapping[PathKey, int] = field(repr=False)

    def line(self, path: Sequence[str | int]) -> int | None:
        """Line of ``path``, or of its nearest ancestor that exists."""
        key = tuple(path)
        while True:
            found = self.lines.get(key)
            if found is not None:
                return found
            if not key:
                return None
            key = key[:-1]


def parse_yaml(raw: bytes, file: str) -> tuple[Document | None, list[Problem]]:
    """Parse one file's bytes; ``file`` is the path shown in problems.

    Returns (Document, []) or (None, problems): a file with any error gives no data
    at all, never half of it. Never raises, whatever the bytes.
    """
    if len(raw) > MAX_BYTES:
        return None, [too_large(file, len(raw))]
    body, text, problems = _decode(raw, file)
    if text is None:
        return None, problems
    # Every character _BAD_CHAR matches is unprintable, and isprintable is the quicker
    # pass over a clean file; the expression runs when there is something to report.
    if not text.replace("\n", "").isprintable():
        problems = _control_chars(text, file)
        if problems:
            return None, problems
    try:
        data, lines, problems = _Builder(body, text, file).run()
    except Exception as exc:
        # Not reached by anything we know of; kept so an unforeseen parser failure
        # still becomes a message with the file name instead of a traceback.
        return None, [
            Problem(
                file,
                None,
                "load.syntax",
                "YAML 语法错误：无法解析此文件",
                hint=f"YAML 原始信息：{type(exc).__name__}: {exc}",
            )
        ]
    if problems:
        return None, problems
    return Document(file, data, MappingProxyType(lines)), []


def too_large(file: str, size: int) -> Problem:
    return Problem(
        file,
        None,
        "load.too-large",
        f"文件太大（{size:,} 字节），一个记录文件最多 {MAX_BYTES:,} 字节（1 MB）",
        hint="记录文件只应包含文字；附件（PDF、图片）请另外存放，不要写进 YAML",
    )


# ------------------------------------------------------------------- bytes, text

_ENCODING_MESSAGE = "文件不是 UTF-8 编码"
_ENCODING_HINT = (
    "请将文件另存为 UTF-8 编码（在 VS Code 右下角点“GBK”→“通过编码保存”→ UTF-8；"
    "记事本“另存为”选择 UTF-8）"
)
_UTF8_BOM = b"\xef\xbb\xbf"
_OTHER_BOMS = (b"\x00\x00\xfe\xff", b"\xff\xfe\x00\x00", b"\xfe\xff", b"\xff\xfe")


def _encoding_problem(file: str, line: int) -> Problem:
    return Problem(file, line, "load.encoding", _ENCODING_MESSAGE, hint=_ENCODING_HINT)


def _decode(raw: bytes, file: str) -> tuple[bytes, str | None, list[Problem]]:
    """The bytes without a UTF-8 BOM and their text, or problems."""
    if raw.startswith(_OTHER_BOMS):
        return raw, None, [_encoding_problem(file, 1)]
    body = raw.removeprefix(_UTF8_BOM)
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        return body, None, [_encoding_problem(file, body.count(b"\n", 0, exc.start) + 1)]
    # UTF-16 without a BOM decodes "fine" as UTF-8 full of NULs; say what it is
    # rather than reporting hundreds of control characters.
    nuls = body.count(b"\x00")
    if nuls and nuls * 4 >= len(body):
        line = body.count(b"\n", 0, body.index(b"\x00")) + 1
        return body, None, [_encoding_problem(file, line)]
    return body, text, []


# Everything YAML (or libyaml) refuses, plus the characters YAML 1.1 counts as line
# breaks but editors do not (NEL, LS, PS, a CR not followed by LF): they would shift every
# line number after them, and a bare CR can hide text in a terminal or a CI log.
_BAD_CHAR = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]|\r(?!\n)"
)
_CHAR_NAMES = {
    "\x00": "NUL 空字符",
    "\x0b": "垂直制表符",
    "\x0c": "换页符",
    "\r": "单独的回车符 CR，旧式换行",
    "\x1b": "ESC",
    "\x7f": "DEL",
    "\x85": "NEL 换行符",
    "\u2028": "Unicode 行分隔符",
    "\u2029": "Unicode 段落分隔符",
    "\ufeff": "BOM 字节顺序标记",
}


def _control_chars(text: str, file: str) -> list[Problem]:
    problems: list[Problem] = []
    for match in _BAD_CHAR.finditer(text):
        index = match.start()
        char = match.group()
        line = text.count("\n", 0, index) + 1
        column = index - (text.rfind("\n", 0, index) + 1) + 1
        name = _CHAR_NAMES.get(char, "控制字符")
        problems.append(
            Problem(
                file,
                line,
                "load.control-char",
                f"第 {column} 个字符处有不可见的字符 U+{ord(char):04X}（{name}）",
                hint=(
                    "请删除这个字符（常见于从网页、Word 或 PDF 复制粘贴的文字）；"
                    f"VS Code 可在“查找”中开启正则，搜索 \\u{ord(char):04X} 并替换为空"
                ),
            )
        )
        if len(problems) >= _MAX_PROBLEMS:
            break
    return problems


# ------------------------------------------------------------------------ scalars

# Every non-text plain scalar starts with one of these; the rest skip the table.
_MAYBE_TYPED = frozenset("~nNtTfF+-0123456789")
# The words that are not text, and what they stand for ("" is an empty value).
_WORDS: dict[str, Any] = {
    "": None,
    "~": None,
    "null": None,
    "Null": None,
    "NULL": None,
    "true": True,
    "True": True,
    "TRUE": True,
    "false": False,
    "False": False,
    "FALSE": False,
}
# A plain key starting with one of these may be a number (or the merge key "<<").
_MAYBE_NUMBER_KEY = frozenset("+-0123456789<")
# Integers without leading zeros, and decimals with a fraction, an exponent or both
# (group 1 or 2 present): one expression, one pass, for every scalar that starts a
# number, such as the dates.
_NUMBER = re.compile(r"[-+]?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?")


def resolve_plain(value: str) -> Any:
    """Type of an unquoted scalar. Everything not listed here stays text."""
    if not value:
        return None
    if value[0] not in _MAYBE_TYPED:
        return value
    if value.isdecimal() and value.isascii():  # most numbers in records: years, counts
        if value[0] == "0" and len(value) > 1:
            return value  # a leading zero: a code such as 0312, text
        try:
            return int(value)
        except ValueError:  # beyond Python's int-from-str digit limit
            return value
    if value in _WORDS:
        return _WORDS[value]
    number = _NUMBER.fullmatch(value)
    if number is None:
        return value
    if number.lastindex is None:  # no fraction, no exponent
        try:
            return int(value)
        except ValueError:  # beyond Python's int-from-str digit limit
            return value
    decimal = float(value)
    return decimal if math.isfinite(decimal) else value


# ----------------------------------------------------------------- event walking

_TAG_PREFIX = "tag:yaml.org,2002:"
_ANCHOR_HINT = (
    "请把值完整写出来，不要用 &锚点、*引用 或 << 合并来复用内容；"
    "如果文字本身以 & 或 * 开头，请给整个值加引号"
)
_DEPTH_HINT = "记录的结构不需要这么多层；请检查缩进或括号是否写错"


class _Stop(Exception):
    """Raised inside the walk when going on would be pointless or unsafe."""


class _BadKey:
    """Stands in for a key already reported as wrong, so it never collides."""


_EXPECT_KEY: Any = object()  # a mapping frame waiting for its next key


_SCALAR = yaml.ScalarEvent
_MAP_START = yaml.MappingStartEvent
_SEQ_START = yaml.SequenceStartEvent
_ALIAS = yaml.AliasEvent
_MAP_END = yaml.MappingEndEvent
_SEQ_END = yaml.SequenceEndEvent
_DOC_START = yaml.DocumentStartEvent
_STREAM_END = yaml.StreamEndEvent


class _Builder:
    """Builds plain data and node lines from the event stream, collecting problems.

    One loop over the events, no recursion: the depth limit is ours, not Python's.
    The loop is written flat because it runs for every node of every file: a clean
    scalar costs a few attribute reads, a dict or list store and its line.
    """

    def __init__(self, body: bytes, text: str, file: str) -> None:
        self.body = body
        self.text = text
        self.file = file
        self.problems: list[Problem] = []
        self.lines: dict[PathKey, int] = {(): 1}
        self.root: Any = None
        self.root_empty = False
        self.documents = 0

    def run(self) -> tuple[Any, dict[PathKey, int], list[Problem]]:
        parser = _LOADER(self.body)
        try:
            self._walk(parser.get_event)
        except _Stop:
            pass
        except yaml.YAMLError as exc:
            self.problems.append(syntax_problem(exc, self.text, self.file, MAX_DEPTH))
        finally:
            parser.dispose()
        if not self.problems and (self.documents == 0 or self.root_empty):
            self._report(
                1,
                "load.empty",
                "文件是空的（没有任何内容，或只有注释）",
                "请按模板填写记录内容；不需要的文件请不要提交",
            )
        return self.root, self.lines, self.problems

    def _walk(self, next_event: Callable[[], Any]) -> None:
        """The loop. The open list or mapping lives in locals (``node``, its ``path``,
        ``is_map``; for a mapping the pending ``key`` or _EXPECT_KEY and ``key_path``);
        the ones around it wait on ``stack``. A mapping value needs no line of its own
        (its key's line is its line), so its position is never read."""
        lines = self.lines
        stack: list[tuple[Any, PathKey, bool, Any, PathKey]] = []
        node: Any = None  # None at the root: no list or mapping is open
        path: PathKey = ()
        is_map = False
        key: Any = _EXPECT_KEY
        key_path: PathKey = ()
        nodes = 0
        limit = MAX_NODES
        while True:
            event = next_event()
            kind = type(event)
            if kind is _SCALAR:
                nodes += 1
                value = event.value
                if event.anchor is None and event.tag is None:
                    plain = not event.style
                else:
                    plain = not event.style and event.tag is None
                    where = self._position(node, path, is_map, key, key_path, event)
                    self._forbidden(event, event.start_mark.line + 1, where)
                if nodes > limit:
                    self._too_many_nodes(event.start_mark.line + 1)
                if is_map:
                    if key is _EXPECT_KEY:
                        line = event.start_mark.line + 1
                        if plain and (value in _WORDS or value[0] in _MAYBE_NUMBER_KEY):
                            value = self._plain_key(value, line, path)
                        key = value
                        key_path = path + (value,)
                        known = len(lines)
                        lines.setdefault(key_path, line)
                        if len(lines) == known:
                            self._duplicate(value, line, key_path)
                        continue
                    if plain and (not value or value[0] in _MAYBE_TYPED):
                        value = resolve_plain(value)
                    node[key] = value
                    key = _EXPECT_KEY
                elif node is not None:
                    lines[path + (len(node),)] = event.start_mark.line + 1
                    node.append(resolve_plain(value) if plain else value)
                else:  # the whole document is one scalar
                    if plain and not value:
                        self.root_empty = event.anchor is None
                    self.root = resolve_plain(value) if plain else value
            elif kind is _MAP_START or kind is _SEQ_START:
                nodes += 1
                line = event.start_mark.line + 1
                if nodes > limit:
                    self._too_many_nodes(line)
                where = self._position(node, path, is_map, key, key_path, event)
                if event.anchor is not None or event.tag is not None:
                    self._forbidden(event, line, where)
                if is_map and key is _EXPECT_KEY:
                    self._report(
                        line,
                        "load.key-type",
                        "键必须是简单的文字，不能是列表或映射",
                        "请改用普通的“键: 值”写法，键名写成文字",
                        where,
                    )
                    stand_in: Any = _BadKey()  # its own keys collide with nothing
                    where = (*where, stand_in)
                stack.append((node, path, is_map, key, key_path))
                if len(stack) > MAX_DEPTH:
                    self._report(
                        line,
                        "load.too-deep",
                        f"嵌套层次太深（超过 {MAX_DEPTH} 层）",
                        _DEPTH_HINT,
                        where,
                    )
                    raise _Stop
                is_map = kind is _MAP_START
                node = {} if is_map else []
                path = where
                key = _EXPECT_KEY
            elif kind is _MAP_END or kind is _SEQ_END:
                value = node
                node, path, is_map, key, key_path = stack.pop()
                if is_map:
                    if key is _EXPECT_KEY:  # a list or mapping as a key: reported at its start
                        key = _BadKey()
                        key_path = path + (key,)
                    else:
                        node[key] = value
                        key = _EXPECT_KEY
                elif node is not None:
                    node.append(value)
                else:
                    self.root = value
            elif kind is _ALIAS:
                nodes += 1
                line = event.start_mark.line + 1
                if nodes > limit:
                    self._too_many_nodes(line)
                where = self._position(node, path, is_map, key, key_path, event)
                self._forbidden(event, line, where)
                if is_map:
                    if key is _EXPECT_KEY:
                        key = _BadKey()
                        key_path = path + (key,)
                    else:
                        key = _EXPECT_KEY  # the value (None) is never used: reported
                elif node is not None:
                    node.append(None)
            elif kind is _DOC_START:
                self._document(event)
            elif kind is _STREAM_END:
                return

    def _position(
        self, node: Any, path: PathKey, is_map: bool, key: Any, key_path: PathKey, event: Any
    ) -> PathKey:
        """Path of the node that starts now (a list item's line is recorded here)."""
        if is_map:
            return path if key is _EXPECT_KEY else key_path
        if node is None:
            return ()
        item = path + (len(node),)
        self.lines[item] = event.start_mark.line + 1
        return item

    def _duplicate(self, key: str, line: int, path: PathKey) -> None:
        self._report(
            line,
            "load.duplicate-key",
            f"键“{key}”重复出现，第一次出现在第 {self.lines[path]} 行",
            "同一层里每个键只能写一次；请把两处内容合并，或删除其中一处",
            path,
        )

    def _plain_key(self, raw: str, line: int, parent: PathKey) -> Any:
        """The key an unquoted scalar stands for, or a _BadKey after reporting why."""
        if raw == "<<":
            self._report(
                line,
                "load.merge-key",
                "不允许使用合并键“<<”",
                "请把要合并的字段逐项完整写出来",
                parent,
            )
            return _BadKey()
        resolved = resolve_plain(raw)
        if isinstance(resolved, str):
            return resolved
        if raw == "":
            self._report(
                line,
                "load.key-type",
                "缺少键名（冒号前面什么也没有写）",
                "请在冒号前写上键名，或删除这一行",
                parent,
            )
        else:
            kind = (
                "空值" if resolved is None else "布尔值" if isinstance(resolved, bool) else "数字"
            )
            self._report(
                line,
                "load.key-type",
                f"键名“{raw}”会被读成{kind}，键名必须是文字",
                f'请给键名加引号，如 "{raw}": …，或改用文字键名',
                (*parent, raw),
            )
        return _BadKey()

    def _forbidden(self, event: Any, line: int, path: PathKey) -> None:
        if isinstance(event, _ALIAS):
            self._report(line, "load.alias", f"不允许使用引用“*{event.anchor}”", _ANCHOR_HINT, path)
            return
        if event.anchor is not None:
            self._report(
                line, "load.anchor", f"不允许使用锚点“&{event.anchor}”", _ANCHOR_HINT, path
            )
        if event.tag is not None:
            self._report(
                line, "load.tag", f"不允许使用标签“{_show_tag(event.tag)}”", TAG_HINT, path
            )

    def _document(self, event: Any) -> None:
        self.documents += 1
        if self.documents > 1:
            self._report(
                event.start_mark.line + 1,
                "load.multiple-documents",
                "一个文件只能有一个 YAML 文档，这里的“---”又开始了一个新文档",
                "删除多余的“---”行；每个平台、每个公告各写一个文件",
            )
            raise _Stop

    def _too_many_nodes(self, line: int) -> None:
        self._report(
            line,
            "load.too-many-nodes",
            f"文件中的值太多（超过 {MAX_NODES:,} 个）",
            "一个记录文件不应有这么多项；请检查是否误粘贴了大量数据",
        )
        raise _Stop

    def _report(
        self, line: int | None, rule: str, message: str, hint: str, path: PathKey = ()
    ) -> None:
        self.problems.append(Problem(self.file, line, rule, message, hint=hint, path=path))
        if len(self.problems) >= _MAX_PROBLEMS:
            raise _Stop


def _show_tag(tag: str) -> str:
    if tag.startswith(_TAG_PREFIX):
        return "!!" + tag[len(_TAG_PREFIX) :]
    return tag
