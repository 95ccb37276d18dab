"""The measures as rules, on both sides of each boundary (issue 15).

Each test copies tests/fixtures/valid/minimal, changes one thing and validates it:
failed review as its own state (第十七条), 第十八条 supervision, the associations list
(第二十一条), 第八条（三） services, one round a year (第十四条), annual summaries
(第十六条). The fixtures under tests/fixtures/{invalid,warnings} show one side of each
rule with its exact message; here both sides are checked.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from generator import model, pipeline
from generator.report import Problem

MINIMAL = Path(__file__).resolve().parent / "fixtures" / "valid" / "minimal" / "data"
B1 = "platforms/bd-0001.yaml"
B2 = "platforms/bd-0002.yaml"
TODAY = date(2026, 11, 29)
LAST_REPORT = "  - {date: 2026-03-20, type: annual_report, year: 2025}\n"
ANNOUNCEMENT = """id: {id}
type: {type}
title: {title}
date: {date}
contact: {{department: 保定市工业和信息化局中小企业科, phone: "0312-5000618"}}
body: 市工业和信息化局依据《保定市中小企业公共服务示范平台认定管理办法》发布本公告。
"""


@pytest.fixture(autouse=True)
def _cold(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REGISTRY_NO_CACHE", "1")


def run(
    tmp_path: Path,
    edits: list[tuple[str, str, str]] = (),
    files: dict[str, str] | None = None,  # type: ignore[assignment]
    today: date = TODAY,
) -> pipeline.Validated:
    data = tmp_path / "data"
    shutil.copytree(MINIMAL, data)
    for rel, old, new in edits:
        path = data / rel
        text = path.read_text(encoding="utf-8")
        assert old in text, (rel, old)
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
    for rel, text in (files or {}).items():
        (data / rel).write_text(text, encoding="utf-8")
    return pipeline.validate_dir(data, today)


def rules(result: pipeline.Validated) -> set[str]:
    return {p.rule for p in result.problems}


def of(result: pipeline.Validated, rule: str) -> list[Problem]:
    return [p for p in result.problems if p.rule == rule]


def review(day: str, result: str) -> tuple[dict[str, str], tuple[str, str, str]]:
    files = {
        "announcements/2026-review.yaml": ANNOUNCEMENT.format(
            id="2026-review", type="review", title="关于示范平台复核结果的通知", date=day
        )
    }
    event = f"  - {{date: {day}, type: reviewed, result: {result}, announcement: 2026-review}}\n"
    return files, (B1, LAST_REPORT, LAST_REPORT + event)


# -- 1. failed review: its own state until the revocation (第十七条) -------------------------


def test_failed_review_is_its_own_status_until_the_revocation(tmp_path: Path) -> None:
    files, edit = review("2026-10-30", "failed")
    revocation = "  - {date: 2026-11-20, type: revoked, reason: review_failed, announcement: 2026-revocation}\n"
    files["announcements/2026-revocation.yaml"] = ANNOUNCEMENT.format(
        id="2026-revocation",
        type="revocation",
        title="关于撤销示范平台称号的通知",
        date="2026-11-20",
    )
    result = run(tmp_path, [edit, (B1, edit[2], edit[2] + revocation)], files)
    assert result.registry is not None, result.problems
    p = next(p for p in result.registry.platforms if p.id == "bd-0001")
    # the day before the review, the day of it, the day before and of the revocation
    assert p.status(date(2026, 10, 29)) is model.Status.CERTIFIED
    assert p.status(date(2026, 10, 30)) is model.Status.REVIEW_FAILED
    assert p.status(date(2026, 11, 19)) is model.Status.REVIEW_FAILED
    assert p.status(date(2026, 11, 20)) is model.Status.REVOKED
    assert model.Status.REVIEW_FAILED.value == "复核不合格（待撤销）"
    assert model.Status.REVIEW_FAILED.slug == "review-failed"
    assert "待复核" not in result.registry.rules.status_meaning(model.Status.REVIEW_FAILED)
    failed = p.failed_review(date(2026, 11, 1))
    assert failed is not None and failed.date == date(2026, 10, 30)
    assert p.failed_review(date(2026, 11, 20)) is None
    assert p.next_review(date(2026, 10, 29)) == date(2027, 10, 28)
    assert p.next_review(date(2026, 11, 1)) is None  # no next review: the revocation is next
    assert "history.failed-review-not-revoked" not in rules(result)


def test_failed_review_warns_until_the_revocation(tmp_path: Path) -> None:
    files, edit = review("2026-10-30", "failed")
    result = run(tmp_path, [edit], files)
    (warning,) = of(result, "history.failed-review-not-revoked")
    assert (
        warning.severity == "warning"
        and "第十七条" in warning.message
        and "对不合格的发布公告予以撤消" in warning.message
    )
    assert "warnings.review-overdue" not in rules(result)


ROW_2025 = """  - year: 2025
    total_assets: 1650
    smes_served: 330
    satisfaction: {satisfaction}
    partner_institutions: 10
    public_service_share: 35
    staff: 45
    qualified_staff_share: 82
    information: {{offline_smes: 131, activities: 4}}
    technology: {{activities: 8}}
