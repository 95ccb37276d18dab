"""records.*: the characters a record's text may hold, and how names are compared.

Every string of every data file (values and keys, at any depth) is looked at with its
JSON path, so a problem names the file and line of the field and the character as
U+XXXX, never the raw character. The loader already refuses a file whose *bytes* hold
most control characters (load.control-char); this module sees the values after YAML
has read them, which also covers what a double-quoted escape ("\\u202e", "\\r",
"\\x00") puts there.

Refused in every field:
- C0 and C1 control characters and DEL (records.control-char), carriage returns
  included: YAML turns real line ends into "\\n", so a CR in a value came from an escape;
- format characters, Unicode category Cf (records.invisible-char): zero-width spaces and
  joiners, BOM, direction marks, embeddings, overrides and isolates (U+200B-200F,
  U+202A-202E, U+2060-2069, U+061C, U+FEFF), soft hyphens, tag characters...: they are
  invisible, make two texts that look the same differ, or reorder what is shown;
- U+2028 and U+2029, line and paragraph separators (records.line-break);
- noncharacters (U+FDD0-FDEF, U+xFFFE, U+xFFFF) and lone surrogates (records.noncharacter).
A newline or a tab is allowed only in prose fields (PROSE_KEYS); anywhere else it is
records.line-break.

`name_key` is the form in which platform and operator names are compared for
near-duplicates (records.py).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from typing import Any

from generator import schemas
from generator.load import Document
from generator.report import Problem, inert

#: fields that hold prose, where a newline or a tab is text: by key, in every file kind
PROSE_KEYS = frozenset(
    {"description", "body", "note", "notes", "findings", "text", "uscc_exception"}
)

#: rule id of each kind of character refused
CHAR_RULES = {
    "control": "records.control-char",
    "line": "records.line-break",
    "invisible": "records.invisible-char",
    "nonchar": "records.noncharacter",
}

_CHAR_NAMES = {
    "\t": "制表符 Tab",
    "\n": "换行符",
    "\r": "回车符",
    "\x00": "NUL 空字符",
    "\x1b": "控制字符 ESC",
    "\x7f": "控制字符 DEL",
    "\x85": "NEL 换行符",
    "\u00ad": "软连字符",
    "\u061c": "阿拉伯文字母标记",
    "\u200b": "零宽空格",
    "\u200c": "零宽非连接符",
    "\u200d": "零宽连接符",
    "\u200e": "从左到右标记",
    "\u200f": "从右到左标记",
    "\u2028": "Unicode 行分隔符",
    "\u2029": "Unicode 段落分隔符",
    "\u2060": "字连接符",
    "\ufeff": "BOM 零宽不换行空格",
    **{c: "文字方向嵌入/覆盖符" for c in "\u202a\u202b\u202c\u202d\u202e"},
    **{c: "文字方向隔离符" for c in "\u2066\u2067\u2068\u2069"},
}
_KIND_NAMES = {
    "control": "控制字符",
    "line": "换行符",
    "invisible": "不可见的格式字符",
    "nonchar": "非字符",
}
_HINTS = {
    "control": "请删除这个字符（常见于从网页、Word 或 PDF 复制粘贴的文字，或双引号里的 \\r、\\x.. 等转义）",
    "line": "这个字段只能写一行：请删除换行或 Tab；多行写法“|”会在末尾留下换行，请改为写在同一行",
    "invisible": "这个字符看不见，却会让看起来相同的文字实际不同，或改变文字显示的顺序；请删除它"
    "（常见于从网页、聊天软件复制的文字）",
    "nonchar": "这不是有效的文字字符，请删除",
}
_FIND_HINT = "；VS Code 中按 Ctrl+H，开启正则（.* 按钮），搜索 \\u{code:04X} 并替换为空"

#: characters that are not "printable" for str.isprintable but are fine anywhere
#: (spaces such as U+3000 and U+00A0); deleted before the quick isprintable test
_SPACES = {
    ord(c): None
    for c in "\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
    "\u2007\u2008\u2009\u200a\u202f\u205f\u3000"
}
_PROSE_OK = {**_SPACES, ord("\n"): None, ord("\t"): None}


def _is_noncharacter(code: int) -> bool:
    return 0xFDD0 <= code <= 0xFDEF or (code & 0xFFFE) == 0xFFFE


def char_kind(ch: str, prose: bool) -> str | None:
    """Which kind of refused character `ch` is ("control", "line", ...), or None."""
    if ch in "\n\t":
        return None if prose else "line"
    if ch in "\u2028\u2029":
        return "line"
    category = unicodedata.category(ch)
    if category == "Cc":
        return "control"
    if category == "Cf":
        return "invisible"
    if category == "Cs" or _is_noncharacter(ord(ch)):
        return "nonchar"
    return None


def _bad_chars(text: str, prose: bool) -> Iterator[tuple[int, str, str]]:
    """(index, character, kind) of every refused character of text."""
    if text.isprintable() or text.translate(_PROSE_OK if prose else _SPACES).isprintable():
        return
    for i, ch in enumerate(text):
        if not ch.isprintable():
            kind = char_kind(ch, prose)
            if kind is not None:
                yield i, ch, kind


def _where(text: str, index: int) -> str:
    """The character's place in the value: "末尾的字符", "第 c 个字符" or "第 l 行第 c 个字符"."""
    if index == len(text) - 1 and index:
        return "末尾的字符"
    line = text.count("\n", 0, index)
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    return f"第 {line + 1} 行第 {column} 个字符" if "\n" in text else f"第 {column} 个字符"


