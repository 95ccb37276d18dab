"""The JSON Schemas in schemas/: one source for the validator, editors and the site.

Code reads enums and titles from here instead of copying them (STYLE.md 4).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

#: Where a built wheel carries its copy of schemas/ (setup.py puts it there).
PACKAGED_DIR = Path(__file__).resolve().parent / "jsonschemas"
#: The single source, at the root of a checkout (editable installs read it directly).
CHECKOUT_DIR = Path(__file__).resolve().parent.parent / "schemas"
SCHEMA_DIR = PACKAGED_DIR if PACKAGED_DIR.is_dir() else CHECKOUT_DIR
KINDS = ("platform", "announcement", "counties", "rules", "calendar", "associations")


@cache
def schema(kind: str) -> dict[str, Any]:
    with open(SCHEMA_DIR / f"{kind}.schema.json", encoding="utf-8") as f:
        return json.load(f)


def _resolve(root: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    seen = 0
    while isinstance(node, dict) and "$ref" in node and seen < 10:
        ref = node["$ref"]
        target: Any = root
        for part in ref.lstrip("#/").split("/"):
            target = target[part]
        merged = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
        node = merged
        seen += 1
    return node


def subschema(kind: str, path: Sequence[str | int]) -> dict[str, Any] | None:
    """The schema node that describes the value at `path`, or None if unknown."""
    root = schema(kind)
    node: Any = root
    for part in path:
        node = _resolve(root, node)
        node = node.get("items") if isinstance(part, int) else node.get("properties", {}).get(part)
        if not isinstance(node, dict):
            return None
    return _resolve(root, node)


def title(kind: str, path: Sequence[str | int]) -> str:
    """Chinese title of the field at path; falls back to the key itself."""
    node = subschema(kind, path)
    if node and "title" in node:
        return str(node["title"])
    for part in reversed(path):
        if isinstance(part, str):
            return part
    return "记录"


def enum(kind: str, path: Sequence[str | int]) -> list[Any]:
    node = subschema(kind, path) or {}
    if "enum" in node:
        return list(node["enum"])
    items = node.get("items") or {}
    return list(items.get("enum", []))


def service_categories() -> dict[str, tuple[str, tuple[str, ...]]]:
    """The service categories (articles.services) in schema order: key -> (title, service items)."""
    props = schema("platform")["properties"]["services"]["properties"]
    return {k: (v["title"], tuple(v["items"]["enum"])) for k, v in props.items()}


def enum_labels(kind: str, path: Sequence[str | int]) -> dict[str, str]:
    """Chinese labels of an enum, parsed from its description 'key 标签；key 标签'."""
    node = subschema(kind, path) or {}
    labels: dict[str, str] = {}
    desc = str(node.get("description", ""))
    values = [str(v) for v in node.get("enum", [])]
    for chunk in desc.replace("；", ";").replace("。", ";").split(";"):
        chunk = chunk.strip()
        for v in values:
            if chunk.startswith((v + " ", v + "：")):
                rest = chunk[len(v) + 1 :].strip()
                labels[v] = rest.split("（")[0].split("，")[0].strip()
    return labels
