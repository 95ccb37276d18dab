"""render: golden Markdown pages of every kind, and the escaping every printed value goes through.

Golden files live in tests/golden/pages/<docs-relative path>. After an intended change
to a template or to the shipped data, rewrite them with

    python -m pytest tests/test_render.py --update-golden     (or REGISTRY_UPDATE_GOLDEN=1)

and review the diff like any other change.
"""

from __future__ import annotations

import difflib
import html
import json
import re
from datetime import date
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import Markup

from generator import index, model, paths, schemas
from generator.render import SiteConfig, front_matter, render_pages
from generator.render.escape import escape_text, finalize

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
GOLDEN = Path(__file__).resolve().parent / "golden" / "pages"
TODAY = date(2026, 11, 29)
# Fixed here rather than read from mkdocs.yml, so that a settings change does not move
# every golden file.
SITE = SiteConfig(
    site_url="https://registry.example/",
    authority="保定市工业和信息化局",
    repository="https://github.com/example/platform-registry",
    branch="main",
    extra={"subject": "保定市中小企业公共服务示范平台"},
)

# One page of every kind (DESIGN.md "Site URLs"); the platform and announcement pages
# are chosen for their status or type, which test_golden_pages_cover_every_kind checks.
PLATFORM_KINDS = {
    "bd-0001": "certified, then promoted to the provincial list",
    "bd-0002": "revoked after a failed review",
    "bd-0003": "revoked for fraud",
    "bd-0004": "review due",
    "bd-0005": "failed review, revocation not yet published",
    "bd-0006": "renamed",
    "bd-0011": "rejected after an objection",
    "bd-0012": "publicity over, awaiting certification",
    "bd-0015": "in publicity (supplementary notice)",
    "bd-0016": "recommended",
}
ANNOUNCEMENT_KINDS = {
    "2026-publicity": "publicity",
    "2025-certification": "certification",
    "2024-review": "review",
    "2025-revocation": "revocation",
    "2026-correction": "correction",
    "2026-supervision": "supervision",
}
GOLDEN_URLS = [
    paths.HOME,
    paths.PLATFORMS,
    *(paths.platform(i) for i in PLATFORM_KINDS),
    paths.ANNOUNCEMENTS,
    *(paths.announcement(i) for i in ANNOUNCEMENT_KINDS),
    paths.LISTS,
    paths.year_list(2024),
    paths.COUNTIES,
    paths.county("130602"),
    paths.CATEGORIES,
    paths.category("technology"),
    paths.CONDITIONS,
    paths.DATA,
]


@pytest.fixture(scope="module")
def pages(registry: model.Registry) -> dict[str, str]:
    return render_pages(registry, SITE)


# -- golden files ---------------------------------------------------------------------------


def test_golden_pages_cover_every_kind(registry: model.Registry) -> None:
    by_id = {p.id: p for p in registry.platforms}
    status = {i: by_id[i].status(TODAY) for i in PLATFORM_KINDS}
    events = {i: {e.type for e in by_id[i].history} for i in PLATFORM_KINDS}
    revoked = {i: by_id[i].revocation(TODAY) for i in ("bd-0002", "bd-0003")}
    assert status["bd-0001"] is model.Status.CERTIFIED and "promoted" in events["bd-0001"]
    assert revoked["bd-0002"] is not None and revoked["bd-0002"].reason == "review_failed"
    assert revoked["bd-0003"] is not None and revoked["bd-0003"].reason == "fraud"
    assert "renamed" in events["bd-0006"]
    assert {"inspected", "evaluated"} <= events["bd-0001"]  # 第十八条 supervision on its page
    # every derived status has a golden page
    assert set(status.values()) == set(model.Status)
    ann_types = {a.id: a.type for a in registry.announcements}
    assert {i: ann_types[i] for i in ANNOUNCEMENT_KINDS} == ANNOUNCEMENT_KINDS
    assert set(ANNOUNCEMENT_KINDS.values()) == set(schemas.enum_labels("announcement", ["type"]))


@pytest.mark.parametrize("url", GOLDEN_URLS, ids=lambda u: u or "home")
def test_golden_page(pages: dict[str, str], url: str, update_golden: bool) -> None:
    rel = paths.source_md(url)
    actual = pages[rel]
    golden = GOLDEN / rel
    if update_golden:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(actual, encoding="utf-8", newline="\n")
        return
    assert golden.is_file(), f"no golden file {golden}; run pytest --update-golden"
    expected = golden.read_text(encoding="utf-8")
    if actual != expected:
        diff = "".join(
            list(
                difflib.unified_diff(
                    expected.splitlines(keepends=True),
                    actual.splitlines(keepends=True),
                    f"golden/{rel}",
                    f"rendered/{rel}",
                )
            )[:80]
        )
        pytest.fail(
            f"{rel} differs from its golden file (pytest --update-golden to accept):\n{diff}"
        )


