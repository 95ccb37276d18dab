"""统一社会信用代码 checks (GB 32100-2015, GB 11714)."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.uscc import (
    ALPHABET,
    check_uscc,
    make_uscc,
    normalise,
    org_code_check_char,
    uscc_check_char,
)

VALID = ["91350100M000100Y43", "914403001922038216"]
CJK = re.compile(r"[\u4e00-\u9fff]")

codes = st.builds(
    make_uscc,
    st.tuples(
        st.sampled_from("123456789ANY"), st.text(alphabet=ALPHABET, min_size=7, max_size=7)
    ).map("".join),
    st.text(alphabet=ALPHABET, min_size=8, max_size=8),
)


def single_substitutions(code: str) -> list[str]:
    return [
        code[:i] + ch + code[i + 1 :] for i in range(len(code)) for ch in ALPHABET if ch != code[i]
    ]


@pytest.mark.parametrize("code", VALID)
def test_valid_examples_pass(code: str) -> None:
    assert check_uscc(code) is None


@pytest.mark.parametrize("code", VALID)
def test_every_single_substitution_of_a_valid_example_fails(code: str) -> None:
    passing = [c for c in single_substitutions(code) if check_uscc(c) is None]
    assert passing == []


def test_check_characters_of_the_standard_example() -> None:
    assert org_code_check_char("M000100Y") == "4"
    assert uscc_check_char("91350100M000100Y4") == "3"


def test_org_code_check_maps_10_to_x_and_11_to_0() -> None:
    # 0000000 + last char: sum = 2*v, so v=6 -> 11-1=10 -> X and v=0 -> 11 -> 0.
    assert org_code_check_char("00000006") == "X"
    assert org_code_check_char("00000000") == "0"


def test_lowercase_and_surrounding_spaces_are_normalised() -> None:
    assert normalise(" \u300091350100m000100y43\t\u3000") == "91350100M000100Y43"
    assert check_uscc("91350100m000100y43") is None
    assert check_uscc("\u3000914403001922038216 ") is None


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("91350100M000100Y4", "应为18位，实际为17位"),
        ("", "应为18位，实际为0位"),
        ("9135I100M000100Y43", "第5位“I”不是统一社会信用代码允许的字符（不使用I、O、S、V、Z）"),
        ("01350100M000100Y43", "第1位登记管理部门代码“0”无效"),
        ("91350100M000100Y33", "第17位组织机构代码校验码应为“4”，实际为“3”"),
        ("91350100M000100Y44", "第18位校验码应为“3”，实际为“4”"),
        (
            "\u200b1350100M000100Y43",
            "第1位“U+200B”不是统一社会信用代码允许的字符（不使用I、O、S、V、Z）",
        ),
    ],
)
def test_messages_name_what_is_wrong(code: str, message: str) -> None:
    assert check_uscc(code) == message


def test_org_check_x_is_reported() -> None:
    code = make_uscc("91130600", "00000006")
    assert code[16] == "X"
    broken = code[:16] + "3" + code[17:]
    assert check_uscc(broken) == "第17位组织机构代码校验码应为“X”，实际为“3”"


@pytest.mark.parametrize(
    ("prefix", "body"),
    [("0113060", "12345678"), ("01130600", "12345678"), ("9113060O", "12345678")],
)
def test_make_uscc_rejects_parts_that_cannot_be_valid(prefix: str, body: str) -> None:
    with pytest.raises(ValueError):
        make_uscc(prefix, body)


@settings(max_examples=200, deadline=None)
@given(codes)
def test_make_uscc_output_is_valid(code: str) -> None:
    assert len(code) == 18
    assert check_uscc(code) is None


@settings(max_examples=50, deadline=None)
@given(codes)
def test_any_single_change_of_a_generated_code_fails(code: str) -> None:
    passing = [c for c in single_substitutions(code) if check_uscc(c) is None]
    assert passing == []


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(), st.text(alphabet=ALPHABET + "iosvz -", min_size=16, max_size=20)))
def test_check_never_raises_and_speaks_chinese(text: str) -> None:
    problem = check_uscc(text)
    assert problem is None or CJK.search(problem)


def test_fast_paths_answer_as_the_character_by_character_ones() -> None:
    """normalise's ASCII shortcut, the charset check's set test and the tables of the
    check characters say what the general code says, for odd input too."""
    import random

    from generator import uscc

    rng = random.Random(7)
    chars = uscc.ALPHABET + "IOSVZabcxyz -\u3000ß\u200b\t"
    for _ in range(5000):
        code = "".join(rng.choice(chars) for _ in range(rng.choice([3, 8, 17, 18, 18, 19])))
        assert uscc.normalise(code) == "".join(
            ch.upper() if ch.isascii() else ch for ch in code.strip()
        )
        slow = next(
            (
                f"第{i}位“{uscc._show(ch)}”不是统一社会信用代码允许的字符{uscc._FORBIDDEN_NOTE}"
                for i, ch in enumerate(code, start=1)
                if ch not in uscc._VALUE
            ),
            None,
        )
        assert uscc._charset_problem(code) == slow
    for ch in "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ":
        assert uscc._ORG_VALUE[ch] == uscc._org_value(ch)
    for _ in range(2000):
        body = "".join(rng.choice("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ") for _ in range(8))
        total = sum(uscc._org_value(ch) * w for ch, w in zip(body, uscc._ORG_WEIGHTS, strict=True))
        assert uscc.org_code_check_char(body) == {10: "X", 11: "0"}.get(
            11 - total % 11, str(11 - total % 11)
        )
    with pytest.raises(ValueError, match="组织机构代码允许的字符"):
        uscc.org_code_check_char("1234567a")
