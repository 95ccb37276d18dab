"""Shape: JSON Schema (draft 2020-12), errors translated into Chinese with lines."""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from typing import TYPE_CHECKING, Any

import jsonschema_rs

from generator import schemas
from generator.load import Document
from generator.report import Problem
from generator.validate import text

if TYPE_CHECKING:
    import jsonschema

_TYPE_ZH = {
    "string": "文本",
    "integer": "整数",
    "number": "数字",
    "object": "一组字段（键: 值）",
    "array": "列表（每项以“- ”开头）",
    "boolean": "true 或 false",
    "null": "空值",
}


def _type_of(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


@cache
def _ecma_regex(pattern: str) -> Any:
    import regress

    return regress.Regex(pattern)


def _ecma_pattern(validator: Any, pattern: str, instance: Any, schema: Any) -> Iterator[Any]:
    """The `pattern` keyword with the ECMA-262 semantics JSON Schema prescribes, as
    jsonschema-rs and editors apply it. Python's re differs: its `$` also matches before a
    final newline ("2024-01-01\n" would pass `^\\d{4}-\\d{2}-\\d{2}$`) and its `\\d` matches
    any script's digits."""
    import jsonschema

    if validator.is_type(instance, "string") and _ecma_regex(pattern).find(instance) is None:
        yield jsonschema.ValidationError(f"{instance!r} does not match {pattern!r}")


@cache
def _validator(kind: str) -> jsonschema.protocols.Validator:
    # imported on the first document jsonschema-rs refuses: a clean run never needs it
    import jsonschema

    cls = jsonschema.validators.validator_for(schemas.schema(kind))
    ecma = jsonschema.validators.extend(cls, validators={"pattern": _ecma_pattern})
    return ecma(schemas.schema(kind))


@cache
def _fast_validator(kind: str) -> Any:
    """The same schema in jsonschema-rs: a yes/no about 100 times faster.

    Only its "valid" is taken: a document it refuses goes through Python jsonschema,
    which finds the errors to translate. Both read `pattern` as ECMA-262 (_ecma_pattern).
    """
    return jsonschema_rs.validator_for(schemas.schema(kind))


def _show(value: Any) -> str:
    if isinstance(value, bool):  # as the YAML file spells it, not Python's True
        return "true" if value else "false"
    # a line break would split the one-line message shape: show it as the escape
    text = str(value).replace("\r", "\\r").replace("\n", "\\n").replace("\t", "\\t")
    return text if len(text) <= 40 else text[:40] + "…"


def _not_allowed_key(doc: Document, parent: tuple[str | int, ...], value: Any) -> str | int | None:
    """The key a `false` subschema refused.

    jsonschema reports a `false` schema at the parent object, without the property
    name; find the property by identity of the refused value.
    """
    node: Any = doc.data
    for part in parent:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return None
    if isinstance(node, dict):
        for name, item in node.items():
            if item is value:
                return name
    return None


def _title(kind: str, path: tuple[str | int, ...]) -> str:
    """Title of the field at path; a list item without its own title takes the list's."""
    if path and isinstance(path[-1], int) and "title" not in (schemas.subschema(kind, path) or {}):
        return schemas.title(kind, path[:-1])
    return schemas.title(kind, path)


#: pattern errors that have a rule of their own, by JSON path
_PATTERN_RULES: dict[tuple[str | int, ...], str] = {("id",): "ids.pattern"}


def _translate(kind: str, doc: Document, err: jsonschema.ValidationError) -> Iterator[Problem]:
    path = tuple(err.absolute_path)
    key = err.validator
    value: Any = err.instance
    expected: Any = err.validator_value
    rule = f"schema.{key}"
    if err.schema is False:
        rule = "schema.false"
        name = _not_allowed_key(doc, path, value)
        if name is not None:
            path = path + (name,)
    elif key == "pattern":
        rule = _PATTERN_RULES.get(path, rule)
    title = _title(kind, path)
    node = schemas.subschema(kind, path) or {}

    def problem(message: str, hint: str = "", at: tuple[str | int, ...] = path) -> Problem:
        return Problem(doc.file, doc.line(at), rule, message, hint, "error", at)

    if key == "required":
        for name in expected:
            if isinstance(value, dict) and name not in value:
                sub = schemas.title(kind, path + (name,))
                desc = (schemas.subschema(kind, path + (name,)) or {}).get("description", "")
                where = f"“{title}”中" if path else ""
                yield problem(f"{where}缺少必填字段“{name}”（{sub}）", desc)
    elif key == "additionalProperties":
        allowed = "、".join((node.get("properties") or {}).keys())
        for name in sorted(set(value) - set((node.get("properties") or {}).keys()), key=str):
            yield problem(
                f"不认识的字段“{_show(name)}”",
                f"请检查拼写或缩进；这里允许的字段有：{allowed}",
                path + (name,),
            )
    elif rule == "schema.false":
        field = f"“{title}”（{path[-1]}）" if path and isinstance(path[-1], str) else f"“{title}”"
        yield problem(f"这里不允许填写{field}", node.get("description", ""))
    elif key == "type":
        want = expected
        wants = want if isinstance(want, list) else [want]
        want_zh = "或".join(_TYPE_ZH.get(w, str(w)) for w in wants)
        got = _type_of(value)
        if got == "null":
            yield problem(
                f"“{title}”应为{want_zh}，但这里没有填写值", "请填写值；不需要的可选字段请整行删除"
            )
            return
        hint = ""
        if "string" in wants and got in ("integer", "number", "boolean"):
            hint = f'请给值加引号，例如 "{_show(value)}"'
        yield problem(
            f"“{title}”应为{want_zh}，实际为{_TYPE_ZH.get(got, got)}“{_show(value)}”", hint
        )
    elif key == "enum":
        allowed = "、".join(str(v) for v in expected)
        yield problem(f"“{title}”的值“{_show(value)}”不在允许范围内", f"允许的值：{allowed}")
    elif key == "const":
        yield problem(f"“{title}”应为“{expected}”，实际为“{_show(value)}”")
    elif key == "pattern":
        yield problem(f"“{title}”的格式不对：“{_show(value)}”", node.get("description", ""))
    elif key == "minLength":
        yield problem(f"“{title}”太短：至少{expected}个字符", node.get("description", ""))
    elif key == "maxLength":
        yield problem(f"“{title}”太长：最多{expected}个字符，实际{len(value)}个")
    elif key in ("minimum", "exclusiveMinimum"):
        yield problem(f"“{title}”不能小于{expected}，实际为{value}")
    elif key in ("maximum", "exclusiveMaximum"):
        yield problem(f"“{title}”不能大于{expected}，实际为{value}")
    elif key == "minItems":
        yield problem(f"“{title}”至少要有{expected}项")
    elif key == "uniqueItems":
        yield problem(f"“{title}”中有重复的项")
    elif key == "minProperties":
        yield problem(f"“{title}”至少要填写一项", node.get("description", ""))
    else:
        yield problem(f"“{title}”不符合格式要求（{key}）", err.message)


def _leaves(err: jsonschema.ValidationError) -> Iterator[jsonschema.ValidationError]:
    """if/then and allOf wrap the real error; report the innermost ones."""
    if err.context:
        for sub in err.context:
            yield from _leaves(sub)
    else:
        yield err


def check_shape(kind: str, doc: Document) -> list[Problem]:
    """The JSON Schema's problems, then those of the characters of every text
    (validate/text.py) at a path the schema did not already find wrong."""
    problems: list[Problem] = []
    if not _fast_validator(kind).is_valid(doc.data):
        for err in _validator(kind).iter_errors(doc.data):
            for leaf in _leaves(err):
                problems.extend(_translate(kind, doc, leaf))
        if not problems:  # the two validators disagree: refused all the same, never let through
            problems.append(
                Problem(
                    doc.file,
                    None,
                    "schema.unexplained",
                    "文件不符合格式要求，但无法指出具体位置",
                    "请联系维护人员，并附上这个文件",
                )
            )
    found = text.check_document(kind, doc)
    if found:
        wrong = {p.path for p in problems}
        problems += [p for p in found if p.path not in wrong]
    return problems