def test_no_stale_golden_files(update_golden: bool) -> None:
    wanted = {paths.source_md(u) for u in GOLDEN_URLS}
    found = {p.relative_to(GOLDEN).as_posix() for p in GOLDEN.rglob("*") if p.is_file()}
    if update_golden:
        for rel in found - wanted:
            (GOLDEN / rel).unlink()
        return
    assert found <= wanted, f"golden files no test compares: {sorted(found - wanted)}"


def test_every_page_has_front_matter_and_one_h1(pages: dict[str, str]) -> None:
    for rel, text in pages.items():
        assert text.startswith("---\ntitle: "), rel
        meta = yaml.safe_load(text.split("\n---\n", 1)[0][4:])
        assert meta["title"], rel
        assert text.count("<h1") == 1, rel  # Material adds its own <h1> from the title otherwise


def test_same_registry_same_pages(registry: model.Registry, pages: dict[str, str]) -> None:
    assert render_pages(registry, SITE) == pages


def test_only_record_pages_and_conditions_are_indexed(
    registry: model.Registry, pages: dict[str, str]
) -> None:
    marked = {rel for rel, text in pages.items() if index.marked_for_search(text)}
    expected = {paths.source_md(paths.platform(p.id)) for p in registry.platforms}
    expected |= {paths.source_md(paths.announcement(a.id)) for a in registry.announcements}
    expected.add(paths.source_md(paths.CONDITIONS))
    assert marked == expected


# -- escaping ---------------------------------------------------------------------------------

_ENTITY = re.compile(r"&#[0-9]+;")
_SAFE = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ,./")
_BREAKS = {ord(c): " " for c in "\n\r\t\u2028\u2029\x85"}
_CONTROLS = {c: " " for c in [*range(0x20), 0x7F, *range(0x80, 0xA0)]}


def _visible(text: str) -> str:
    """What a reader sees of a record value: line breaks and control characters as spaces."""
    return text.translate({**_CONTROLS, **_BREAKS})


def _bidi_left_open(text: str) -> list[str]:
    """Embeddings ("e") and isolates ("i") still open at the end of text (UAX #9)."""
    stack: list[str] = []
    for ch in text:
        if ch in "\u202a\u202b\u202d\u202e":
            stack.append("e")
        elif ch in "\u2066\u2067\u2068":
            stack.append("i")
        elif ch == "\u202c" and stack[-1:] == ["e"]:
            stack.pop()
        elif ch == "\u2069" and "i" in stack:
            while stack.pop() != "i":
                pass
    return stack


_BIDI_TEXT = st.text(
    st.sampled_from("ab<&\n\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
)


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.text(), _BIDI_TEXT))
def test_escape_text_is_inert_and_lossless(text: str) -> None:
    out = escape_text(text)
    bare = _ENTITY.sub("", out)
    for ch in bare:
        assert ord(ch) >= 0x80 or ch in _SAFE, (text, out)  # no < > & " ' { } [ ] ` | * _ # - \ ...
    assert "\n" not in out and "\r" not in out
    shown = html.unescape(out)
    assert shown.startswith(_visible(text))
    # a direction override the value leaves open is closed, and nothing else is added
    assert set(shown[len(_visible(text)) :]) <= {"\u202c", "\u2069"}
    assert _bidi_left_open(shown) == []


@pytest.mark.parametrize(
    "text",
    [
        "<script>alert(1)</script>",
        '"><svg onload=alert(1)>',
        "[x](javascript:alert(1))",
        "{{ config }}",
        "{% include 'x' %}",
        '--8<-- "README.md"',
        "{: .c onclick=x}",
        "&lt;already escaped&gt;",
        "| a | b |\n|---|---|",
        "# h\n- l\n1. n",
    ],
)
def test_escape_text_examples(text: str) -> None:
    out = escape_text(text)
    for bad in "<>&\"'{}[]|#-`*_:\n":
        assert bad not in _ENTITY.sub("", out)
    assert html.unescape(out) == _visible(text)


def test_finalize() -> None:
    assert finalize(None) == ""
    assert finalize(Markup("<b>x</b>")) == "<b>x</b>"  # template-made markup passes unchanged
    assert finalize("<b>") == "&#60;b&#62;"
    assert isinstance(finalize(7), Markup) and finalize(7) == "7"


# Line breaks and control characters are refused by the loader, and so are U+FFFE and
# U+FFFF (unassigned, Cn), which YAML cannot carry unescaped.
@settings(max_examples=200, deadline=None)
@given(st.text(st.characters(exclude_categories=("Cs", "Cc", "Cn", "Zl", "Zp")), min_size=1))
def test_front_matter_title_round_trips(title: str) -> None:
    text = str(front_matter(title, hide=["toc"], pagefind=True))
    assert text.startswith("---\n") and text.endswith("---\n")
    assert text.count("\n") == 5  # no title can add a line (and so a key) to the front matter
    meta = yaml.safe_load(text[4:-4])
    assert meta == {"title": title, "hide": ["toc"], "pagefind": True}
    assert json.loads(text.splitlines()[1][len("title: ") :]) == title


