"""Benchmark the registry at several sizes against the floor of a bare MkDocs + Pagefind site.

    python benchmarks/run.py [--sizes 100,1000,10000] [--out benchmarks/results.json]

For each N it writes a synthetic registry (benchmarks/synth.py) to benchmarks/out/N/
and measures, each in a fresh Python process so that peak memory is per size:

- build: the real `pipeline.build` (from cold: there is no cache of any kind), each phase
  timed where it happens: in the pages process (generator/pages.py) validate, render
  (Jinja2, every generated page), mkdocs (the hand-written pages and one shell per page
  kind), pages write; then how long the build waited for the downloads process ("wait";
  its own validation and exports, marked ‖, run beside the pages and are not counted in
  the total), Pagefind, and the rest (starting the processes, moving the downloads in,
  swapping the staging folder into place);
- floor: the same generated pages as plain Markdown (render_pages: front matter and the
  page's HTML, as MkDocs built them before issue 11) through bare mkdocs-material (no
  plugins, no extensions, pages out of the nav) and the same Pagefind command: what the
  plain toolchain costs for these pages. Validating and rendering them is not counted;
- minimal floor: the floor of sessions 1-5, each platform as a short Markdown page
  (name, description, a few fields: a quarter of its page's text), kept for comparison;
- validate: `registry validate` as a subprocess, start to exit (it keeps no cache: every
  run is cold), against the baseline of the same files read by plain PyYAML (C loader)
  and checked by Python `jsonschema` (one reused validator per schema, every error
  collected), also a subprocess, start to exit; the best of --repeat runs of each.

Memory is the peak proportional set size (PSS) of the measured process and all its
children (Pagefind, the downloads process), sampled every 0.25 s from /proc: pages a fork
shares with its parent count once. CPU seconds (user + system of the process tree) are
reported beside wall time because they depend much less on what else the machine runs.

Prints the tables and writes the numbers as JSON. Timings are wall-clock seconds on
whatever else the machine is doing: run on a quiet machine, or use --repeat and keep
the best.
"""

from __future__ import annotations

import argparse
import inspect
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "out"
TODAY = "2026-11-29"
ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONPATH": str(ROOT)}


# -- children: one fresh process per measurement -----------------------------------------------