"""
ROW_2024 = ROW_2025.replace("year: 2025", "year: 2024").replace(
    "smes_served: 330", "smes_served: 320"
)


@pytest.mark.parametrize(("satisfaction", "warned"), [(80, False), (79.9, True)])
def test_passed_review_rechecks_the_conditions_on_the_latest_indicators(
    tmp_path: Path, satisfaction: float, warned: bool
) -> None:
    files, edit = review("2026-10-30", "passed")
    rows = ROW_2024.format(satisfaction=90) + ROW_2025.format(satisfaction=satisfaction)
    tail = "    technology: {activities: 11}\n"
    result = run(tmp_path, [edit, (B1, tail, tail + rows)], files)
    found = of(result, "warnings.review-conditions")
    assert bool(found) is warned, result.problems
    if warned:
        assert (
            "第十七条" in found[0].message
            and "第七条（三）" in found[0].message
            and "2025年度" in found[0].message
        )
        assert found[0].severity == "warning"


def test_passed_review_without_newer_indicators_uses_the_latest_before_it(tmp_path: Path) -> None:
    # minimal's bd-0001 has 2022 (smes only) and 2023: the review of 2026 reads 2023, which
    # meets every condition; a 2026 row (the review's own year) is not looked at
    files, edit = review("2026-10-30", "passed")
    row = "  - {year: 2026, smes_served: 1}\n"
    result = run(
        tmp_path,
        [
            edit,
            (B1, "    technology: {activities: 11}\n", "    technology: {activities: 11}\n" + row),
        ],
        files,
    )
    assert "warnings.review-conditions" not in rules(result), result.problems


# -- 2. 第十八条 supervision ---------------------------------------------------------------


def _checks(*events: str) -> tuple[str, str, str]:
    return (B1, LAST_REPORT, LAST_REPORT + "".join(f"  - {e}\n" for e in events))


FAILED = "{date: 2026-05-14, type: evaluated, kind: satisfaction, result: failed, findings: 满意度为70%。}"


@pytest.mark.parametrize(
    ("later", "warned"),
    [
        ((), True),
        (("{date: 2026-07-01, type: inspected, kind: satisfaction, result: passed}",), False),
        (
            (
                "{date: 2026-07-01, type: inspected, kind: satisfaction, result: failed, findings: 仍不合格。}",
            ),
            True,
        ),
    ],
)
def test_failed_supervision_needs_a_follow_up(
    tmp_path: Path, later: tuple[str, ...], warned: bool
) -> None:
    result = run(tmp_path, [_checks(FAILED, *later)])
    found = [
        p for p in of(result, "warnings.supervision-no-follow-up") if p.line == 23
    ]  # the evaluation
    assert bool(found) is warned, result.problems
    assert result.ok


def test_a_revocation_is_a_follow_up(tmp_path: Path) -> None:
    revoked = "{date: 2026-08-01, type: revoked, reason: other, note: 测评不合格且未整改。, announcement: 2026-revocation}"
    files = {
        "announcements/2026-revocation.yaml": ANNOUNCEMENT.format(
            id="2026-revocation",
            type="revocation",
            title="关于撤销示范平台称号的通知",
            date="2026-08-01",
        )
    }
    result = run(tmp_path, [_checks(FAILED, revoked)], files)
    assert "warnings.supervision-no-follow-up" not in rules(result), result.problems
    assert result.ok


def test_supervision_events_are_in_the_model_and_need_the_title(tmp_path: Path) -> None:
    passed = "{date: 2026-04-10, type: inspected, kind: all, result: passed}"
    result = run(tmp_path, [_checks(passed, FAILED)])
    assert result.registry is not None
    p = next(p for p in result.registry.platforms if p.id == "bd-0001")
    assert [(e.type, e.kind, e.result) for e in p.supervision(TODAY)] == [
        ("inspected", "all", "passed"),
        ("evaluated", "satisfaction", "failed"),
    ]
    assert p.supervision(date(2026, 5, 1))[-1].type == "inspected"
    # before the certification there is nothing to check
    early = run(
        tmp_path / "early",
        [
            (
                B1,
                "  - {date: 2024-09-27,",
                f"  - {passed.replace('2026-04-10', '2024-08-01')}\n  - {{date: 2024-09-27,",
            )
        ],
    )
    assert "history.before-certification" in rules(early)


def test_a_failed_check_must_say_what_was_found(tmp_path: Path) -> None:
    result = run(
        tmp_path, [_checks("{date: 2026-05-14, type: inspected, kind: fees, result: failed}")]
    )
    assert "schema.required" in rules(result)


# -- 3. associations (第二十一条) ------------------------------------------------------------

ASSOCIATIONS = 'since: "2020-01-01"}'


@pytest.mark.parametrize(
    ("entry", "ok"),
    [
        ('since: "2024-06-20"}', True),  # bd-0002 recommended 2024-06-20: the first day counts
        ('since: "2024-06-21"}', False),
        ('since: "2020-01-01", until: "2024-06-20"}', True),  # the last day counts
        ('since: "2020-01-01", until: "2024-06-19"}', False),
    ],
)
def test_association_entitled_from_since_to_until(tmp_path: Path, entry: str, ok: bool) -> None:
    result = run(tmp_path, [("associations.yaml", ASSOCIATIONS, entry)])
    assert ("references.association" not in rules(result)) is ok, result.problems
    assert result.ok is ok


def test_association_not_on_the_list_is_an_error(tmp_path: Path) -> None:
    result = run(tmp_path, [(B2, "保定市中小企业服务协会}", "保定市中小企业服务促进会}")])
    (error,) = of(result, "references.association")
    assert error.severity == "error" and "第二十一条" in error.message


def test_the_list_is_required(tmp_path: Path) -> None:
    data = tmp_path / "x"
    result = run(data)
    assert result.ok
    (data / "data" / "associations.yaml").unlink()
    result = pipeline.validate_dir(data / "data", TODAY)
    assert rules(result) == {"load.missing"} and not result.ok


def test_broken_list_is_reported_not_used(tmp_path: Path) -> None:
    result = run(
        tmp_path / "date", [("associations.yaml", 'since: "2020-01-01"}', 'since: "2020-02-30"}')]
    )
    assert rules(result) == {"dates.real"}, result.problems
    result = run(
        tmp_path / "uscc", [("associations.yaml", "51130600MJ0700AA1M", "51130600MJ0700AA1N")]
    )
    assert rules(result) == {"uscc.check"}, result.problems
    assert result.problems[0].file.endswith("associations.yaml") and result.problems[0].line == 3


SUSPENSION = [
    (
        B1,
        LAST_REPORT.replace("2026-03-20", "2025-03-18").replace("2025}", "2024}") + LAST_REPORT,
        "  - {date: 2024-12-10, type: revoked, reason: fraud, announcement: 2024-revocation}\n",
    ),
    ("platforms/bd-0003.yaml", 'county: "130633"', 'county: "130602"'),
    (
        "platforms/bd-0003.yaml",
        'recommender: {type: county, code: "130633"}',
        "recommender: {type: association, name: 保定市中小企业服务协会}",
    ),
]
REVOCATION = {
    "announcements/2024-revocation.yaml": ANNOUNCEMENT.format(
        id="2024-revocation",
        type="revocation",
        title="关于撤销示范平台称号的通知",
        date="2024-12-10",
    )
}


@pytest.mark.parametrize(("recommended", "warned"), [("2025-06-16", True), ("2024-12-31", False)])
def test_association_recommending_in_a_suspended_county_is_warned(
    tmp_path: Path, recommended: str, warned: bool
) -> None:
    # fraud revoked in 竞秀区 on 2024-12-10: 2025 is suspended (第十八条), 2024 is not
    edits = [
        *SUSPENSION,
        (
            "platforms/bd-0003.yaml",
            "{date: 2025-06-16, type: recommended}",
            f"{{date: {recommended}, type: recommended}}",
        ),
    ]
    result = run(tmp_path, edits, REVOCATION)
    found = of(result, "article18.association")
    assert bool(found) is warned, result.problems
    if warned:
        assert "第十八条" in found[0].message and "第二十一条" in found[0].message
        assert found[0].severity == "warning"
    assert "article18.suspended" not in rules(result)


# -- 4. 第八条（三） -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("services", "missing"),
    [
        ("[创业辅导, 政务代理]", set()),
        ("[政务代理]", {"eligibility.entrepreneurship_mentoring"}),
        ("[创业辅导, 创业场地]", {"eligibility.entrepreneurship_government_agency"}),
    ],
)
def test_entrepreneurship_requires_mentoring_and_government_agency(
    tmp_path: Path, services: str, missing: set[str]
) -> None:
    result = run(
        tmp_path,
        [
            (
                "platforms/bd-0003.yaml",
                "entrepreneurship: [创业辅导, 政务代理]",
                f"entrepreneurship: {services}",
            )
        ],
    )
    assert {r for r in rules(result) if r.startswith("eligibility.")} == missing


def test_every_item_of_article_8_3_is_in_the_rules() -> None:
    rules_doc = pipeline.load_sources(MINIMAL.parents[3].parent / "data").rules
    assert rules_doc is not None
    items = {
        (t["id"], t["kind"]) for t in rules_doc.data["thresholds"] if t["article"] == "第八条（三）"
    }
    assert items == {
        ("entrepreneurship_mentoring", "service"),
        ("entrepreneurship_government_agency", "service"),
        ("entrepreneurship_activities", "minimum"),
    }


# -- 5. one round a year (第十四条), annual summaries (第十六条) ---------------------------


def test_two_certification_rounds_in_one_year(tmp_path: Path) -> None:
    # minimal certifies on 2024-10-28 and 2025-11-05: one round a year, no warning
    assert "warnings.two-rounds" not in rules(run(tmp_path / "one"))
    # a second notice on the last day of 2024 is a second round in 2024
    files = {
        "announcements/second.yaml": ANNOUNCEMENT.format(
            id="second",
            type="certification",
            title="关于公布第二批示范平台名单的通知",
            date="2024-12-31",
        )
    }
    edit = (
        B2,
        "{date: 2024-10-28, type: certified, announcement: 2024-certification,",
        "{date: 2024-12-31, type: certified, announcement: second,",
    )
    result = run(tmp_path / "two", [edit], files)
    (warning,) = of(result, "warnings.two-rounds")
    assert (
        warning.severity == "warning"
        and "第十四条" in warning.message
        and warning.file.endswith("second.yaml")
    )
    assert result.ok


@pytest.mark.parametrize(("filed", "warned"), [("2026-03-31", False), ("2026-04-01", True)])
def test_annual_summary_due_by_31_march_of_the_next_year(
    tmp_path: Path, filed: str, warned: bool
) -> None:
    result = run(
        tmp_path,
        [
            (
                B1,
                "{date: 2026-03-20, type: annual_report, year: 2025}",
                f"{{date: {filed}, type: annual_report, year: 2025}}",
            )
        ],
    )
    found = of(result, "warnings.annual-report-late")
    assert bool(found) is warned, result.problems
    if warned:
        assert (
            "第十六条" in found[0].message
            and "2025年度" in found[0].message
            and "2026年3月31日" in found[0].message
        )


def test_annual_report_deadline() -> None:
    assert model.annual_report_deadline("03-31", 2025) == date(2026, 3, 31)
    assert model.annual_report_deadline("02-29", 2026) == date(2027, 2, 28)
    assert model.annual_report_deadline("02-29", 2027) == date(2028, 2, 29)
    assert model.annual_report_deadline("02-30", 2025) is None


# -- on the pages and in the downloads (shipped data) -------------------------------------


@pytest.fixture(scope="module")
def shipped() -> model.Registry:
    result = pipeline.validate(pipeline.load_sources(MINIMAL.parents[3].parent / "data"), TODAY)
    assert result.registry is not None, result.problems
    return result.registry


@pytest.fixture(scope="module")
def pages(shipped: model.Registry) -> dict[str, str]:
    from generator.render import SiteConfig, render_pages

    return render_pages(
        shipped, SiteConfig(site_url="https://registry.example/", authority="保定市工业和信息化局")
    )


def test_failed_review_on_the_page_and_in_the_downloads(
    shipped: model.Registry, pages: dict[str, str]
) -> None:
    from generator import export
    from generator.export.tables import table_row

    page = pages["platforms/bd-0005.md"]
    assert "复核不合格（待撤销）</span></span>（2026年11月20日复核）" in page
    assert "<dt>复核结果</dt><dd>2026年11月20日复核不合格，待发布撤销公告（第十七条）</dd>" in page
    assert (
        "待复核" not in page and "复核结果公布前仍保留称号" not in page and "下次复核" not in page
    )
    p = next(p for p in shipped.platforms if p.id == "bd-0005")
    record = export.platform_record(shipped, p, "https://registry.example/")
    assert (record["status"], record["status_code"], record["next_review"]) == (
        "复核不合格（待撤销）",
        "review-failed",
        None,
    )
    assert {"date": "2026-11-20", "type": "reviewed", "result": "failed"}.items() <= record[
        "history"
    ][-1].items()
    row = table_row(shipped, p, "https://registry.example/")
    assert "复核不合格（待撤销）" in row


def test_review_wording(pages: dict[str, str]) -> None:
    for rel, text in pages.items():
        if rel.startswith("platforms/bd-"):
            assert "有效期至" not in text, rel  # the title has no expiry: the measures review it
            assert "复核：复核" not in text, rel
    page = pages["platforms/bd-0001.md"]
    assert "<dt>复核结果</dt><dd>2024年10月30日复核合格</dd>" in page
    assert page.count("复核合格") == 2  # the fact above and the timeline entry, each once
    assert "<dt>下次复核</dt><dd>2027年10月30日</dd>" in page


def test_supervision_on_the_page_and_the_home_page(pages: dict[str, str]) -> None:
    page = pages["platforms/bd-0001.md"]
    assert "不定期测评不合格</span>（市工信局，服务满意度，第十八条）" in page
    assert "定期检查合格</span>（县（市、区）工信部门，服务质量、收费和满意度，第十八条）" in page
    assert "检查发现：抽样回访的30家服务企业中" in page
    home = pages["index.md"]
    assert (
        '<td data-label="年度">2026</td><td data-label="定期检查">2</td><td data-label="不定期测评">1</td><td data-label="其中不合格">1</td>'
        in home
    )


def test_late_annual_summary_is_marked_with_its_year_on_the_page(tmp_path: Path) -> None:
    from generator.render import SiteConfig, render_pages

    result = run(
        tmp_path,
        [
            (
                B1,
                "{date: 2026-03-20, type: annual_report, year: 2025}",
                "{date: 2026-04-01, type: annual_report, year: 2025}",
            )
        ],
    )
    assert result.registry is not None
    page = render_pages(
        result.registry, SiteConfig(site_url="https://registry.example/", authority="x")
    )["platforms/bd-0001.md"]
    assert "报送2025年度工作总结</span>（应于2026年3月31日前报送，逾期，第十六条）" in page
    assert "报送2024年度工作总结</span></li>" in page  # on time (2025-03-18): nothing added