def test_record_pages_are_files_and_sections_are_folders() -> None:
    """Record pages need no folder of their own in the staging docs (see paths.source_md)."""
    cases = {
        paths.HOME: "index.md",
        paths.PLATFORMS: "platforms/index.md",
        paths.platform("bd-0007"): "platforms/bd-0007.md",
        paths.announcement("2026-publicity"): "announcements/2026-publicity.md",
        paths.year_list(2024): "lists/2024.md",
    }
    for url, source in cases.items():
        assert paths.source_md(url) == source
        assert paths.source_url(source) == url


# -- issue 13: search keys, links in text, the footer ------------------------------------------

SEARCH_TERM_JS = ROOT / "docs" / "content" / "assets" / "searchterm.js"
KEY_SAMPLES = [
    "保定市徐水区示例街18号",
    "BDSF-2021-001",
    "保定市白沟新城示例商贸城B区3号",
    "91130602MA07QW4R98",
    "ＡＢ１２ 34",
    "检验检测、创业辅导",
    "Ⅻ号楼（东）",
    "e-mail: A.B@x.cn",
    "  ",
    "",
]


def test_search_key_words_are_split_as_the_search_page_splits_queries() -> None:
    """render.searchkey (index side) and assets/searchterm.js (query side) must agree exactly."""
    import shutil
    import subprocess

    from generator.render.searchkey import spaced, words

    assert words("保定市B区3号") == ["保", "定", "市", "b", "区", "3", "号"]
    assert words("BDSF-2021-001") == ["bdsf", "2021", "001"]
    assert spaced(["甲乙", "", "c-d"]) == "甲 乙  c d"
    if shutil.which("node") is None:
        pytest.skip("node is not installed")
    script = (
        f"const R = require({json.dumps(str(SEARCH_TERM_JS))});"
        f"console.log(JSON.stringify({json.dumps(KEY_SAMPLES, ensure_ascii=False)}.map(t => R.stages(t))))"
    )
    out = json.loads(
        subprocess.run(["node", "-e", script], capture_output=True, text=True, check=True).stdout
    )
    for text, stages in zip(KEY_SAMPLES, out, strict=True):
        want = " ".join(words(text))
        if want:
            assert stages[0] == f'"{want}"', text  # the exact phrase the index holds
            assert stages[-1] == want, text
        else:
            assert all(not s.strip() or s == text.strip() for s in stages), text


def test_platform_pages_carry_their_key_strings(
    registry: model.Registry, pages: dict[str, str]
) -> None:
    from generator.render.searchkey import words

    for p in registry.platforms:
        text = pages[paths.source_md(paths.platform(p.id))]
        key = re.search(r'data-pagefind-meta="k:([^"]*)"', text)
        assert key is not None, p.id
        value = html.unescape(key.group(1))
        for s in (p.name, p.operator.name, p.contact.address):
            assert " ".join(words(s)) in value, (p.id, s)
        assert "," not in value and ":" not in value  # nothing can start another field


def test_phones_and_emails_in_text_become_links_and_the_rest_stays_text() -> None:
    from generator.render.linkify import linked, tel

    out = str(
        linked(
            "电话：0312-5000618，邮箱zxqk@example.com；代码91130602MA07QW4R98，手机13800138000<b>"
        )
    )
    assert '<a href="tel:03125000618">0312&#45;5000618</a>' in out
    assert '<a href="mailto:zxqk&#64;example.com">zxqk&#64;example.com</a>' in out
    assert '<a href="tel:13800138000">' in out
    assert "91130602MA07QW4R98" in out and "tel:91130602" not in out  # a credit code is not a phone
    assert "<b>" not in out and "&#60;b&#62;" in out
    assert tel("+86 312 500") == "+86312500" and tel("0312-5000618") == "03125000618"


def test_footer_links_the_filing_numbers_when_configured() -> None:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(ROOT / "docs" / "overrides"), autoescape=False
    )
    env.filters["url"] = lambda u: "/base/" + u
    footer = env.get_template("partials/copyright.html")
    reg = {
        "authority": "保定市工业和信息化局",
        "contact_phone": "0312-5000000",
        "contact_email": "a@b.cn",
        "site_code": "1306000001",
        "icp": "冀ICP备12345678号",
        "psb": "冀公网安备 13060202000000号",
    }
    out = footer.render(config={"extra": {"registry": reg}}, page=None)
    assert (
        '<a href="https://beian.miit.gov.cn/" rel="noopener noreferrer">冀ICP备12345678号</a>'
        in out
    )
    assert "recordcode=13060202000000" in out and "冀公网安备 13060202000000号</a>" in out
    assert "网站标识码：1306000001" in out
    assert 'href="tel:03125000000"' in out and 'href="mailto:a@b.cn"' in out
    for path in ("contact/", "sitemap/", "guide/"):
        assert f'href="/base/{path}"' in out
    bare = footer.render(
        config={"extra": {"registry": {"authority": "保定市工业和信息化局"}}}, page=None
    )
    assert "beian" not in bare and "网站标识码" not in bare and "公网安备" not in bare
