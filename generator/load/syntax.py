"""YAML syntax errors in Chinese: what the parser says, worded for the clerk who made it.

PyYAML's messages (libyaml's and the pure-Python parser's wording alike) are matched
and replaced by a Chinese message and hint for the mistakes people actually make;
anything else keeps the original English in the hint.
"""

from __future__ import annotations

from typing import Any

import yaml

from generator.report import Problem

TAG_HINT = "请删除标签，直接写出值；需要文字时用引号括起来（文字本身以 ! 开头时也请加引号）"

_GENERIC_SYNTAX_HINT = "请对照模板检查这一行及上一行的缩进、冒号和引号"


_POINT_AT_START = ("while scanning a quoted scalar", "while parsing a flow")


def syntax_problem(exc: yaml.YAMLError, text: str, file: str, max_depth: int) -> Problem:
    """The Problem for a parser error: Chinese message and hint, the line to look at."""
    problem = str(getattr(exc, "problem", None) or exc)
    context = str(getattr(exc, "context", None) or "")
    problem_mark = getattr(exc, "problem_mark", None)
    context_mark = getattr(exc, "context_mark", None)
    line = problem_mark.line + 1 if problem_mark is not None else None
    if "maximum nesting depth" in problem:
        # libyaml 0.2.5+ (PyYAML 6.0.4 wheels) stops deep nesting itself, before our own
        # depth check sees it: the same problem for the clerk either way.
        return Problem(
            file,
            line,
            "load.too-deep",
            f"嵌套层次太深（超过 {max_depth} 层）",
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
        return ("“!”开头的标签写法不对", TAG_HINT)
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
