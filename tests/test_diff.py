"""`registry diff --base REV`: the change summary and the append-only contract.

Every test works in its own copy of one small git repository whose only commit holds
the sample data (copied once per module, then `shutil.copytree` per test: a git
repository is just files). Changes are made in the working tree, as in a pull request
checkout, and the CLI runs in-process.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
from pathlib import Path

import markdown
import pytest

from generator.cli import main
from generator.uscc import make_uscc

ROOT = Path(__file__).resolve().parent.parent
TODAY = "2026-11-29"
PLATFORMS = Path("data/platforms")
ANNOUNCEMENTS = Path("data/announcements")

# Git must not read the developer's own configuration (signing, hooks, templates).
GIT_ENV = {
    **os.environ,
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_AUTHOR_DATE": "2026-11-28T12:00:00+08:00",
    "GIT_COMMITTER_DATE": "2026-11-28T12:00:00+08:00",
}


def git(*args: str, cwd: Path | None = None) -> None:
    subprocess.run(["git", *args], cwd=cwd, env=GIT_ENV, check=True, capture_output=True)


@pytest.fixture(scope="module")
def base_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    repo = tmp_path_factory.mktemp("base") / "repo"
    shutil.copytree(ROOT / "data", repo / "data")
    git("init", "-q", "-b", "main", str(repo))
    git("config", "user.email", "test@example.com", cwd=repo)
    git("config", "user.name", "Test", cwd=repo)
    git("add", "data", cwd=repo)
    git("commit", "-q", "-m", "base", cwd=repo)
    return repo


@pytest.fixture
def repo(base_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    work = tmp_path / "repo"
    shutil.copytree(base_repo, work, symlinks=True)
    monkeypatch.chdir(work)
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    return work


def run(capsys: pytest.CaptureFixture[str], *extra: str, today: str = TODAY) -> tuple[int, str]:
    code = main(["diff", "--base", "HEAD", "--data", "data", "--today", today, *extra])
    return code, capsys.readouterr().out


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} should occur once in {path}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def problem_lines(out: str) -> list[str]:
    return [line for line in out.splitlines() if re.search(r"\[rule diff\.[a-z-]+\]$", line)]


BD16 = "易县示例文旅小微企业创业服务平台"
BD03 = "涿州市示例中小企业融资服务平台"


# ----------------------------------------------------------------------- refusals


def test_deleted_platform_file(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (PLATFORMS / "bd-0016.yaml").unlink()
    code, out = run(capsys)
    assert code == 1
    assert problem_lines(out) == [
        (
            f"data/platforms/bd-0016.yaml: 平台“{BD16}”（bd-0016）的记录文件被删除；记录文件永不删除 [rule diff.deleted]"
        )
    ]
    assert "提示：请恢复文件：git checkout HEAD -- data/platforms/bd-0016.yaml" in out
    # problems come after the summary, which ends with the validation result
    assert (
        out.index("### 校验结果") < out.index("### 不允许的变更") < out.index("[rule diff.deleted]")
    )


def test_renamed_platform_file(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (PLATFORMS / "bd-0016.yaml").rename(PLATFORMS / "bd-0017.yaml")
    code, out = run(capsys)
    assert code == 1
    assert problem_lines(out) == [
        (
            f"data/platforms/bd-0017.yaml:2: 平台“{BD16}”（bd-0016）的记录文件被改名："
            "data/platforms/bd-0016.yaml → data/platforms/bd-0017.yaml；文件名就是编号，永不更改 [rule diff.renamed]"
        )
    ]


def test_renamed_file_with_id_changed_to_match(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Git's rename detection: the content moved, although its id changed too."""
    (PLATFORMS / "bd-0016.yaml").rename(PLATFORMS / "bd-0017.yaml")
    edit(PLATFORMS / "bd-0017.yaml", "id: bd-0016", "id: bd-0017")
    code, out = run(capsys)
    assert code == 1
    assert [line.split(" [rule ")[1] for line in problem_lines(out)] == ["diff.renamed]"]


