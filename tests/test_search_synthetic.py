"""Issue 13 at scale: a 2,000-platform synthetic registry (benchmarks/synth.py), built
for real. Pagefind's own search (pagefind.js in Node, tests/pagefind_search.mjs, searching
as the site's search page does) is asked for every platform's full name, its operator's
name and its address: each is answered in the top 3. Each count on the home page keeps
exactly that many rows of the platforms list; county lists put holders first.

Synthetic names, operators and addresses repeat patterns ("…示例…服务平台", "…示例路N号"),
which is what made an exact name rank twentieth before. An operator running several
platforms, or an address shared by several, is answered when the first three results
all carry that string.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from generator import paths
from generator.model import Platform

ROOT = Path(__file__).resolve().parents[1]
SEARCH_JS = ROOT / "tests" / "pagefind_search.mjs"
TODAY = date(2026, 11, 29)
N = 2000

pytestmark = pytest.mark.build


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Platform]]:
    if shutil.which("node") is None:
        pytest.skip("node is not installed: Pagefind's search cannot run outside a browser")
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        import synth
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    from generator.pipeline import build, validate_dir

    folder = tmp_path_factory.mktemp("synth-search")
    synth.write_registry(N, folder)
    site = folder / "site"
    result = build(
        folder / "data",
        site,
        TODAY,
        config_file=ROOT / "mkdocs.yml",
        docs_dir=ROOT / "docs" / "content",
    )
    assert result.ok, [p.message for p in result.problems if p.is_error]
    registry = validate_dir(folder / "data", TODAY).registry
    assert registry is not None and len(registry.platforms) == N
    return site, list(registry.platforms)


def _squeeze(text: str) -> str:
    return re.sub(r"[\s\-－—]+", "", text).lower()


def test_every_name_operator_and_address_is_in_the_top_3(
    synthetic: tuple[Path, list[Platform]],
) -> None:
    site, platforms = synthetic
    terms = [
        (field, text, p)
        for p in platforms
        for field, text in (
            ("name", p.name),
            ("operator", p.operator.name),
            ("address", p.contact.address),
        )
    ]
    proc = subprocess.run(
        ["node", str(SEARCH_JS), str(site), "-"],
        input=json.dumps([{"term": text, "limit": 3} for _, text, _ in terms]),
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    answers = json.loads(proc.stdout)["searches"]
    by_path = {paths.platform(p.id): p for p in platforms}

    def carries(path: str, field: str, text: str) -> bool:
        q = by_path.get(path)
        if q is None:
            return False
        value = {"name": q.name, "operator": q.operator.name, "address": q.contact.address}[field]
        return _squeeze(text) in _squeeze(value)

    missed = []
    for (field, text, p), found in zip(terms, answers, strict=True):
        top = [r["url"].lstrip("/") for r in found[:3]]
        if paths.platform(p.id) in top:
            continue
        if len(top) == 3 and all(carries(u, field, text) for u in top):
            continue  # shared by more than three platforms: all three answer it
        missed.append(f"{field} {text!r} of {p.id}: top 3 {top}")
    assert not missed, f"{len(missed)} of {len(terms)} missed:\n" + "\n".join(missed[:40])


# -- numbers that agree, at scale (the same 2,000-platform site) -------------------------------

_ROW = re.compile(
    r'<tr data-county="([^"]*)" data-categories="([^"]*)" data-status="([^"]*)" data-year="([^"]*)"'
)
_COUNT = re.compile(r'class="reg-count" data-count="(\d+)" href="platforms/(?:\?([^"]*))?"')


def test_every_home_count_is_the_number_of_rows_its_filter_keeps(
    synthetic: tuple[Path, list[Platform]],
) -> None:
    """The platforms list filters rows by their data-* attributes (assets/registry.js: a
    row matches a filter when the value is one of its space-separated words); each count
    on the home page must keep exactly that many rows."""
    from urllib.parse import parse_qs

    site, _ = synthetic
    rows = [
        dict(zip(("county", "categories", "status", "year"), m.groups(), strict=True))
        for m in _ROW.finditer(
            html.unescape((site / "platforms" / "index.html").read_text(encoding="utf-8"))
        )
    ]
    assert len(rows) == N
    counts = _COUNT.findall(
        html.unescape((site / "index.html").read_text(encoding="utf-8")).replace("&amp;", "&")
    )
    assert len(counts) >= 3
    for n, query in counts:
        wanted = {k: v[0] for k, v in parse_qs(query).items()}
        kept = [r for r in rows if all(v in r[k].split() for k, v in wanted.items())]
        assert len(kept) == int(n), f"?{query}: {len(kept)} rows, the home page says {n}"


def test_county_lists_put_holders_first_and_revoked_last(
    synthetic: tuple[Path, list[Platform]],
) -> None:
    site, _ = synthetic
    rank = {"holding": 0, "revoked": 3, "rejected": 2}
    for page in sorted((site / "counties").glob("*/index.html")):
        statuses = [
            m.group(3).split()
            for m in _ROW.finditer(html.unescape(page.read_text(encoding="utf-8")))
        ]
        order = [min((rank.get(w, 1) for w in s), default=1) for s in statuses]
        assert order == sorted(order), page.parent.name
