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
