"""Stage 1, the data folder: only regular files count, and nothing outside the data decides.

Links, FIFOs, folders where a file belongs and unexpected files are refused with a
problem naming the entry (never followed, never skipped in silence, the target never
quoted); a `.cache/` folder or anything else planted beside `data/` changes nothing.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from generator import pipeline, report
from generator.load import load_file, load_sources

ROOT = Path(__file__).resolve().parents[1]
MINIMAL = ROOT / "tests" / "fixtures" / "valid" / "minimal" / "data"
DAY = date(2026, 11, 29)
#: text in the target of a link: it must never appear in any problem
SECRET = "秘密电话 0312-9999999"

needs_links = pytest.mark.skipif(
    not hasattr(os, "symlink") or sys.platform == "win32",
    reason="symbolic links and FIFOs as on Linux/macOS",
)


@pytest.fixture
def data(tmp_path: Path) -> Path:
    shutil.copytree(MINIMAL, tmp_path / "data")
    return tmp_path / "data"


def _problems(data: Path) -> list[report.Problem]:
    return list(load_sources(data).problems)


def _only(data: Path, rule: str, file: str) -> report.Problem:
    """The one problem of the load stage: rule and file (shown by its own path)."""
    problems = _problems(data)
    assert [(p.rule, p.file) for p in problems] == [(rule, file)], problems
    [p] = problems
    assert p.is_error and p.line is None
    assert any("\u4e00" <= ch <= "\u9fff" for ch in p.message)
    assert SECRET not in p.message + p.hint
    return p


def _cli(data: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "generator.cli",
            "validate",
            "--data",
            "data",
            "--today",
            DAY.isoformat(),
        ],
        capture_output=True,
        text=True,
        cwd=data.parent,
        check=False,
        timeout=60,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


def _secret_file(tmp_path: Path) -> Path:
    """A valid-looking record outside the data folder (say under tests/, unreviewed)."""
    outside = tmp_path / "elsewhere" / "bd-0004.yaml"
    outside.parent.mkdir(parents=True)
    text = (MINIMAL / "platforms" / "bd-0001.yaml").read_text(encoding="utf-8")
    outside.write_text(text.replace("bd-0001", "bd-0004") + f"# {SECRET}\n", encoding="utf-8")
    return outside


# -- records: a link, a FIFO, a folder are refused, not followed ---------------------------------


@needs_links
@pytest.mark.parametrize("target", ["outside", "record", "dangling", "folder", "device"])
def test_a_linked_record_is_refused_and_not_followed(
    data: Path, tmp_path: Path, target: str
) -> None:
    targets = {
        "outside": _secret_file(tmp_path),  # a copy nobody reviews, e.g. under tests/
        "record": data / "platforms" / "bd-0001.yaml",
        "dangling": tmp_path / "nowhere.yaml",
        "folder": tmp_path / "elsewhere",
        "device": Path("/dev/zero"),
    }
    link = data / "platforms" / "bd-0004.yaml"
    link.symlink_to(targets[target])
    p = _only(data, "load.not-regular", _shown(link))
    assert "符号链接" in p.message
    assert str(tmp_path / "elsewhere") not in p.message + p.hint
    proc = _cli(data)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert (
        "data/platforms/bd-0004.yaml: " in proc.stdout and "[rule load.not-regular]" in proc.stdout
    )
    assert SECRET not in proc.stdout and "Traceback" not in proc.stderr


def _shown(path: Path) -> str:
    """How load_sources names an entry: the data folder's display path plus its name."""
    from generator.load import display_path

    return display_path(path.parent) + "/" + path.name


@needs_links
def test_a_fifo_record_is_refused_without_waiting(data: Path) -> None:
    fifo = data / "announcements" / "2026-publicity.yaml"
    os.mkfifo(fifo)
    p = _only(data, "load.not-regular", _shown(fifo))  # a read would block forever
    assert "命名管道" in p.message


@needs_links
def test_a_socket_record_is_refused(data: Path) -> None:
    path = data / "platforms" / "bd-0004.yaml"
    with socket.socket(socket.AF_UNIX) as sock:
        try:
            sock.bind(str(path))
        except OSError as exc:  # a path too long for a socket address
            pytest.skip(str(exc))
        _only(data, "load.not-regular", _shown(path))


def test_a_folder_named_like_a_record_is_refused(data: Path) -> None:
    folder = data / "platforms" / "bd-0004.yaml"
    folder.mkdir()
    (folder / "x.yaml").write_text("id: x\n", encoding="utf-8")
    p = _only(data, "load.not-regular", _shown(folder))
    assert "文件夹" in p.message