def test_changed_id(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    edit(PLATFORMS / "bd-0016.yaml", "id: bd-0016", "id: bd-0099")
    code, out = run(capsys)
    assert code == 1
    assert problem_lines(out) == [
        (
            f"data/platforms/bd-0016.yaml:2: 平台“{BD16}”（bd-0016）的编号由“bd-0016”改为“bd-0099”；"
            "编号一经使用永不更改 [rule diff.id-changed]"
        )
    ]


def test_reused_id_of_an_existing_record(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shutil.copyfile(PLATFORMS / "bd-0016.yaml", PLATFORMS / "bd-0017.yaml")
    code, out = run(capsys)
    assert code == 1
    assert problem_lines(out) == [
        (
            "data/platforms/bd-0017.yaml:2: 新文件 data/platforms/bd-0017.yaml 使用的编号“bd-0016”"
            f"已由 data/platforms/bd-0016.yaml（平台“{BD16}”（bd-0016））使用；编号永不复用 [rule diff.id-reused]"
        )
    ]


def test_reused_id_of_a_deleted_record(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    saved = (PLATFORMS / "bd-0016.yaml").read_bytes()
    git("rm", "-q", "data/platforms/bd-0016.yaml", cwd=repo)
    git("commit", "-q", "-m", "bd-0016 withdrawn (before the rule existed)", cwd=repo)
    (PLATFORMS / "bd-0016.yaml").write_bytes(saved.replace("易县".encode(), "涞源县".encode(), 1))
    code, out = run(capsys)
    assert code == 1
    assert problem_lines(out) == [
        (
            "data/platforms/bd-0016.yaml:2: 新文件 data/platforms/bd-0016.yaml 使用的编号“bd-0016”"
            "曾在以前的版本中由 data/platforms/bd-0016.yaml 使用（该文件已被删除）；编号永不复用 [rule diff.id-reused]"
        )
    ]


def test_edited_past_event(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    edit(PLATFORMS / "bd-0003.yaml", "certificate: BDSF-2022-001}", "certificate: BDSF-2022-009}")
    code, out = run(capsys)
    assert code == 1
    assert problem_lines(out) == [
        (
            f"data/platforms/bd-0003.yaml:22: 平台“{BD03}”（bd-0003）的历史事件“2022-11-08 认定”被修改（证书编号）；"
            "历史只增不改 [rule diff.history-edited]"
        )
    ]
    assert "在 history 末尾追加一条 corrected（更正）事件" in out


def test_removed_past_event(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    edit(
        PLATFORMS / "bd-0003.yaml", "  - {date: 2024-03-26, type: annual_report, year: 2023}\n", ""
    )
    code, out = run(capsys)
    assert code == 1
    assert problem_lines(out) == [
        (
            f"data/platforms/bd-0003.yaml:19: 平台“{BD03}”（bd-0003）的历史事件“2024-03-26 年度工作总结”"
            "（原第 5 条）被删除；历史只增不改 [rule diff.history-removed]"
        )
    ]
    assert "corrected（更正）" in out


def test_reordered_events(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a = "  - {date: 2023-03-27, type: annual_report, year: 2022}\n"
    b = "  - {date: 2024-03-26, type: annual_report, year: 2023}\n"
    edit(PLATFORMS / "bd-0003.yaml", a + b, b + a)
    code, out = run(capsys)
    assert code == 1
    lines = problem_lines(out)
    assert len(lines) == 1
    assert lines[0].startswith("data/platforms/bd-0003.yaml:2")
    assert (
        "的位置被改变" in lines[0]
        and "已有事件的顺序不能改变 [rule diff.history-edited]" in lines[0]
    )
    assert "年度工作总结" in lines[0]


def test_event_inserted_between_existing_ones(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    edit(
        PLATFORMS / "bd-0003.yaml",
        "  - {date: 2024-03-26, type: annual_report, year: 2023}\n",
        "  - {date: 2024-03-26, type: annual_report, year: 2023}\n"
        "  - {date: 2024-05-01, type: corrected, note: 补记}\n",
    )
    code, out = run(capsys)
    assert code == 1
    assert problem_lines(out) == [
        (
            f"data/platforms/bd-0003.yaml:25: 平台“{BD03}”（bd-0003）的历史中，新事件“2024-05-01 更正”插在了已有事件之间；"
            "历史只能在末尾追加 [rule diff.history-edited]"
        )
    ]


def test_changed_announcement_after_its_date(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    edit(ANNOUNCEMENTS / "2024-publicity.yaml", "拟认定名单的公示", "拟认定名单的公示（修订）")
    code, out = run(capsys)
    assert code == 1
    assert problem_lines(out) == [
        (
            "data/announcements/2024-publicity.yaml:4: 公告“关于2024年度保定市中小企业公共服务示范平台拟认定名单的公示”"
            "（2024-09-27 拟认定名单公示）已经发布，不能再修改“标题” [rule diff.announcement-changed]"
        )
    ]
    assert "另发一则更正公告" in out


def test_deleted_announcement(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (ANNOUNCEMENTS / "2025-revocation.yaml").unlink()
    code, out = run(capsys)
    assert code == 1
    assert problem_lines(out) == [
        (
            "data/announcements/2025-revocation.yaml: 公告“关于撤销涿州市示例中小企业融资服务平台称号的通知”"
            "（2025-06-16 撤销通知）已经发布，记录文件不能删除 [rule diff.announcement-deleted]"
        )
    ]
    # the working tree's own errors (a history now refers to nothing) are reported too
    assert "工作区数据按 2026-11-29 校验：发现" in out


# --------------------------------------------------------------- legitimate changes


def test_new_platform(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    new = PLATFORMS / "bd-0017.yaml"
    shutil.copyfile(PLATFORMS / "bd-0016.yaml", new)
    text = new.read_text(encoding="utf-8")
    old_uscc = re.search(r'uscc: "([0-9A-Z]{18})"', text).group(1)  # type: ignore[union-attr]
    text = (
        text.replace("id: bd-0016", "id: bd-0017")
        .replace(f"name: {BD16}", "name: 易县示例新平台")
        .replace(old_uscc, make_uscc("91130633", "MA0NEW01"))
    )
    # another unit: the same operator name under another code is refused (names.operator-unique)
    text = re.sub(r"(operator:\n  name: ).*", r"\g<1>易县示例新平台运营有限公司", text, count=1)
    new.write_text(text, encoding="utf-8")
    code, out = run(capsys)
    assert code == 0, out
    assert "新增平台 1 个" in out
    assert (
        "- `易县示例新平台`（bd-0017）：所在县（市、区） `易县`；推荐单位 `易县`工信部门；状态 推荐中"
        in out
    )
    assert "  - 2026-11-16 推荐" in out
    assert "### 不允许的变更" not in out


def _certification(date: str = "2026-11-27") -> str:
    return (
        "# yaml-language-server: $schema=../../schemas/announcement.schema.json\n"
        "id: 2026-certification\n"
        "type: certification\n"
        "title: 关于公布2026年度保定市中小企业公共服务示范平台名单的通知\n"
        f"date: {date}\n"
        "contact:\n"
        "  department: 保定市工业和信息化局中小企业科\n"
        '  phone: "0312-5000618"\n'
        "body: 经公示无异议，认定以下平台为2026年度保定市中小企业公共服务示范平台。\n"
    )


def test_appended_certified_event_and_new_announcement(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (ANNOUNCEMENTS / "2026-certification.yaml").write_text(_certification(), encoding="utf-8")
    with (PLATFORMS / "bd-0012.yaml").open("r+", encoding="utf-8") as f:
        text = f.read().replace(
            "announcement: 2026-publicity}\n",
            "announcement: 2026-publicity}\n"
            "  - {date: 2026-11-27, type: certified, announcement: 2026-certification, certificate: BDSF-2026-001}\n",
        )
        f.seek(0)
        f.write(text)
    code, out = run(capsys)
    assert code == 0, out
    assert "新事件 1 条，状态变化 1 个，字段变更 0 处，新增公告 1 则" in out
    assert (
        "- `满城区示例造纸产业数字化服务平台`（bd-0012）\n"
        "  - 2026-11-27 认定：公告 `关于公布2026年度保定市中小企业公共服务示范平台名单的通知`（2026-certification）；"
        "证书编号 `BDSF-2026-001`"
    ) in out
    assert "- `满城区示例造纸产业数字化服务平台`（bd-0012）：公示期满待认定 → 已认定" in out
    assert (
        "### 新增公告\n\n- 2026-11-27 认定名单通知：`关于公布2026年度保定市中小企业公共服务示范平台名单的通知`"
        "（2026-certification）"
    ) in out


def test_changed_phone(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    edit(PLATFORMS / "bd-0001.yaml", 'phone: "0312-5100001"', 'phone: "0312-5100099"')
    code, out = run(capsys)
    assert code == 0, out
    assert (
        "- 平台 `保定市示例检验检测公共服务平台`（bd-0001）\n"
        "  - 联系方式 › 服务电话：`0312-5100001` → `0312-5100099`"
    ) in out


def test_new_publicity_announcement_shows_its_end(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ann = (ANNOUNCEMENTS / "2026-publicity.yaml").read_text(encoding="utf-8")
    (ANNOUNCEMENTS / "2026-publicity-2.yaml").write_text(
        ann.replace("id: 2026-publicity", "id: 2026-publicity-2")
        .replace("的公示\n", "的第二批公示\n", 1)
        .replace("2026-11-09", "2026-11-26")
        # the text states the period too (validate: notices.period-dates)
        .replace("自2026年11月9日至2026年11月17日", "自2026年11月26日至2026年12月4日"),
        encoding="utf-8",
    )
    edit(
        PLATFORMS / "bd-0016.yaml",
        "type: recommended}\n",
        "type: recommended}\n  - {date: 2026-11-26, type: publicity, announcement: 2026-publicity-2}\n",
    )
    code, out = run(capsys)
    assert code == 0, out
    assert (
        "- 2026-11-26 拟认定名单公示：`关于2026年度保定市中小企业公共服务示范平台拟认定名单的第二批公示`"
        in out
    )
    assert "（2026-publicity-2）；公示期 2026-11-26 至 2026-12-04" in out
    assert f"- `{BD16}`（bd-0016）：推荐中 → 公示中" in out


def test_attachment_added_to_old_announcement(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pdf = b"%PDF-1.7 signed notice\n"
    (repo / "data" / "attachments").mkdir(exist_ok=True)
    (repo / "data" / "attachments" / "2024-publicity.pdf").write_bytes(pdf)
    with (ANNOUNCEMENTS / "2024-publicity.yaml").open("a", encoding="utf-8") as f:
        f.write(
            "attachments:\n"
            "  - title: 公示通知（盖章版）\n"
            "    file: 2024-publicity.pdf\n"
            f"    sha256: {hashlib.sha256(pdf).hexdigest()}\n"
        )
    code, out = run(capsys)
    assert code == 0, out
    assert "  - 附件：新增 `公示通知（盖章版）`（`2024-publicity.pdf`）" in out


def test_announcement_not_yet_published_may_change(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    edit(ANNOUNCEMENTS / "2026-publicity-supplement.yaml", "的补充公示", "的补充公示（第一批）")
    code, out = run(capsys, today="2026-11-23")  # it is dated 2026-11-24
    assert code == 0, out
    assert "  - 标题：`关于2026年度保定市中小企业公共服务示范平台拟认定名单的补充公示` → " in out


def test_nothing_changed(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run(capsys)
    assert code == 0
    assert out.startswith("## 数据变更摘要\n\n与基准版本 `HEAD` 相比，平台和公告数据没有变化。")
    assert "工作区数据按 2026-11-29 校验：校验通过" in out


# ----------------------------------------------------------------------- safety

NASTY = (
    "@org/team <img src=x onerror=alert(1)> [点我](https://evil.example) **粗** `x`` #1 :tada: |"
)


def _outside_code_spans(text: str) -> str:
    """The text with fenced blocks and code spans removed (CommonMark's rules)."""
    text = re.sub(r"^(`{3,})[^\n]*\n.*?^\1\n", "", text, flags=re.DOTALL | re.MULTILINE)
    return re.sub(r"(?<!`)(`+)(?!`).*?(?<!`)\1(?!`)", "", text)


def test_record_text_cannot_inject_markdown(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    quoted = '"' + NASTY.replace("\\", "\\\\").replace('"', '\\"') + '"'
    edit(PLATFORMS / "bd-0001.yaml", 'phone: "0312-5100001"', 'phone: "0312-5100099"')
    edit(PLATFORMS / "bd-0001.yaml", "name: 保定市示例检验检测公共服务平台", f"name: {quoted}")
    shutil.copyfile(PLATFORMS / "bd-0016.yaml", PLATFORMS / "bd-0017.yaml")  # refused: reused id
    edit(PLATFORMS / "bd-0017.yaml", f"name: {BD16}", 'name: "@evil <b>x</b>\\n\\n# heading"')
    code, out = run(capsys)
    assert code == 1
    assert NASTY.replace("\n", " ") in out  # shown, as text
    rest = _outside_code_spans(out)
    for bad in ("@org", "@evil", "<img", "<b>", "](", "**粗", ":tada:", "# heading"):
        assert bad not in rest, bad
    html = markdown.markdown(out)
    assert "<img" not in html and "<a " not in html and "<b>" not in html


def test_bad_revision(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["diff", "--base", "no-such-branch", "--data", "data", "--today", TODAY])
    out = capsys.readouterr().out
    assert code == 2
    assert "无法读取基准版本 `no-such-branch`" in out


def test_revision_that_looks_like_an_option(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["diff", "--base=--output=/tmp/x", "--data", "data", "--today", TODAY])
    assert code == 2
    assert "不是有效的版本名" in capsys.readouterr().out


# ------------------------------------------------------- integrity (issue 12)
# Both sides are read from git objects: a link is an entry of mode 120000, never
# followed, and nothing outside the data folder takes part. Each case below was
# accepted (exit 0, or without its own refusal) before these checks existed.

SECRET = "不应出现在输出中的内容-7f3a"


def rules_of(out: str) -> list[str]:
    return [re.search(r"\[rule (diff\.[a-z-]+)\]$", line).group(1) for line in problem_lines(out)]  # type: ignore[union-attr]


def commit_all(repo: Path, message: str) -> None:
    git("add", "-A", cwd=repo)
    git("commit", "-q", "-m", message, cwd=repo)


def test_base_that_is_not_an_ancestor_of_head(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """History rewritten (amended, as a force push would): the old tip is refused as base."""
    old = subprocess.run(
        ["git", "rev-parse", "HEAD"],
        cwd=repo,
        env=GIT_ENV,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    edit(PLATFORMS / "bd-0003.yaml", "certificate: BDSF-2022-001}", "certificate: BDSF-2022-009}")
    git("commit", "-q", "-a", "--amend", "-m", "base, rewritten", cwd=repo)
    code = main(["diff", "--base", old, "--data", "data", "--today", TODAY])
    out = capsys.readouterr().out
    assert code == 1
    assert problem_lines(out) == [
        (
            f"data: 基准版本“{old}”不是当前提交（HEAD）的祖先：当前提交不是在它之上继续的，"
            "可能改写了历史（强制推送、变基），也可能当前分支落后于它；只增不改无法据此检查 [rule diff.not-ancestor]"
        )
    ]


def test_a_branch_behind_its_base_is_refused_too(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    git("checkout", "-q", "-b", "feature", cwd=repo)
    git("checkout", "-q", "main", cwd=repo)
    (repo / "data" / "attachments").mkdir()
    (repo / "data" / "attachments" / "a.pdf").write_bytes(b"%PDF-1.7\n")
    commit_all(repo, "main moves on")
    git("checkout", "-q", "feature", cwd=repo)
    code = main(["diff", "--base", "main", "--data", "data", "--today", TODAY])
    assert code == 1
    assert rules_of(capsys.readouterr().out) == ["diff.not-ancestor"]


def _link_to_a_copy(repo: Path, record: Path, target: Path) -> None:
    """Replace `record` by a link to a copy of it elsewhere whose history was rewritten."""
    target.parent.mkdir(parents=True, exist_ok=True)
    text = record.read_text(encoding="utf-8")
    target.write_text(
        text.replace("type: recommended}", f"type: recommended, note: {SECRET}}}"), encoding="utf-8"
    )
    record.unlink()
    record.symlink_to(os.path.relpath(target, record.parent))


def test_record_replaced_by_a_link_is_refused_and_not_followed(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _link_to_a_copy(repo, PLATFORMS / "bd-0016.yaml", repo / "tests" / "copy" / "bd-0016.yaml")
    code, out = run(capsys)
    assert code == 1
    assert "data/platforms/bd-0016.yaml: 工作区中的 data/platforms/bd-0016.yaml 是符号链接；" in out
    assert "diff.symlink" in rules_of(out)
    assert SECRET not in out and "tests/copy" not in out


def test_link_committed_in_the_base_is_refused(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (repo / "outside.yaml").write_text(f"id: bd-0099\nname: {SECRET}\n", encoding="utf-8")
    (PLATFORMS / "bd-0099.yaml").symlink_to("../../outside.yaml")
    commit_all(repo, "a link slipped in")
    (PLATFORMS / "bd-0099.yaml").unlink()  # gone from the working tree, still in the base
    code, out = run(capsys)
    assert code == 1
    assert problem_lines(out) == [
        (
            "data/platforms/bd-0099.yaml: 基准版本（HEAD）中的 data/platforms/bd-0099.yaml 是符号链接；"
            "数据目录中只允许普通文件，链接不会被读取 [rule diff.symlink]"
        )
    ]
    assert SECRET not in out and "outside.yaml" not in out


@pytest.mark.parametrize("target", ["/etc/hostname", "../no-such-file.pdf"])  # the second dangles
def test_linked_attachment_is_refused(
    repo: Path, capsys: pytest.CaptureFixture[str], target: str
) -> None:
    (repo / "data" / "attachments").mkdir()
    (repo / "data" / "attachments" / "notice.pdf").symlink_to(target)
    code, out = run(capsys)
    assert code == 1
    assert rules_of(out) == ["diff.symlink"]
    assert target not in out


def test_linked_data_folder_is_refused(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "data").rename(repo / "elsewhere")
    (repo / "data").symlink_to("elsewhere")
    code, out = run(capsys)
    assert code == 1
    assert rules_of(out) == ["diff.symlink"]
    assert "elsewhere" not in out


def test_submodule_in_the_data_folder_is_refused(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    head = subprocess.run(
        ["git", "rev-parse", "HEAD"],
        cwd=repo,
        env=GIT_ENV,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    git("update-index", "--add", "--cacheinfo", f"160000,{head},data/attachments/docs", cwd=repo)
    git("commit", "-q", "-m", "a submodule", cwd=repo)
    (repo / "data" / "attachments" / "docs").mkdir(parents=True)  # as a clone leaves it
    code, out = run(capsys)
    assert code == 1
    assert problem_lines(out) == [
        (
            "data/attachments/docs: 工作区中的 data/attachments/docs 是子模块（另一个 Git 仓库）；"
            "数据目录中只允许普通文件 [rule diff.submodule]"
        )
    ]


@pytest.mark.parametrize(
    "name", ["platforms/bd-0017.YAML", "announcements/x.Yaml", "attachments/a.yml"]
)
def test_wrong_yaml_extension_is_refused(
    repo: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    path = repo / "data" / name
    path.parent.mkdir(exist_ok=True)
    path.write_text("id: x\n", encoding="utf-8")
    code, out = run(capsys)
    assert code == 1
    assert rules_of(out) == ["diff.extension"]
    assert (
        f"data/{name}: 工作区中的 data/{name} 扩展名不对：数据文件的扩展名应为小写的 .yaml" in out
    )


@pytest.mark.parametrize(
    "name",
    [
        "notes.txt",
        "platforms/README.md",
        "platforms/old/bd-0020.yaml",  # records are not nested
        "platforms/bd-0020.yaml/inner.yaml",  # a folder named like a record
        "platforms/.hidden.yaml",
        "attachments/2024/notice.pdf",
        ".cache/validate/forged",
    ],
)
def test_stray_file_in_the_data_folder_is_refused(
    repo: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    path = repo / "data" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"id: bd-0020\n")
    code, out = run(capsys)
    assert code == 1
    assert rules_of(out) == ["diff.unexpected"]
    assert f"data/{name}: 工作区中的 data/{name} 不是数据目录应有的文件" in out


def test_nothing_outside_the_data_folder_changes_the_result(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    edit(PLATFORMS / "bd-0001.yaml", 'phone: "0312-5100001"', 'phone: "0312-5100099"')
    before = run(capsys)
    # a forged validation cache and a copy of a record elsewhere, committed and changed
    for folder in (repo / ".cache" / "validate", repo / "tests"):
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "bd-0001.yaml").write_text(f"id: bd-0001\nname: {SECRET}\n", encoding="utf-8")
    git("add", ".cache", "tests", cwd=repo)
    git("commit", "-q", "-m", "files outside the data folder", cwd=repo)
    (repo / ".cache" / "validate" / "bd-0001.yaml").write_text("forged\n", encoding="utf-8")
    (repo / "tests" / "extra.yaml").write_text("id: bd-0002\n", encoding="utf-8")
    after = run(capsys)
    assert after == before
    assert before[0] == 0 and "服务电话：`0312-5100001` → `0312-5100099`" in before[1]


def test_the_index_is_not_touched(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The working tree is staged into a temporary index, not the user's."""
    edit(PLATFORMS / "bd-0001.yaml", 'phone: "0312-5100001"', 'phone: "0312-5100099"')
    index = (repo / ".git" / "index").read_bytes()
    code, _ = run(capsys)
    assert code == 0
    assert (repo / ".git" / "index").read_bytes() == index
    status = subprocess.run(
        ["git", "status", "--porcelain"],
        cwd=repo,
        env=GIT_ENV,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert status == " M data/platforms/bd-0001.yaml\n"


def test_file_name_that_is_not_utf8_is_refused(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    os.makedirs(b"data/platforms", exist_ok=True)
    with open(b"data/platforms/\xff\xfe.yaml", "wb") as f:
        f.write(b"id: x\n")
    code, out = run(capsys)
    assert code == 1
    assert rules_of(out) == ["diff.unexpected"]
    assert (
        "data/platforms/\ufffd\ufffd.yaml: 工作区中的 data/platforms/\ufffd\ufffd.yaml 的文件名不是 UTF-8 编码"
        in out
    )