def _field(kind: str, path: tuple[str | int, ...]) -> str:
    if path and isinstance(path[-1], int) and "title" not in (schemas.subschema(kind, path) or {}):
        return schemas.title(kind, path[:-1])
    return schemas.title(kind, path)


def _problems(
    kind: str, doc: Document, path: tuple[str | int, ...], text: str, is_key: bool, prose: bool
) -> Iterator[Problem]:
    found: dict[str, list[tuple[int, str]]] = {}
    for index, ch, char_kind_ in _bad_chars(text, prose):
        found.setdefault(char_kind_, []).append((index, ch))
    for char_kind_, places in found.items():
        index, ch = places[0]
        code = ord(ch)
        name = _CHAR_NAMES.get(ch, _KIND_NAMES[char_kind_])
        what = f"键名“{inert(text)}”" if is_key else f"“{_field(kind, path)}”"
        more = f"（共 {len(places)} 处）" if len(places) > 1 else ""
        one_line = "只能写一行，" if char_kind_ == "line" and ch in "\n\t" else ""
        message = f"{what}{one_line}{_where(text, index)}是{name}（U+{code:04X}）{more}"
        hint = _HINTS[char_kind_] + ("" if ch in "\n\t" else _FIND_HINT.format(code=code))
        yield Problem(
            doc.file, doc.line(path), CHAR_RULES[char_kind_], message, hint, "error", path
        )


def check_document(kind: str, doc: Document) -> list[Problem]:
    """Every refused character of every string (keys too) of one loaded file."""
    problems: list[Problem] = []
    # containers only go on the stack; a printable string (nearly all) costs one test
    stack: list[tuple[tuple[str | int, ...], Any, bool]] = [((), doc.data, False)]
    if isinstance(doc.data, str) and not doc.data.isprintable():
        problems.extend(_problems(kind, doc, (), doc.data, False, False))
    while stack:
        path, node, prose = stack.pop()
        if isinstance(node, dict):
            for key, value in node.items():
                if type(key) is str and not key.isprintable():
                    problems.extend(_problems(kind, doc, (*path, key), key, True, False))
                if type(value) is str:
                    if not value.isprintable():
                        problems.extend(
                            _problems(kind, doc, (*path, key), value, False, key in PROSE_KEYS)
                        )
                elif isinstance(value, (dict, list)):
                    stack.append(((*path, key), value, key in PROSE_KEYS))
        elif isinstance(node, list):
            for i, value in enumerate(node):
                if type(value) is str:
                    if not value.isprintable():
                        problems.extend(_problems(kind, doc, (*path, i), value, False, prose))
                elif isinstance(value, (dict, list)):
                    stack.append(((*path, i), value, prose))
    problems.sort(key=lambda p: (p.line or 0, repr(p.path)))
    return problems


