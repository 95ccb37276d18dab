"""The text of a new platform record (`registry new`): a valid file with placeholders that
staff complete. Every value is written as a JSON string, which YAML reads back as it is."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from generator.validate.records import PLACEHOLDER


@dataclass(frozen=True)
class NewPlatform:
    name: str
    operator: str
    uscc: str
    established: date
    county: str
    address: str
    phone: str
    association: str | None
    recommended: date


def _q(text: str) -> str:
    # A JSON string is a valid YAML double-quoted scalar: no value can break the file.
    return json.dumps(text, ensure_ascii=False)


def scaffold_text(new_id: str, new: NewPlatform) -> str:
    recommender = (
        f"{{type: association, name: {_q(new.association)}}}"
        if new.association
        else f"{{type: county, code: {_q(new.county)}}}"
    )
    return (
        "# yaml-language-server: $schema=../../schemas/platform.schema.json\n"
        f"id: {new_id}\n"
        f"name: {_q(new.name)}\n"
        "operator:\n"
        f"  name: {_q(new.operator)}\n"
        f"  uscc: {_q(new.uscc)}\n"
        f"  established: {new.established.isoformat()}\n"
        f"county: {_q(new.county)}\n"
        "services:  # 服务类别：information 信息 / technology 技术 / entrepreneurship 创业 / training 培训 / financing 融资\n"
        "  information: [政策信息]\n"
        "description: >-\n"
        f"  {PLACEHOLDER}请在这里用几句话介绍平台的主要服务内容、服务对象和服务成效，纯文本。\n"
        "contact:\n"
        f"  address: {_q(new.address)}\n"
        f"  phone: {_q(new.phone)}\n"
        f"recommender: {recommender}\n"
        "history:\n"
        f"  - {{date: {new.recommended.isoformat()}, type: recommended}}\n"
        "indicators: []  # 每年一条：year, total_assets, smes_served, satisfaction ...（见编辑指南）\n"
    )


def next_platform_id(existing: Iterable[str], prefix: str = "bd-") -> str:
    numbers = [
        int(i[len(prefix) :])
        for i in existing
        if i.startswith(prefix) and i[len(prefix) :].isdigit()
    ]
    return f"{prefix}{max(numbers, default=0) + 1:04d}"