@pytest.mark.parametrize("name", ["notes.txt", ".DS_Store", "bd-0001.yaml.bak", "sub"])
def test_a_file_the_loader_does_not_expect_is_refused(data: Path, name: str) -> None:
    path = data / "platforms" / name
    if name == "sub":
        path.mkdir()
    else:
        path.write_text("id: bd-0009\n", encoding="utf-8")
    _only(data, "load.unexpected-file", _shown(path))


@pytest.mark.parametrize("name", ["bd-0004.yml", "bd-0004.YAML", "bd-0004.Yml"])
def test_other_spellings_of_yaml_are_refused(data: Path, name: str) -> None:
    path = data / "platforms" / name
    path.write_text(
        (MINIMAL / "platforms" / "bd-0001.yaml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    p = _only(data, "load.extension", _shown(path))
    assert "bd-0004.yaml" in p.hint


# -- the data folder itself and the attachments ------------------------------------------------


@needs_links
@pytest.mark.parametrize("name", ["platforms", "rules.yaml", "attachments", "extra.yaml"])
def test_a_link_at_the_top_of_the_data_folder_is_refused(
    data: Path, tmp_path: Path, name: str
) -> None:
    real = tmp_path / "real"
    shutil.copytree(MINIMAL, real)
    if name in ("platforms", "rules.yaml"):
        (data / name).unlink() if name.endswith(".yaml") else shutil.rmtree(data / name)
    target = real / name if (real / name).exists() else real / "platforms"
    (data / name).symlink_to(target)
    problems = _problems(data)
    assert ("load.not-regular", _shown(data / name)) in [(p.rule, p.file) for p in problems], (
        problems
    )
    assert not any(p.rule == "load.missing" for p in problems), problems  # said once, as a link
    if name == "platforms":
        assert load_sources(data).platforms == ()  # nothing read through the link


@pytest.mark.parametrize("name", ["README.md", ".cache", "platforms.bak"])
def test_an_unexpected_entry_in_the_data_folder_is_refused(data: Path, name: str) -> None:
    path = data / name
    if name.startswith(".") or name.endswith(".bak"):
        path.mkdir()
    else:
        path.write_text("说明\n", encoding="utf-8")
    _only(data, "load.unexpected-file", _shown(path))


def _with_attachment(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    shutil.copytree(MINIMAL, data)
    (data / "attachments").mkdir()
    (data / "attachments" / "2024-certification.pdf").write_bytes(b"%PDF-1.4 notice")
    sources = load_sources(data)
    assert not sources.problems and list(sources.attachments) == ["2024-certification.pdf"]
    return data


@needs_links
@pytest.mark.parametrize("kind", ["link", "fifo", "folder", "hidden"])
def test_attachments_are_regular_files_too(tmp_path: Path, kind: str) -> None:
    data = _with_attachment(tmp_path)
    path = data / "attachments" / ("odd.pdf" if kind != "hidden" else ".hidden")
    if kind == "link":
        path.symlink_to(_secret_file(tmp_path))
    elif kind == "fifo":
        os.mkfifo(path)
    elif kind == "folder":
        path.mkdir()
    else:
        path.write_bytes(b"x")
    rule = "load.not-regular" if kind in ("link", "fifo") else "load.unexpected-file"
    _only(data, rule, _shown(path))


@needs_links
def test_a_linked_attachment_named_by_an_announcement_is_not_hashed(tmp_path: Path) -> None:
    data = _with_attachment(tmp_path)
    [attachment] = list((data / "attachments").iterdir())
    moved = tmp_path / attachment.name
    attachment.rename(moved)
    attachment.symlink_to(moved)  # same bytes, same hash: still refused
    sources = load_sources(data)
    assert attachment.name not in sources.attachments
    assert [p.rule for p in sources.problems] == ["load.not-regular"]


@needs_links
def test_load_file_never_reads_through_a_link(tmp_path: Path) -> None:
    link = tmp_path / "calendar.yaml"
    link.symlink_to(_secret_file(tmp_path))
    doc, [p] = load_file(link, "data/calendar.yaml")
    assert doc is None and p.rule == "load.not-regular" and SECRET not in p.message


# -- nothing beside the data decides ----------------------------------------------------------


def _outcome(data: Path) -> tuple[str, object]:
    result = pipeline.validate_dir(data, DAY)
    return report.format_text(result.problems), result.registry


def _snapshot(folder: Path) -> dict[str, bytes | str]:
    out: dict[str, bytes | str] = {}
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        out[rel] = (
            f"-> {os.readlink(path)}"
            if path.is_symlink()
            else path.read_bytes()
            if path.is_file()
            else "dir"
        )
    return out


@needs_links
def test_a_forged_cache_beside_the_data_changes_nothing(tmp_path: Path) -> None:
    """A `.cache/validate/` tree committed or planted with links: the same problems, the
    same model, and no file of the data folder (or anywhere the links point) touched."""
    root = tmp_path / "repo"
    data = root / "data"
    shutil.copytree(ROOT / "data", data)
    before_text, before_model = _outcome(data)
    assert before_model is not None
    cache = root / ".cache" / "validate"
    version = cache / "0123456789abcdef"
    version.mkdir(parents=True)
    (cache / "old-version").symlink_to(data / "platforms")  # what made `validate` delete records
    (cache / "old-file").symlink_to(data / "platforms" / "bd-0001.yaml")
    (version / "cache.marshal").write_bytes(b"\xe3forged: every platform valid, phone 0312-0000000")
    (version / "pack-1.marshal").symlink_to(data / "rules.yaml")
    (root / "data2").symlink_to(data)
    (root / "platforms").symlink_to(data / "platforms")
    files = _snapshot(data)
    planted = _snapshot(root / ".cache")
    beside = sorted(os.listdir(root))
    for _ in range(2):
        after_text, after_model = _outcome(data)
        assert after_text == before_text
        assert after_model == before_model
    assert _snapshot(data) == files
    assert _snapshot(root / ".cache") == planted
    proc = _cli(data)
    assert proc.returncode == 0 and "Traceback" not in proc.stderr
    assert _snapshot(data) == files and _snapshot(root / ".cache") == planted
    assert sorted(os.listdir(root)) == beside  # and nothing written beside the data


def test_no_module_knows_of_a_validation_cache() -> None:
    """No cache of any kind: validate and build always read the files themselves."""
    for path in sorted((ROOT / "generator").rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        for word in ("marshal", ".cache/validate", "REGISTRY_NO_CACHE", "cache.parse"):
            assert word not in text, (path, word)


@needs_links
@pytest.mark.parametrize(
    "name",
    [
        b"bd-0004.yaml\n::error::forged.txt",
        "\u202ebd-0004.yaml".encode(),
        "bd-\u200b0004.yaml".encode(),
        b"\xff\xfe.yaml",
        b"bd-0004\rx.yaml",
    ],
    ids=["newline", "bidi", "zero-width", "not-utf8", "cr"],
)
def test_a_name_with_invisible_characters_is_refused_and_shown_escaped(
    data: Path, name: bytes
) -> None:
    os.close(os.open(os.path.join(os.fsencode(data / "platforms"), name), os.O_CREAT | os.O_WRONLY))
    [p] = _problems(data)
    assert p.rule == "load.unexpected-file" and p.file.isprintable(), p.file
    assert p.file.startswith(_shown(data / "platforms" / "x")[:-1]) and "\\" in p.file
    proc = _cli(data)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert not any(line.startswith("::") for line in proc.stdout.splitlines()), proc.stdout


@needs_links
@pytest.mark.build
def test_a_forged_cache_beside_the_data_changes_no_byte_of_the_site(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import filecmp

    monkeypatch.chdir(ROOT)  # mkdocs.yml and docs/ of the repository
    repo = tmp_path / "repo"
    shutil.copytree(ROOT / "data", repo / "data")
    plain = pipeline.build(repo / "data", tmp_path / "plain", DAY)
    assert plain.ok, [p.message for p in plain.problems if p.is_error]
    forged = repo / ".cache" / "validate" / "0123456789abcdef"
    forged.mkdir(parents=True)
    (forged / "cache.marshal").write_bytes(b"forged: phone 0312-0000000")
    (forged.parent / "old-version").symlink_to(repo / "data" / "platforms")
    files = _snapshot(repo / "data")
    again = pipeline.build(repo / "data", tmp_path / "forged", DAY)
    assert again.ok and again.problems == plain.problems
    different: list[str] = []

    def walk(d: filecmp.dircmp[str]) -> None:
        different.extend(d.diff_files + d.left_only + d.right_only + d.funny_files)
        for sub in d.subdirs.values():
            walk(sub)

    # Pagefind's bundle is not byte-reproducible (generator/index.py); everything else is
    walk(filecmp.dircmp(tmp_path / "plain", tmp_path / "forged", ignore=["pagefind"]))
    assert not different
    assert _snapshot(repo / "data") == files