# -- names compared for near-duplicates ------------------------------------------------------

#: Cyrillic and Greek letters that look like Latin ones (after NFKC), as the Latin letter.
#: A short list of the clear cases, from Unicode's confusables data (confusables.txt).
_LOOKALIKES = str.maketrans(
    {
        # Cyrillic capitals
        "А": "A",
        "В": "B",
        "Е": "E",
        "К": "K",
        "М": "M",
        "Н": "H",
        "О": "O",
        "Р": "P",
        "С": "C",
        "Т": "T",
        "У": "Y",
        "Х": "X",
        "Ѕ": "S",
        "І": "I",
        "Ј": "J",
        "Ԛ": "Q",
        "Ԝ": "W",
        "Ү": "Y",
        "Ӏ": "I",
        # Cyrillic small letters
        "а": "a",
        "е": "e",
        "о": "o",
        "р": "p",
        "с": "c",
        "у": "y",
        "х": "x",
        "ѕ": "s",
        "і": "i",
        "ј": "j",
        "һ": "h",
        "ԁ": "d",
        "ԛ": "q",
        "ԝ": "w",
        "ӏ": "l",
        "ү": "y",
        # Greek capitals
        "Α": "A",
        "Β": "B",
        "Ε": "E",
        "Ζ": "Z",
        "Η": "H",
        "Ι": "I",
        "Κ": "K",
        "Μ": "M",
        "Ν": "N",
        "Ο": "O",
        "Ρ": "P",
        "Τ": "T",
        "Υ": "Y",
        "Χ": "X",
        # Greek small letters
        "α": "a",
        "γ": "y",
        "ι": "i",
        "ν": "v",
        "ο": "o",
        "ρ": "p",
        "υ": "u",
        "ϲ": "c",
        "ϳ": "j",
    }
)

#: Default_Ignorable_Code_Point (Unicode DerivedCoreProperties.txt) that are not Cf:
#: combining grapheme joiner, Hangul fillers, Khmer inherent vowels, Mongolian free
#: variation selectors, variation selectors
_IGNORABLE_RANGES = (
    (0x034F, 0x034F),
    (0x115F, 0x1160),
    (0x17B4, 0x17B5),
    (0x180B, 0x180F),
    (0x3164, 0x3164),
    (0xFE00, 0xFE0F),
    (0xFFA0, 0xFFA0),
    (0xFFF0, 0xFFF8),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0000, 0xE0FFF),
)


_IGNORABLE = re.compile(
    "[" + "".join(f"\\U{low:08x}-\\U{high:08x}" for low, high in _IGNORABLE_RANGES) + "]"
)
#: categories dropped from a name: controls, format characters, spaces and separators
_DROPPED = frozenset({"Cc", "Cf", "Zs", "Zl", "Zp"})


def name_key(name: Any) -> Any:
    """The form in which two names are the same name: NFKC (full-width letters, digits and
    brackets as half-width), no spaces of any kind (U+3000 too) and no invisible
    characters, Cyrillic and Greek look-alikes as Latin letters, letters case-folded.
    A value that is not text is its own key."""
    if not isinstance(name, str):
        return name
    text = unicodedata.normalize("NFKC", name)
    if not text.isprintable():
        text = "".join(
            ch for ch in text if ch.isprintable() or unicodedata.category(ch) not in _DROPPED
        )
    text = _IGNORABLE.sub("", text).replace(" ", "").translate(_LOOKALIKES)
    return unicodedata.normalize("NFKC", text).casefold()
