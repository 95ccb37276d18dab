"""Stage 1, load: strict YAML bytes -> plain data + the line of every node.

The only module besides write that touches the disk. It never raises for bad
input: every failure is a Problem (rule ``load.*``, Chinese message, line where
known), and a file with any error gives no data at all, never half of it.

Strict means a small, predictable subset of YAML:
- UTF-8 only (a UTF-8 BOM and CRLF line ends are fine), no control characters;
- one document, no anchors, aliases, merge keys or tags;
- mapping keys are plain text and unique;
- scalars are resolved by our own table, not YAML 1.1's: ``no`` stays ``"no"``,
  ``0312`` stays ``"0312"``, dates stay strings until the model.

We drive PyYAML's event stream instead of its constructor: events show anchors,
tags and aliases before anything is expanded (an alias bomb costs nothing), carry
the position of every node, and let us build the data iteratively, so deep
nesting cannot overflow the Python stack.

Most records are plain block YAML: `generator.fastload` reads those 3-4 times faster
and gives exactly the same data and lines; it answers None for anything it is not
sure of, and then the event walk decides (and reports).
"""

from __future__ import annotations

import hashlib
import math
import os
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

from generator import fastload
from generator.report import Problem

MAX_BYTES = 1_048_576
MAX_DEPTH = 32
MAX_NODES = 100_000
# A file full of the same mistake (say 5,000 aliases) should not bury the others.
_MAX_PROBLEMS = 100

_LOADER: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

PathKey = tuple[str | int, ...]

# --------------------------------------------------------------------------- API


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


#: parse_yaml or a function with its contract (the validation cache answers from earlier runs)
Parse = Callable[[bytes, str], tuple[Document | None, list[Problem]]]


def load_file(
    path: Path | str, file: str, parse: Parse | None = None
) -> tuple[Document | None, list[Problem]]:
    """Read ``path`` and parse it; ``file`` is the repo-relative display path."""
    try:
        raw, size = _read_limited(path)
        if len(raw) > MAX_BYTES:
            return None, [_too_large(file, size)]
    except (OSError, ValueError) as exc:  # ValueError: a path the OS cannot encode
        reason = getattr(exc, "strerror", None) or str(exc)
        return None, [
            Problem(
                file,
                None,
                "load.io",
                f"无法读取文件：{reason}",
                hint="请确认文件存在、是普通文件且有读取权限",
            )
        ]
    return (parse or parse_yaml)(raw, file)


def parse_yaml(raw: bytes, file: str) -> tuple[Document | None, list[Problem]]:
    """Parse one file's bytes. Returns (Document, []) or (None, errors)."""
    return _parse(raw, file, fast=True)


def parse_yaml_strict(raw: bytes, file: str) -> tuple[Document | None, list[Problem]]:
    """parse_yaml without the fast path: every file goes through PyYAML's events.

    The reference the fast path is tested against; same contract as parse_yaml.
    """
    return _parse(raw, file, fast=False)


def _parse(raw: bytes, file: str, fast: bool) -> tuple[Document | None, list[Problem]]:
    if len(raw) > MAX_BYTES:
        return None, [_too_large(file, len(raw))]
    text, problems = _decode(raw, file)
    if text is None:
        return None, problems
    # Every character _BAD_CHAR matches is unprintable, and isprintable is the quicker
    # pass over a clean file; the expression runs when there is something to report.
    if not text.replace("\n", "").isprintable():
        problems = _control_chars(text, file)
        if problems:
            return None, problems
    # Most records are plain block YAML that fastload reads exactly as _Builder would,
    # 3 to 4 times faster; for anything else it answers None and _Builder decides.
    found = fastload.parse(text, MAX_DEPTH, MAX_NODES) if fast else None
    if found is not None:
        return Document(file, found[0], MappingProxyType(found[1])), []
    try:
        data, lines, problems = _Builder(text, file).run()
    except Exception as exc:  # noqa: BLE001 — the promise is "never raise for any input"
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


# ------------------------------------------------------------------- bytes, text