def _rss_mb(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # KiB on Linux


class _Timer:
    """Wraps functions in a module so that each call adds its wall time to a phase."""

    def __init__(self) -> None:
        self.phases: dict[str, float] = {}

    def wrap(self, module: Any, name: str, phase: str) -> None:
        original: Callable[..., Any] = getattr(module, name)

        def timed(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.phases[phase] = self.phases.get(phase, 0.0) + time.perf_counter() - start

        def timed_iteration(*args: Any, **kwargs: Any) -> Any:
            # a generator's time is spent while it is iterated, less what the caller
            # does with each item between two steps
            items = original(*args, **kwargs)
            while True:
                start = time.perf_counter()
                try:
                    item = next(items)
                except StopIteration:
                    return
                finally:
                    self.phases[phase] = self.phases.get(phase, 0.0) + time.perf_counter() - start
                yield item

        setattr(module, name, timed_iteration if inspect.isgeneratorfunction(original) else timed)


def child_build(n_dir: Path) -> dict[str, Any]:
    os.chdir(ROOT)
    from generator import downloads, index, pages, pipeline

    timer = _Timer()
    timer.wrap(index, "run_pagefind", "pagefind")
    # the pages and the downloads are made by processes of their own (generator/pages.py,
    # generator/downloads.py), which report their own timings
    finish_pages = pages.Pages.finish
    page_seconds: dict[str, float] = {}

    def timed_pages(self: Any) -> Any:
        start = time.perf_counter()
        made = finish_pages(self)
        timer.phases["pages"] = time.perf_counter() - start
        page_seconds.update(made.seconds)
        return made

    pages.Pages.finish = timed_pages  # type: ignore[method-assign]
    finish = downloads.Downloads.finish
    made_seconds: dict[str, float] = {}

    def timed_finish(self: Any, digest: str) -> Any:
        start = time.perf_counter()
        made = finish(self, digest)
        timer.phases["wait"] = time.perf_counter() - start
        made_seconds.update(made.seconds)
        return made

    downloads.Downloads.finish = timed_finish  # type: ignore[method-assign]
    site = n_dir / "site"
    if site.exists():
        shutil.rmtree(site)
    start = time.perf_counter()
    result = pipeline.build(n_dir / "data", site, date.fromisoformat(TODAY))
    total = time.perf_counter() - start
    if not result.ok:
        errors = [f"{p.location()}: {p.message}" for p in result.problems if p.is_error][:10]
        raise SystemExit("build failed:\n" + "\n".join(errors))
    p = timer.phases
    validate = page_seconds.get("validate", 0.0)
    render = page_seconds.get("render", 0.0)
    mkdocs = page_seconds.get("mkdocs", 0.0)
    phases = {
        "validate": validate,
        "render": render,
        "mkdocs": mkdocs,
        "pages write": p.get("pages", 0.0) - validate - render - mkdocs,
        "exports": made_seconds.get("validate", 0.0) + made_seconds.get("exports", 0.0),
        "wait": p.get("wait", 0.0),
        "pagefind": p.get("pagefind", 0.0),
    }
    # the downloads process runs beside the pages process: not part of the total
    parallel = ["exports"]
    phases["write+other"] = total - sum(v for k, v in phases.items() if k not in parallel)
    return {
        "total": total,
        "phases": phases,
        "parallel": parallel,
        "pages": result.pages,
        "indexed": result.indexed,
        "rss_self_mb": _rss_mb(resource.RUSAGE_SELF),
        "rss_children_mb": _rss_mb(resource.RUSAGE_CHILDREN),
    }


FLOOR_CONFIG = """\
site_name: floor
docs_dir: docs
site_dir: site
theme:
  name: material
  language: zh
  font: false
plugins: []
nav:
  - index.md
validation:
  nav:
    omitted_files: ignore
"""


def floor_pages(n_dir: Path) -> dict[str, str]:
    """The floor's pages: the same generated pages as the build's, as the Markdown sources
    render_pages gives (front matter and the page's HTML, what MkDocs built before issue
    11). Validating and rendering are not part of the floor."""
    from generator.render import render_pages
    from generator.settings import site_config
    from generator.validate.run import validate_dir

    result = validate_dir(n_dir / "data", date.fromisoformat(TODAY))
    site, _ = site_config(ROOT / "mkdocs.yml")
    if result.registry is None or site is None:
        raise SystemExit(f"the floor needs valid data: {n_dir / 'data'}")
    pages = render_pages(result.registry, site)
    assert "index.md" in pages  # the home page is generated too
    return pages


def minimal_floor_pages(n_dir: Path) -> dict[str, str]:
    """The floor of sessions 1-5: plain Markdown for every platform with its name,
    description and a few fields, a quarter of the text of its page."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    pages = {"index.md": "# 平台名录\n"}
    for path in sorted((n_dir / "data" / "platforms").glob("*.yaml")):
        d = yaml.load(path.read_text(encoding="utf-8"), Loader=loader)
        pages[f"platforms/{d['id']}.md"] = (
            f"# {d['name']}\n\n{d['description']}\n\n"
            f"- 运营单位：{d['operator']['name']}\n"
            f"- 统一社会信用代码：{d['operator']['uscc']}\n"
            f"- 所在县（市、区）：{d['county']}\n"
            f"- 服务电话：{d['contact']['phone']}\n"
            f"- 地址：{d['contact']['address']}\n"
        )
    return pages


def child_floor(n_dir: Path, minimal: bool = False) -> dict[str, Any]:
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config

    from generator.index import pagefind_command

    # making the pages' sources is not part of the floor
    pages = minimal_floor_pages(n_dir) if minimal else floor_pages(n_dir)
    root = n_dir / ("floor-minimal" if minimal else "floor")
    if root.exists():
        shutil.rmtree(root)
    (root / "docs").mkdir(parents=True)
    (root / "mkdocs.yml").write_text(FLOOR_CONFIG, encoding="utf-8")
    phases: dict[str, float] = {}
    start = time.perf_counter()
    for rel, text in pages.items():
        path = root / "docs" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    phases["write"] = time.perf_counter() - start
    t = time.perf_counter()
    import logging

    logging.getLogger("mkdocs").setLevel(logging.ERROR)
    mkdocs_build(load_config(config_file=str(root / "mkdocs.yml")))
    phases["mkdocs"] = time.perf_counter() - t
    t = time.perf_counter()
    proc = subprocess.run(
        pagefind_command(root / "site"), capture_output=True, text=True, check=False
    )
    phases["pagefind"] = time.perf_counter() - t
    if proc.returncode != 0:
        raise SystemExit("floor pagefind failed:\n" + proc.stdout + proc.stderr)
    return {
        "total": time.perf_counter() - start,
        "phases": phases,
        "pages": len(pages),
        "rss_self_mb": _rss_mb(resource.RUSAGE_SELF),
        "rss_children_mb": _rss_mb(resource.RUSAGE_CHILDREN),
    }


# -- the parent --------------------------------------------------------------------------------


def _tree(root: int) -> list[int]:
    """root and all its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo += children.get(pid, [])
    return out


def _pss_mb(pids: list[int]) -> float:
    """Proportional set size of the processes: shared pages (a fork's) counted once."""
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
                    break
        except OSError:
            continue
    return total / 1024


def _child(kind: str, n_dir: Path) -> dict[str, Any]:
    """Run one measurement in a fresh process; sample the memory of its process tree."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = subprocess.Popen(
        [sys.executable, str(Path(__file__).resolve()), "--child", kind, str(n_dir)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=ENV,
        cwd=ROOT,
    )
    peak = [0.0]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.25):
            peak[0] = max(peak[0], _pss_mb(_tree(proc.pid)))

    sampler = threading.Thread(target=sample, daemon=True)
    if Path("/proc/self/smaps_rollup").exists():
        sampler.start()
    stdout, stderr = proc.communicate()
    done.set()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"{kind} at {n_dir.name} failed:\n{stdout[-3000:]}\n{stderr[-3000:]}")
    result = json.loads(stdout.strip().splitlines()[-1])
    result["peak_pss_mb"] = peak[0]
    result["cpu_seconds"] = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return result


def baseline_files(data_dir: Path) -> list[tuple[str, Path]]:
    """Every YAML file `registry validate` reads, with the schema it is checked against."""
    files = [
        (kind, path)
        for kind, folder in (("platform", "platforms"), ("announcement", "announcements"))
        for path in sorted((data_dir / folder).glob("*.yaml"))
    ]
    return files + [
        (kind, data_dir / f"{kind}.yaml")
        for kind in ("counties", "rules", "calendar", "associations")
    ]


def child_baseline(data_dir: Path) -> dict[str, Any]:
    """The baseline `registry validate` is measured against: plain PyYAML with its C loader
    and Python jsonschema, one validator per schema reused for every file, all errors
    collected. PyYAML reads an unquoted 2024-09-27 as a date, which the schemas (text
    dates) refuse: the one added constructor keeps timestamps as text, so that clean
    data gives no errors, as it does in `registry validate`."""
    import jsonschema
    import yaml

    class Loader(yaml.CSafeLoader):  # type: ignore[misc, name-defined]
        pass

    Loader.add_constructor(
        "tag:yaml.org,2002:timestamp", lambda loader, node: loader.construct_scalar(node)
    )
    validators: dict[str, Any] = {}
    errors = 0
    files = baseline_files(data_dir)
    for kind, path in files:
        if kind not in validators:
            schema = json.loads(
                (ROOT / "schemas" / f"{kind}.schema.json").read_text(encoding="utf-8")
            )
            validators[kind] = jsonschema.validators.validator_for(schema)(schema)
        with open(path, encoding="utf-8") as stream:
            data = yaml.load(stream, Loader=Loader)
        errors += len(list(validators[kind].iter_errors(data)))
    return {"files": len(files), "errors": errors}


def _timed(command: list[str]) -> tuple[float, float, str]:
    """Wall and CPU seconds of a subprocess, start to exit, and its output."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(command, capture_output=True, text=True, env=ENV, cwd=ROOT, check=False)
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{command} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return seconds, cpu, proc.stdout


def measure_validate(data_dir: Path, records: int, repeat: int = 1) -> dict[str, Any]:
    """`registry validate` (cold: it has no cache) against PyYAML C loader + jsonschema."""
    ours = [
        sys.executable,
        "-m",
        "generator.cli",
        "validate",
        "--data",
        str(data_dir),
        "--today",
        TODAY,
        "--format",
        "json",
    ]
    baseline = [sys.executable, str(Path(__file__).resolve()), "--child", "baseline", str(data_dir)]
    runs: dict[str, list[tuple[float, float]]] = {"ours": [], "baseline": []}
    for _ in range(max(1, repeat)):  # in turn, so that both see the same machine
        seconds, cpu, out = _timed(ours)
        report = json.loads(out)
        if report["errors"]:
            raise SystemExit(f"validate found errors in {data_dir}:\n{out[:3000]}")
        runs["ours"].append((seconds, cpu))
        seconds, cpu, out = _timed(baseline)
        found = json.loads(out.strip().splitlines()[-1])
        if found["errors"]:
            raise SystemExit(f"the baseline found {found['errors']} schema errors in {data_dir}")
        runs["baseline"].append((seconds, cpu))
    (ours_s, ours_cpu), (base_s, base_cpu) = min(runs["ours"]), min(runs["baseline"])
    return {
        "records": records,
        "cold_seconds": ours_s,
        "cold_cpu_seconds": ours_cpu,
        "cold_records_per_s": records / ours_s,
        "baseline_seconds": base_s,
        "baseline_cpu_seconds": base_cpu,
        "baseline_records_per_s": records / base_s,
        "speedup": base_s / ours_s,
    }


def run_size(n: int, repeat: int, workdir: Path, validate_only: bool = False) -> dict[str, Any]:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import synth

    n_dir = workdir.resolve() / str(n)
    counts = synth.write_registry(n, n_dir)
    records = counts["platforms"] + counts["announcements"]
    if validate_only:
        return {
            "n": n,
            "records": records,
            "validate": measure_validate(n_dir / "data", records, repeat),
        }
    best: dict[str, Any] = {}
    for kind in ("build", "floor", "floor_minimal"):
        runs = [_child(kind, n_dir) for _ in range(repeat)]
        best[kind] = min(runs, key=lambda r: r["total"])
    build, floor, minimal = best["build"], best["floor"], best["floor_minimal"]
    return {
        "n": n,
        "records": records,
        "build": build,
        "floor": floor,
        "floor_minimal": minimal,
        "ratio": build["total"] / floor["total"],
        "ratio_minimal": build["total"] / minimal["total"],
        "cpu_ratio": build["cpu_seconds"] / floor["cpu_seconds"],
        "peak_mb": build["peak_pss_mb"] or build["rss_self_mb"] + build["rss_children_mb"],
        "validate": measure_validate(n_dir / "data", records, repeat),
    }


def table(results: list[dict[str, Any]]) -> str:
    """Markdown tables: build stages, build vs floor, validate throughput."""
    built = [r for r in results if "build" in r]
    lines = _build_tables(built) if built else []
    lines += [
        "",
        (
            "| N | records | registry validate s | CPU s | records/s | PyYAML C + jsonschema s | CPU s "
            "| records/s | speed-up |"
        ),
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        v = r["validate"]

        def cell(key: str, spec: str, v: dict[str, Any] = v) -> str:
            return format(v[key], spec) if key in v else "—"  # a run from before the baseline

        lines.append(
            f"| {r['n']:,} | {v['records']:,} | {cell('cold_seconds', '.2f')} | {cell('cold_cpu_seconds', '.2f')} | "
            f"{cell('cold_records_per_s', ',.0f')} | {cell('baseline_seconds', '.2f')} | "
            f"{cell('baseline_cpu_seconds', '.2f')} | {cell('baseline_records_per_s', ',.0f')} | "
            f"{cell('speedup', '.1f')}{'×' if 'speedup' in v else ''} |"
        )
    return "\n".join(lines).strip("\n")


def _build_tables(results: list[dict[str, Any]]) -> list[str]:
    names = list(results[0]["build"]["phases"])
    parallel = set(results[0]["build"].get("parallel", []))
    head = ["N", *(f"{k} ‖" if k in parallel else k for k in names), "build total"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---:|" * len(head)]
    for r in results:
        b = r["build"]
        lines.append(
            "| "
            + " | ".join(
                [f"{r['n']:,}", *(f"{b['phases'][k]:.1f}" for k in names), f"{b['total']:.1f}"]
            )
            + " |"
        )
    lines += [
        "",
        "| N | pages | build s | floor s | ratio | minimal floor s | ratio | build CPU s "
        "| floor CPU s | CPU ratio | build peak MB | floor peak MB |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        b, f = r["build"], r["floor"]
        m = r.get("floor_minimal")  # absent from the runs of sessions 1-5
        minimal = f"{m['total']:.1f} | {r['ratio_minimal']:.2f}" if m else "— | —"
        lines.append(
            f"| {r['n']:,} | {b['pages']:,} | {b['total']:.1f} | {f['total']:.1f} | {r['ratio']:.2f} | "
            f"{minimal} | {b['cpu_seconds']:.1f} | {f['cpu_seconds']:.1f} | {r['cpu_ratio']:.2f} | "
            f"{r['peak_mb']:.0f} | {f['peak_pss_mb'] or f['rss_self_mb'] + f['rss_children_mb']:.0f} |"
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100,1000,10000", help="comma-separated platform counts")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results.json")
    parser.add_argument(
        "--repeat", type=int, default=1, help="runs of build and floor per size; the best is kept"
    )
    parser.add_argument(
        "--workdir", type=Path, default=OUT, help="where the synthetic registries and sites go"
    )
    parser.add_argument(
        "--validate-only",
        action="store_true",
        help="measure only registry validate against its baseline (no build, no floor)",
    )
    parser.add_argument(
        "--show", type=Path, metavar="JSON", help="print the tables of an earlier run and stop"
    )
    parser.add_argument("--child", nargs=2, metavar=("KIND", "DIR"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.show:
        print(table(json.loads(args.show.read_text(encoding="utf-8"))["results"]))
        return 0
    if args.child:
        kind, n_dir = args.child
        children = {
            "build": child_build,
            "floor": child_floor,
            "floor_minimal": lambda n_dir: child_floor(n_dir, minimal=True),
            "baseline": child_baseline,
        }
        result = children[kind](Path(n_dir).resolve())
        print(json.dumps(result))
        return 0
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    results = []
    for n in sizes:
        print(f"N={n:,} …", file=sys.stderr, flush=True)
        results.append(run_size(n, args.repeat, args.workdir, args.validate_only))
        print(table(results[-1:]), file=sys.stderr, flush=True)
    report = {
        "date": time.strftime("%Y-%m-%d %H:%M:%S"),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "system": platform.platform(),
        },
        "today": TODAY,
        "results": results,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(table(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
