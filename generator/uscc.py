"""统一社会信用代码 (GB 32100-2015) and its embedded organisation code (GB 11714).

Pure functions, no I/O. `check_uscc` returns a short Chinese reason or None, so a
validation rule can turn it into a Problem; nothing here raises for bad input text.

Positions 3-8 (the division of the registering office) are deliberately not checked
against GB/T 2260: codes issued before 2015 and Xiong'an's 133100 are real and valid.
"""

from __future__ import annotations

from operator import mul

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_LENGTH = 18

# Registration authority codes allowed in position 1 (GB 32100-2015, 附录A).
REGISTRATION_AUTHORITIES = "123456789ANY"

_VALUE = {ch: i for i, ch in enumerate(ALPHABET)}
_ALLOWED = frozenset(ALPHABET)
#: _org_value's answers: digits as themselves, Latin capitals A=10 ... Z=35
_ORG_VALUE = {ch: int(ch, 36) for ch in "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"}
_USCC_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))  # 1 3 9 27 19 26 16 17 ...
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_FORBIDDEN_NOTE = "（不使用I、O、S、V、Z）"


def normalise(code: str) -> str:
    """Trim surrounding whitespace (full-width spaces too) and upper-case ASCII letters.

    Only ASCII is upper-cased: str.upper() can change the length ("ß" -> "SS"),
    which would make the length and position messages disagree with what was typed.
    """
    if code.isascii():  # the usual case; upper() of ASCII text changes ASCII letters only
        return code.strip().upper()
    return "".join(ch.upper() if ch.isascii() else ch for ch in code.strip())


def uscc_check_char(first17: str) -> str:
    """The 18th character for positions 1-17 (which must be in ALPHABET)."""
    if len(first17) != 17:
        raise ValueError(f"需要前17位，实际为{len(first17)}位")
    problem = _charset_problem(first17)
    if problem is not None:
        raise ValueError(problem)
    total = sum(map(mul, map(_VALUE.__getitem__, first17), _USCC_WEIGHTS))
    return ALPHABET[(31 - total % 31) % 31]


def _org_value(ch: str) -> int:
    """GB 11714 values: digits as themselves, Latin letters A=10 ... Z=35."""
    if "0" <= ch <= "9":
        return ord(ch) - ord("0")
    if "A" <= ch <= "Z":
        return ord(ch) - ord("A") + 10
    raise ValueError(f"“{ch}”不是组织机构代码允许的字符（数字或大写字母）")


def org_code_check_char(first8: str) -> str:
    """The GB 11714 check character (digit or X) for an 8-character body."""
    if len(first8) != 8:
        raise ValueError(f"组织机构代码本体应为8位，实际为{len(first8)}位")
    try:
        total = sum(map(mul, map(_ORG_VALUE.__getitem__, first8), _ORG_WEIGHTS))
    except KeyError:  # a character _org_value refuses, with its message
        total = sum(_org_value(ch) * w for ch, w in zip(first8, _ORG_WEIGHTS, strict=True))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def _show(ch: str) -> str:
    """Make invisible characters (zero-width space, BOM, ...) visible in a message."""
    return ch if ch.isprintable() and not ch.isspace() else f"U+{ord(ch):04X}"


def _length_problem(code: str) -> str | None:
    if len(code) != USCC_LENGTH:
        return f"应为{USCC_LENGTH}位，实际为{len(code)}位"
    return None


def _charset_problem(code: str) -> str | None:
    if _ALLOWED.issuperset(code):
        return None
    for position, ch in enumerate(code, start=1):
        if ch not in _VALUE:
            return f"第{position}位“{_show(ch)}”不是统一社会信用代码允许的字符{_FORBIDDEN_NOTE}"
    return None


def _authority_problem(code: str) -> str | None:
    if code[0] not in REGISTRATION_AUTHORITIES:
        return f"第1位登记管理部门代码“{code[0]}”无效"
    return None


def _org_check_problem(code: str) -> str | None:
    expected = org_code_check_char(code[8:16])
    if code[16] != expected:
        return f"第17位组织机构代码校验码应为“{expected}”，实际为“{code[16]}”"
    return None


def _final_check_problem(code: str) -> str | None:
    expected = uscc_check_char(code[:17])
    if code[17] != expected:
        return f"第18位校验码应为“{expected}”，实际为“{code[17]}”"
    return None


# Order matters: each check may rely on the ones before it having passed.
_CHECKS = (
    _length_problem,
    _charset_problem,
    _authority_problem,
    _org_check_problem,
    _final_check_problem,
)


def check_uscc(code: str) -> str | None:
    """None if `code` (normalised first) is a valid USCC, else the first reason it is not."""
    code = normalise(code)
    for check in _CHECKS:
        problem = check(code)
        if problem is not None:
            return problem
    return None


def make_uscc(prefix8: str, org_body8: str) -> str:
    """Build a valid code from positions 1-8 and 9-16 by adding both check characters.

    For tests, samples and benchmarks. Raises ValueError if the parts cannot make a
    valid code (wrong length, characters outside ALPHABET, bad position 1).
    """
    prefix8, org_body8 = normalise(prefix8), normalise(org_body8)
    if len(prefix8) != 8 or len(org_body8) != 8:
        raise ValueError(
            f"前缀和组织机构代码本体都应为8位，实际为{len(prefix8)}位和{len(org_body8)}位"
        )
    first16 = prefix8 + org_body8
    problem = _charset_problem(first16) or _authority_problem(first16)
    if problem is not None:
        raise ValueError(problem)
    first17 = first16 + org_code_check_char(org_body8)
    return first17 + uscc_check_char(first17)