_ENCODING_MESSAGE = "文件不是 UTF-8 编码"
_ENCODING_HINT = (
    "请将文件另存为 UTF-8 编码（在 VS Code 右下角点“GBK”→“通过编码保存”→ UTF-8；"
    "记事本“另存为”选择 UTF-8）"
)
_UTF8_BOM = b"\xef\xbb\xbf"
_OTHER_BOMS = (b"\x00\x00\xfe\xff", b"\xff\xfe\x00\x00", b"\xfe\xff", b"\xff\xfe")


def _read_limited(path: Path | str) -> tuple[bytes, int]:
    """Up to MAX_BYTES + 1 bytes of the file, and its size when that is more.

    With os.open/os.read: a buffered file object costs several more system calls per
    file (fstat, isatty), which is most of the time reading 10,000 small records.
    """
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    try:
        chunks: list[bytes] = []
        size = 0
        while size <= MAX_BYTES:  # a read may return less than asked: read on to the end
            chunk = os.read(fd, MAX_BYTES + 1 - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        raw = chunks[0] if len(chunks) == 1 else b"".join(chunks)
        if size > MAX_BYTES:
            try:
                size = max(size, os.fstat(fd).st_size)
            except OSError:
                pass
        return raw, size
    finally:
        os.close(fd)


def _too_large(file: str, size: int) -> Problem:
    return Problem(
        file,
        None,
        "load.too-large",
        f"文件太大（{size:,} 字节），一个记录文件最多 {MAX_BYTES:,} 字节（1 MB）",
        hint="记录文件只应包含文字；附件（PDF、图片）请另外存放，不要写进 YAML",
    )


def _encoding_problem(file: str, line: int) -> Problem:
    return Problem(file, line, "load.encoding", _ENCODING_MESSAGE, hint=_ENCODING_HINT)


def _decode(raw: bytes, file: str) -> tuple[str | None, list[Problem]]:
    if raw.startswith(_OTHER_BOMS):
        return None, [_encoding_problem(file, 1)]
    body = raw.removeprefix(_UTF8_BOM)
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        return None, [_encoding_problem(file, body.count(b"\n", 0, exc.start) + 1)]
    # UTF-16 without a BOM decodes "fine" as UTF-8 full of NULs; say what it is
    # rather than reporting hundreds of control characters.
    nuls = body.count(b"\x00")
    if nuls and nuls * 4 >= len(body):
        return None, [_encoding_problem(file, body.count(b"\n", 0, body.index(b"\x00")) + 1)]
    return text, []


# Everything YAML (or libyaml) refuses, plus the characters YAML 1.1 counts as line
# breaks but editors do not (NEL, LS, PS): they would shift every line number after them.
_BAD_CHAR = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]")
_CHAR_NAMES = {
    "\x00": "NUL 空字符",
    "\x0b": "垂直制表符",
    "\x0c": "换页符",
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

# Every non-text plain scalar starts with one of these; the rest skip the regexes.
_MAYBE_TYPED = frozenset("~nNtTfF+-0123456789")
# Plain keys that may not be text (or are the merge key "<<").
_MAYBE_KEYWORD = _MAYBE_TYPED | {"<"}
_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_BOOLS = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_INT = re.compile(r"[-+]?(?:0|[1-9][0-9]*)")
_FLOAT = re.compile(r"[-+]?(?:0|[1-9][0-9]*)(?:\.[0-9]+(?:[eE][-+]?[0-9]+)?|[eE][-+]?[0-9]+)")


def _resolve_plain(value: str) -> Any:
    """Type of an unquoted scalar. Everything not listed here stays text."""
    if value and value[0] not in _MAYBE_TYPED:
        return value
    if value in _NULLS:
        return None
    if value in _BOOLS:
        return _BOOLS[value]
    if _INT.fullmatch(value):
        try:
            return int(value)
        except ValueError:  # beyond Python's int-from-str digit limit
            return value
    if _FLOAT.fullmatch(value):
        number = float(value)
        return number if math.isfinite(number) else value
    return value


# ----------------------------------------------------------------- event walking

_TAG_PREFIX = "tag:yaml.org,2002:"
_ANCHOR_HINT = (
    "请把值完整写出来，不要用 &锚点、*引用 或 << 合并来复用内容；"
    "如果文字本身以 & 或 * 开头，请给整个值加引号"
)
_TAG_HINT = "请删除标签，直接写出值；需要文字时用引号括起来（文字本身以 ! 开头时也请加引号）"


class _Stop(Exception):
    """Raised inside the walk when going on would be pointless or unsafe."""


class _BadKey:
    """Stands in for a key already reported as wrong, so it never collides."""


_EXPECT_KEY: Any = object()  # a mapping frame waiting for its next key


class _Frame:
    """An open list or mapping. For a mapping, ``key`` is the pending key (or
    _EXPECT_KEY) and ``child`` the path of its value."""

    __slots__ = ("child", "is_map", "key", "path", "value")

    def __init__(self, path: PathKey, value: dict[Any, Any] | list[Any]) -> None:
        self.path = path
        self.value = value
        self.is_map = isinstance(value, dict)
        self.key: Any = _EXPECT_KEY
        self.child: PathKey = path


_SCALAR = yaml.ScalarEvent
_MAP_START = yaml.MappingStartEvent
_SEQ_START = yaml.SequenceStartEvent
_ALIAS = yaml.AliasEvent
_START_EVENTS = frozenset({_MAP_START, _SEQ_START})
_END_EVENTS = frozenset({yaml.MappingEndEvent, yaml.SequenceEndEvent})


class _Builder:
    """Builds plain data and node lines from the event stream, collecting problems.

    One loop over the events, no recursion: the depth limit is ours, not Python's.
    The loop is written flat because it runs for every node of every file.
    """

    def __init__(self, text: str, file: str) -> None:
        self.text = text
        self.file = file
        self.problems: list[Problem] = []
        self.lines: dict[PathKey, int] = {(): 1}
        self.root: Any = None
        self.root_empty = False
        self.documents = 0

    def run(self) -> tuple[Any, dict[PathKey, int], list[Problem]]:
        parser = _LOADER(self.text)
        try:
            self._walk(parser.get_event)
        except _Stop:
            pass
        except yaml.YAMLError as exc:
            self.problems.append(_syntax_problem(exc, self.text, self.file))
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
        lines = self.lines
        stack: list[_Frame] = []
        nodes = 0
        while True:
            event = next_event()
            kind = type(event)
            if kind is _SCALAR or kind in _START_EVENTS or kind is _ALIAS:
                pass
            elif kind in _END_EVENTS:
                self._deliver(stack, stack.pop().value)
                continue
            elif kind is yaml.DocumentStartEvent:
                self._document(event)
                continue
            elif kind is yaml.StreamEndEvent:
                return
            else:
                continue

            nodes += 1
            line = event.start_mark.line + 1
            if nodes > MAX_NODES:
                self._too_many_nodes(line)
            # Where does this node go: root, list item, mapping key or mapping value?
            top = stack[-1] if stack else None
            is_key = False
            if top is None:
                path: PathKey = ()
            elif not top.is_map:
                path = top.path + (len(top.value),)
                lines[path] = line
            else:
                path = top.child
                is_key = top.key is _EXPECT_KEY
            if event.anchor is not None or (kind is not _ALIAS and event.tag is not None):
                self._forbidden(event, line, path)

            if kind is _SCALAR:
                value = event.value
                plain = not event.style and event.tag is None
                if is_key:
                    if plain and (not value or value[0] in _MAYBE_KEYWORD):
                        value = self._plain_key(value, line, path)
                    self._key(top, value, line)  # type: ignore[arg-type]
                    continue
                if plain:
                    if not value:
                        value = None
                        if top is None:
                            self.root_empty = event.anchor is None
                    elif value[0] in _MAYBE_TYPED:
                        value = _resolve_plain(value)
                self._deliver(stack, value)
            elif kind is _ALIAS:
                if is_key:
                    self._key(top, _BadKey(), line)  # type: ignore[arg-type]
                else:
                    self._deliver(stack, None)
            else:
                if is_key:
                    self._report(
                        line,
                        "load.key-type",
                        "键必须是简单的文字，不能是列表或映射",
                        "请改用普通的“键: 值”写法，键名写成文字",
                        path,
                    )
                stack.append(_Frame(path, {} if kind is _MAP_START else []))
                if len(stack) > MAX_DEPTH:
                    self._report(
                        line,
                        "load.too-deep",
                        f"嵌套层次太深（超过 {MAX_DEPTH} 层）",
                        "记录的结构不需要这么多层；请检查缩进或括号是否写错",
                        path,
                    )
                    raise _Stop

    def _deliver(self, stack: list[_Frame], value: Any) -> None:
        """Hand a finished node to its parent (or make it the root)."""
        if not stack:
            self.root = value
            return
        top = stack[-1]
        if not top.is_map:
            top.value.append(value)  # type: ignore[union-attr]
        elif top.key is _EXPECT_KEY:
            # A list or mapping used as a key: reported when it started.
            self._key(top, _BadKey(), 0)
        else:
            top.value[top.key] = value
            top.key = _EXPECT_KEY

    def _key(self, top: _Frame, key: Any, line: int) -> None:
        # A _BadKey has been reported already; it is stored like any key (the data
        # is thrown away anyway) and, being unique, never looks like a duplicate.
        top.key = key
        top.child = path = top.path + (key,)
        if path in self.lines:
            self._duplicate(key, line, path)
        else:
            self.lines[path] = line

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
        resolved = _resolve_plain(raw)
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
                line, "load.tag", f"不允许使用标签“{_show_tag(event.tag)}”", _TAG_HINT, path
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


# ------------------------------------------------------------------ syntax errors

_GENERIC_SYNTAX_HINT = "请对照模板检查这一行及上一行的缩进、冒号和引号"


_POINT_AT_START = ("while scanning a quoted scalar", "while parsing a flow")


def _syntax_problem(exc: yaml.YAMLError, text: str, file: str) -> Problem:
    problem = str(getattr(exc, "problem", None) or exc)
    context = str(getattr(exc, "context", None) or "")
    problem_mark = getattr(exc, "problem_mark", None)
    context_mark = getattr(exc, "context_mark", None)
    line = problem_mark.line + 1 if problem_mark is not None else None
    if "maximum nesting depth" in problem:
        # libyaml 0.2.5+ (PyYAML 6.0.4 wheels) stops deep nesting itself, before our own
        # depth check sees it: the same problem for the clerk either way.
        return Problem(
            file, line, "load.too-deep", f"嵌套层次太深（超过 {MAX_DEPTH} 层）",
            hint="记录的结构不需要这么多层；请检查缩进或括号是否写错",
        )
    start = context_mark.line + 1 if context_mark is not None else line
    char = _char_at(text, problem_mark)
    translated = _translate(problem, context, char, start)
    if context_mark is not None and context.startswith(_POINT_AT_START):
        # An unclosed quote or bracket is noticed where the parser gives up, often the
        # end of the file; the clerk needs the line where it was opened.
        line = start
    if translated is None:
        original = f"{context}: {problem}" if context else problem
        message, hint = problem, f"YAML 原始信息：{original}。{_GENERIC_SYNTAX_HINT}"
    else:
        message, hint = translated
    return Problem(file, line, "load.syntax", f"YAML 语法错误：{message}", hint=hint)


def _char_at(text: str, mark: Any) -> str:
    if mark is None:
        return ""
    lines = text.splitlines()
    if not 0 <= mark.line < len(lines):
        return ""
    row = lines[mark.line]
    return row[mark.column] if 0 <= mark.column < len(row) else ""


def _translate(problem: str, context: str, char: str, start: int | None) -> tuple[str, str] | None:
    """Chinese (message, hint) for the mistakes people actually make, else None.

    Matches both libyaml's and pure-Python PyYAML's wording.
    """
    if "tab character" in problem or "'\\t'" in problem or char == "\t":
        return (
            "不能用 Tab 缩进，请改用空格",
            (
                "YAML 只认空格；在 VS Code 右下角点“制表符长度”→“使用空格缩进”，"
                "再用命令“将缩进转换为空格”"
            ),
        )
    if "mapping values are not allowed" in problem:
        return (
            "冒号后面需要空格，或这里的缩进不对",
            "“键: 值”的冒号后要有一个空格；值里本身带冒号时（网址、时间等），请给整个值加引号",
        )
    if "could not find expected ':'" in problem:
        return (
            f"第 {start} 行缺少“键: 值”中的冒号，或上一行没有写完",
            "每一行都应是“键: 值”或“- 列表项”；多行文字请整体加引号，或用“|”另起一块",
        )
    if "quoted scalar" in context and ("end of stream" in problem or "document" in problem):
        return (
            f"第 {start} 行开始的引号没有闭合",
            (
                "每个引号都要成对出现；文字里本身有引号时，换用另一种引号括起来"
                "（如 '他说\"好\"'），或用中文引号"
            ),
        )
    if "unknown escape character" in problem:
        return (
            "双引号里的反斜杠“\\”不是有效的转义",
            "含“\\”的文字（如 Windows 路径）请改用单引号括起来，或把“\\”写成“\\\\”",
        )
    if "flow sequence" in context:
        return (
            f"第 {start} 行开始的方括号“[ ]”没有闭合，或列表项之间缺少逗号",
            "写成 [项目一, 项目二]，每项之间用英文逗号隔开",
        )
    if "flow mapping" in context:
        return (
            f"第 {start} 行开始的花括号“{{ }}”没有闭合，或项之间缺少逗号",
            "写成 {键: 值, 键: 值}，每项之间用英文逗号隔开",
        )
    if "sequence entries are not allowed" in problem or "block collection" in context:
        return (
            "列表项“- ”的位置不对：缩进不齐，或上一行的冒号后已经写了值",
            "同一列表的“- ”必须左对齐；列表放在“键:”下面时，冒号后不要再写值",
        )
    if "block mapping" in context and ("expected key" in problem or "block end" in problem):
        return (
            "缩进不对齐：这一行与同一层的键没有左对齐，或上一行的值后面多写了内容",
            "同一层的键必须左对齐且只用空格缩进；引号后面不能再接文字，请把整个值放进引号里",
        )
    if "cannot start any token" in problem:
        shown = char or (problem.split("'")[1] if "'" in problem else "")
        return (
            f"值不能以“{shown}”开头" if shown else "这里有不能出现在值开头的字符",
            "以 @、` 等符号开头的文字请整个加引号",
        )
    if "block scalar" in context:
        return (
            "“|”或“>”后面只能换行",
            "多行文字写成“键: |”，换行后缩进书写正文",
        )
    if "anchor" in context or "alias" in context:
        return (
            "“&”或“*”后面必须是名字",
            "文字以 & 或 * 开头时，请给整个值加引号",
        )
    if "node content" in problem:
        return ("这里缺少值，或多写了符号", "检查这一行的冒号、逗号和括号")
    if "document start" in problem:
        return (
            "文件中只能有一个文档，这里不应再出现内容",
            "删除“...”或“%”开头的行以及其后多余的内容",
        )
    if "tag" in context or "tag handle" in problem:
        return ("“!”开头的标签写法不对", _TAG_HINT)
    if "directive" in context or "directive" in problem or "incompatible YAML" in problem:
        return (
            "“%”开头的行是 YAML 指令，这里写法不对或不受支持",
            "删除以“%”开头的行；文字本身以 % 开头时请给整个值加引号",
        )
    if "found unexpected ':'" in problem:
        return (
            "方括号或花括号里的冒号后面需要空格",
            "写成 {键: 值}；值里本身带冒号时（网址、时间等），请给整个值加引号",
        )
    if "mapping keys are not allowed" in problem:
        return ("这里不能出现“? ”", "文字以 ? 开头时请给整个值加引号")
    if "end of stream" in problem:
        return ("文件意外结束", "检查最后几行的引号和括号是否成对")
    return None


# ------------------------------------------------------------- the data directory


@dataclass(frozen=True)
class Sources:
    """Everything read from a data directory, before validation."""

    platforms: tuple[Document, ...]
    announcements: tuple[Document, ...]
    counties: Document | None
    rules: Document | None
    calendar: Document | None
    attachments: Mapping[str, str]  # file name -> sha256 of its bytes
    problems: tuple[Problem, ...]
    #: how many platform record files there are, loadable or not
    platform_files: int = 0
    #: associations.yaml (第二十一条); None when it could not be read, or was not asked for
    #: (then the rules on associations stay silent)
    associations: Document | None = None


def display_path(path: Path) -> str:
    """Repo-relative posix path when under the working directory, else absolute."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.resolve().as_posix()


class _FolderPaths:
    """display_path for the entries of one folder, resolving the folder only once.

    Resolving every file walks every component of its path (5 s for 10,000 files);
    an entry that is not a symlink resolves to the resolved folder plus its name.
    """

    def __init__(self, folder: Path) -> None:
        self.given = folder
        self.folder = folder.resolve()
        self.cwd = Path.cwd().resolve()
        try:
            base = self.folder.relative_to(self.cwd).as_posix()
        except ValueError:
            base = self.folder.as_posix()
        self.prefix = "" if base == "." else base if base.endswith("/") else base + "/"

    def __call__(self, path: Path) -> str:
        if path.is_symlink():
            return display_path(path)
        return self.prefix + path.name

    def entry(self, entry: os.DirEntry[str]) -> str:
        """The same for an entry of os.scandir(folder), without building a Path."""
        if entry.is_symlink():
            return display_path(self.given / entry.name)
        return self.prefix + entry.name


def _load_many(folder: Path, parse: Parse | None) -> tuple[list[Document], list[Problem], int]:
    docs: list[Document] = []
    problems: list[Problem] = []
    files = 0
    if not folder.is_dir():
        return docs, [
            Problem(display_path(folder), None, "load.missing", f"缺少目录 {display_path(folder)}")
        ], 0
    display = _FolderPaths(folder)
    # os.scandir and names, not Paths: 10,000 files in a folder (names sort as their Paths do)
    with os.scandir(folder) as listing:
        entries = sorted(listing, key=lambda e: e.name)
    for entry in entries:
        name = entry.name
        if name.startswith("."):
            continue
        yml = name.endswith(".yml")
        if yml or name.endswith(".yaml"):
            files += 1
        if yml:
            problems.append(
                Problem(
                    display.entry(entry),
                    None,
                    "load.extension",
                    "记录文件的扩展名应为 .yaml，不是 .yml",
                    hint=f"请改名为 {name[:-4]}.yaml",
                )
            )
            continue
        if not name.endswith(".yaml") or not _is_file(entry):
            continue
        doc, found = load_file(entry.path, display.entry(entry), parse)
        problems.extend(found)
        if doc is not None:
            docs.append(doc)
    return docs, problems, files


def _is_file(entry: os.DirEntry[str]) -> bool:
    """Path.is_file for a scandir entry: False also when the target cannot be looked at."""
    try:
        return entry.is_file()
    except OSError:
        return False


def _load_one(path: Path, parse: Parse | None) -> tuple[Document | None, list[Problem]]:
    if not path.is_file():
        return None, [
            Problem(display_path(path), None, "load.missing", f"缺少文件 {display_path(path)}")
        ]
    return load_file(path, display_path(path), parse)


def _hash_attachments(folder: Path) -> tuple[dict[str, str], list[Problem]]:
    hashes: dict[str, str] = {}
    problems: list[Problem] = []
    if not folder.is_dir():
        return hashes, problems
    for path in sorted(folder.iterdir()):
        if not path.is_file() or path.name.startswith("."):
            continue
        try:
            hashes[path.name] = hashlib.sha256(path.read_bytes()).hexdigest()
        except OSError as exc:
            problems.append(
                Problem(display_path(path), None, "load.io", f"无法读取文件：{exc.strerror}")
            )
    return hashes, problems


def load_sources(data_dir: Path, parse: Parse | None = None) -> Sources:
    """Every file of the data directory; ``parse`` stands in for parse_yaml (same contract)."""
    problems: list[Problem] = []
    platforms, found, platform_files = _load_many(data_dir / "platforms", parse)
    problems += found
    announcements, found, _ = _load_many(data_dir / "announcements", parse)
    problems += found
    singles = []
    for name in ("counties", "rules", "calendar"):
        doc, found = _load_one(data_dir / f"{name}.yaml", parse)
        problems += found
        singles.append(doc)
    associations, found = _load_one(data_dir / "associations.yaml", parse)
    problems += found
    attachments, found = _hash_attachments(data_dir / "attachments")
    problems += found
    return Sources(
        tuple(platforms),
        tuple(announcements),
        singles[0],
        singles[1],
        singles[2],
        MappingProxyType(attachments),
        tuple(problems),
        platform_files,
        associations,
    )
