"""The editing guide keeps up with the code (STYLE.md 11). Fast: no MkDocs, no network.

- every schema property has a Chinese title and description (editors show them on hover);
- every rule id the code can emit is explained in the guide (docs/content/guide/);
- guide pages are plain, safe Markdown: no snippet includes, no scripts;
- every relative link in the guide points to an existing page (and anchor).
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from generator.load import load_file, parse_yaml
from generator.validate.schema import check_shape

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT / "docs" / "content" / "guide"
SCHEMAS = ROOT / "schemas"
GENERATOR = ROOT / "generator"
RULES_FILE = ROOT / "data" / "rules.yaml"

CJK = re.compile(r"[\u4e00-\u9fff]")

#: Prefixes of rule ids (`[rule <prefix>.<name>]`). A string literal in generator/ that is
#: exactly "<prefix>.<name>" is taken for a rule id; add a prefix here when a stage starts
#: reporting a new kind of problem.
RULE_PREFIXES = (
    "load",
    "schema",
    "ids",
    "names",
    "uscc",
    "dates",
    "references",
    "announcement",
    "attachments",
    "history",
    "warnings",
    "eligibility",
    "article18",
    "workdays",
    "calendar",
    "build",
    "check",
    "new",
    "write",
    "diff",
)
RULE_ID = re.compile(rf"(?:{'|'.join(RULE_PREFIXES)})\.[A-Za-z0-9][A-Za-z0-9_-]*")
#: "calendar.yaml" and friends are file names, not rule ids.
FILE_SUFFIXES = frozenset(
    {"yaml", "yml", "json", "md", "html", "xml", "csv", "xlsx", "py", "j2", "txt", "ics", "svg"}
)

#: The append-only checks of `registry diff` (generator/diff.py). Listed here as well, so
#: the guide explains them even while that module is missing or being rewritten.
DIFF_RULES = frozenset(
    {
        "diff.deleted",
        "diff.renamed",
        "diff.id-changed",
        "diff.id-reused",
        "diff.history-edited",
        "diff.history-removed",
        "diff.announcement-changed",
        "diff.announcement-deleted",
    }
)

#: JSON Schema keywords that can fail (jsonschema does not assert `format` by default).
#: A keyword used in schemas/ without a branch of its own in validate/schema.py is still
#: reported, as `schema.<keyword>`.
ASSERTING_KEYWORDS = frozenset(
    {
        "type",
        "enum",
        "const",
        "pattern",
        "minLength",
        "maxLength",
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "multipleOf",
        "minItems",
        "maxItems",
        "uniqueItems",
        "contains",
        "minContains",
        "maxContains",
        "minProperties",
        "maxProperties",
        "required",
        "dependentRequired",
        "additionalProperties",
        "propertyNames",
        "not",
        "oneOf",
        "anyOf",
    }
)


def guide_pages() -> list[Path]:
    return sorted(GUIDE.glob("*.md"))


def guide_text() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in guide_pages())


# -- (a) schema titles and descriptions ---------------------------------------------------


def _properties(node: Any, where: str) -> Iterator[tuple[str, Any]]:
    """Every property declaration: `properties` walked recursively, through `items`,
    `additionalProperties` and `$defs`. Conditional restatements (allOf/if/then) name
    properties declared elsewhere and are not declarations."""
    if not isinstance(node, dict):
        return
    for name, prop in (node.get("properties") or {}).items():
        path = f"{where}/properties/{name}"
        yield path, prop
        yield from _properties(prop, path)
    for key in ("items", "additionalProperties"):
        if isinstance(node.get(key), dict):
            yield from _properties(node[key], f"{where}/{key}")
    for name, sub in (node.get("$defs") or {}).items():
        yield from _properties(sub, f"{where}/$defs/{name}")


def _schema_properties() -> list[tuple[str, Any]]:
    found = []
    for path in sorted(SCHEMAS.glob("*.schema.json")):
        schema = json.loads(path.read_text(encoding="utf-8"))
        found += _properties(schema, path.name + "#")
    return found


def test_schemas_have_properties() -> None:
    assert len(_schema_properties()) > 50


@pytest.mark.parametrize(
    "where,prop", _schema_properties(), ids=lambda v: v if isinstance(v, str) else ""
)
def test_schema_property_has_chinese_title_and_description(where: str, prop: Any) -> None:
    assert isinstance(prop, dict), f"{where}: a property declaration must be an object"
    for key in ("title", "description"):
        value = prop.get(key)
        assert isinstance(value, str) and value.strip(), f"{where}: missing {key}"
        assert CJK.search(value), f"{where}: {key} {value!r} has no Chinese text"


# -- (b) every rule id is in the guide ----------------------------------------------------


def _string_literals(path: Path) -> Iterator[str]:
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield node.value


def _literal_rule_ids() -> set[str]:
    ids = set()
    for path in sorted(GENERATOR.rglob("*.py")):
        for text in _string_literals(path):
            if RULE_ID.fullmatch(text) and text.rsplit(".", 1)[1] not in FILE_SUFFIXES:
                ids.add(text)
    return ids


def _schema_keyword_rule_ids() -> set[str]:
    """`schema.<keyword>`: validate/schema.py builds these ids with an f-string."""
    keywords: set[str] = set()
    tree = ast.parse((GENERATOR / "validate" / "schema.py").read_text(encoding="utf-8"))
    for node in ast.walk(tree):  # the branches: key == "pattern", key in ("minimum", ...)
        if (
            isinstance(node, ast.Compare)
            and isinstance(node.left, ast.Name)
            and node.left.id == "key"
        ):
            for comp in node.comparators:
                values = comp.elts if isinstance(comp, (ast.Tuple, ast.List, ast.Set)) else [comp]
                keywords |= {
                    v.value
                    for v in values
                    if isinstance(v, ast.Constant) and isinstance(v.value, str)
                }

    def walk(node: Any) -> None:  # and whatever the schemas use
        if isinstance(node, dict):
            keywords.update(k for k in node if k in ASSERTING_KEYWORDS)
            for key, value in node.items():
                if key not in ("properties", "$defs"):
                    walk(value)
                else:
                    for sub in value.values():
                        walk(sub)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    for path in sorted(SCHEMAS.glob("*.schema.json")):
        walk(json.loads(path.read_text(encoding="utf-8")))
    return {f"schema.{k}" for k in keywords if k in ASSERTING_KEYWORDS}


def _false_schema_rule_ids() -> set[str]:
    """The id a `false` subschema gets ("this field is not allowed here"), as reported."""
    text = (
        "id: bd-0001\nname: 测试平台名称\n"
        'operator: {name: 测试运营单位, uscc: "91350100M000100Y43", established: 2015-01-01}\n'
        'county: "130602"\nservices: {information: [政策信息]}\n'
        'description: 用于测试的平台简介文字。\ncontact: {address: 测试地址一号, phone: "0312-5000000"}\n'
        'recommender: {type: county, code: "130602", name: 不应填写的协会名称}\n'
        "history: [{date: 2020-01-01, type: recommended}]\n"
    )
    doc, problems = parse_yaml(text.encode("utf-8"), "data/platforms/bd-0001.yaml")
    assert doc is not None, problems
    return {p.rule for p in check_shape("platform", doc)}


def _eligibility_rule_ids() -> set[str]:
    doc, problems = load_file(RULES_FILE, "data/rules.yaml")
    assert doc is not None, problems
    return {f"eligibility.{t['id']}" for t in doc.data["thresholds"]}


@cache
def emitted_rule_ids() -> frozenset[str]:
    return frozenset(
        _literal_rule_ids()
        | _schema_keyword_rule_ids()
        | _false_schema_rule_ids()
        | _eligibility_rule_ids()
        | DIFF_RULES
    )


def test_rule_id_collection_finds_every_kind() -> None:
    ids = emitted_rule_ids()
    for prefix in RULE_PREFIXES:
        assert any(i.startswith(prefix + ".") for i in ids), f"no rule id with prefix {prefix}"
    assert "calendar.yaml" not in ids
    assert {
        "load.syntax",
        "schema.required",
        "eligibility.satisfaction",
        "diff.history-edited",
    } <= ids


def test_every_rule_id_is_explained_in_the_guide() -> None:
    text = guide_text()
    missing = sorted(
        rule
        for rule in emitted_rule_ids()
        if not re.search(rf"(?<![A-Za-z0-9_.-]){re.escape(rule)}(?![A-Za-z0-9_-])", text)
    )
    assert not missing, (
        "rule ids the code can emit but docs/content/guide/ does not explain "
        "(add a row to docs/content/guide/errors.md):\n  " + "\n  ".join(missing)
    )


# -- (c) safe Markdown ----------------------------------------------------------------------


def test_guide_pages_exist() -> None:
    names = {p.name for p in guide_pages()}
    assert "index.md" in names
    assert len(names) >= 2


@pytest.mark.parametrize("page", guide_pages(), ids=lambda p: p.name)
def test_guide_page_is_plain_markdown(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    assert "--8<--" not in text, "no snippet includes in hand-written pages"
    assert not re.search(r"<\s*script", text, re.IGNORECASE), "no <script> in hand-written pages"


@pytest.mark.parametrize("page", guide_pages(), ids=lambda p: p.name)
def test_guide_page_front_matter_keeps_it_out_of_search(page: Path) -> None:
    """Staff pages are not in the public search index (issue 13): the public searching a
    platform's name must not land on the editing guide's examples."""
    text = page.read_text(encoding="utf-8")
    assert text.startswith("---\n"), "front matter first"
    head = text[4:].split("\n---\n", 1)[0].splitlines()
    assert any(line.startswith("title: ") and line[7:].strip() for line in head)
    assert "pagefind: true" not in head


# -- (d) links ------------------------------------------------------------------------------

_FENCE = re.compile(r"^```.*?^```[ \t]*$", re.MULTILINE | re.DOTALL)
_CODE_SPAN = re.compile(r"(`+)(?!`).*?(?<!`)\1(?!`)", re.DOTALL)
_LINK = re.compile(r"\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_ANCHOR = re.compile(r"\{\s*:?\s*#([A-Za-z0-9_-]+)[^}]*\}")


def _prose(text: str) -> str:
    return _CODE_SPAN.sub("", _FENCE.sub("", text))


def _links(page: Path) -> list[str]:
    return _LINK.findall(_prose(page.read_text(encoding="utf-8")))


def _anchors(page: Path) -> set[str]:
    return set(_ANCHOR.findall(_prose(page.read_text(encoding="utf-8"))))


@pytest.mark.parametrize("page", guide_pages(), ids=lambda p: p.name)
def test_relative_links_point_to_existing_pages(page: Path) -> None:
    broken = []
    for target in _links(page):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.IGNORECASE):  # http:, mailto: ...
            continue
        path, _, anchor = target.partition("#")
        dest = (page.parent / path).resolve() if path else page
        if not dest.is_file():
            broken.append(f"{target}: no file {dest}")
        elif anchor and dest.suffix == ".md" and anchor not in _anchors(dest):
            broken.append(f"{target}: no {{#{anchor}}} in {dest.name}")
    assert not broken, "\n".join(broken)


def test_link_check_sees_links() -> None:
    assert "tasks.md#correct" in _links(GUIDE / "index.md")
