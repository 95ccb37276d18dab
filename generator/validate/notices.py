"""Rules on publicity notices (the publicity article of data/rules.yaml): the period the text states, the ways to object.

A publicity notice is published text: what it says about the period must be the period
the registry computes from `publicity` (start and working days, on the holiday
calendar), and it must tell the public how to object, which the publicity article requires to be done
实名、书面 within the period: a phone to ask, and an e-mail or a postal address for the
written objection (both, normally).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

from generator.model import cite, lead
from generator.report import Problem
from generator.validate.context import Context, problem, real_date

_DATE = r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日"
# 自2024年9月27日至2024年10月11日 / 2024年9月27日—10月11日 (the year of the end may be left out)
_RANGE = re.compile(
    _DATE
    + r"\s*(?:起)?\s*(?:至|到|—|–|-|－|～|~)\s*(?:(\d{4})\s*年\s*)?(\d{1,2})\s*月\s*(\d{1,2})\s*日"
)
_DAYS = re.compile(r"(\d+|[一二两三四五六七八九十]+)\s*个\s*工作日")
_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


def _number(text: str) -> int | None:
    """7, 七, 十, 十五, 二十 -> int (1-99); None for anything else."""
    if text.isdigit():
        return int(text)
    if "十" not in text:
        return _DIGITS.get(text) if len(text) == 1 else None
    tens, _, ones = text.partition("十")
    if (tens and tens not in _DIGITS) or (ones and ones not in _DIGITS) or "十" in ones:
        return None
    return (_DIGITS[tens] if tens else 1) * 10 + (_DIGITS[ones] if ones else 0)


def _day(y: str, m: str, d: str) -> date | None:
    try:
        return date(int(y), int(m), int(d))
    except ValueError:
        return None


def _cn(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def check_period_text(ctx: Context) -> Iterator[Problem]:
    for ann_id, doc in sorted(ctx.announcements.items()):
        pub = doc.data.get("publicity")
        if doc.data.get("type") != "publicity" or not pub:
            continue
        body = str(doc.data.get("body", ""))
        want = pub["working_days"]
        for m in _DAYS.finditer(body):
            n = _number(m.group(1))
            if n is not None and n != want:
                yield problem(
                    doc,
                    ["body"],
                    "notices.period-days",
                    f"正文写公示期为{m.group(1)}个工作日，记录中的公示期为{want}个工作日{cite(ctx.rules.publicity_article)}",
                    "正文和 publicity.working_days 应当一致；网站按记录显示公示期",
                )
        start, end = real_date(pub["start"]), ctx.publicity_ends.get(ann_id)
        if start is None or end is None:
            continue
        for m in _RANGE.finditer(body):
            first = _day(m.group(1), m.group(2), m.group(3))
            last = _day(m.group(4) or m.group(1), m.group(5), m.group(6))
            if first is None or last is None or (first, last) == (start, end):
                continue
            yield problem(
                doc,
                ["body"],
                "notices.period-dates",
                f"正文写公示期自{_cn(first)}至{_cn(last)}，按公示开始日和{want}个工作日计算应为自{_cn(start)}至{_cn(end)}",
                f"结束日按国家节假日安排计算，可用 registry workdays {start.isoformat()} {want} 核对；改正文或 publicity.start",
            )


def check_objection_contact(ctx: Context) -> Iterator[Problem]:
    for _, doc in sorted(ctx.announcements.items()):
        if doc.data.get("type") != "publicity":
            continue
        contact = doc.data.get("contact") or {}
        phone, email, address = (
            str(contact.get(k) or "").strip() for k in ("phone", "email", "address")
        )
        missing = [
            label
            for label, value in (("电子邮箱（email）", email), ("通信地址（address）", address))
            if not value
        ]
        if not phone or len(missing) == 2:
            lacks = "和".join(
                ([] if phone else ["联系电话（phone）"]) + (missing if len(missing) == 2 else [])
            )
            yield problem(
                doc,
                ["contact"],
                "notices.no-contact",
                f"公示公告没有写明怎样提出异议：缺少{lacks}。{lead(ctx.rules.publicity_article)}对公示名单有异议的，在公示期内以实名、书面形式提出",
                "在 contact 中填写受理部门的 phone，以及接收书面异议的 email 和 address",
            )
        elif missing:
            yield problem(
                doc,
                ["contact"],
                "notices.contact-incomplete",
                f"公示公告缺少{missing[0]}：书面异议只能通过另一种方式送达（{lead(ctx.rules.publicity_article)}实名、书面提出）",
                "在 contact 中补充 email 或 address",
                severity="warning",
            )


RULES = (check_period_text, check_objection_contact)
