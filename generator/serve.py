"""`registry serve`: a live preview for staff, part of the command-line face.

Each change under data/, docs/ or mkdocs.yml rebuilds the whole site (validation
included) into a temporary folder outside the repository and reloads the browser; a build with errors keeps the
previous preview and prints the problems, exactly as `registry build` would.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from collections.abc import Callable
from datetime import date
from pathlib import Path

from generator import pipeline, report


def serve(data_dir: Path, config: Path, host: str, port: int, today: Callable[[], date]) -> int:
    work = Path(tempfile.mkdtemp(prefix="registry-preview-"))
    try:
        return _serve(work / "site", data_dir, config, host, port, today)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _serve(
    preview: Path, data_dir: Path, config: Path, host: str, port: int, today: Callable[[], date]
) -> int:
    from mkdocs.livereload import LiveReloadServer

    def rebuild() -> None:
        result = pipeline.build(data_dir, preview, today(), config)
        if result.problems:
            sys.stdout.write(report.format_text(result.problems))
        if result.ok:
            print(f"预览已更新：http://{host}:{port}/", flush=True)
        else:
            print("有错误，预览保持上一次成功的版本。修改后保存即可重新生成。", flush=True)

    rebuild()
    if not preview.is_dir():
        print("第一次生成失败，请先修正上面的错误。", file=sys.stderr)
        return 1
    server = LiveReloadServer(builder=rebuild, host=host, port=port, root=str(preview))
    for path in (data_dir, Path("docs"), config, Path(__file__).parent / "render" / "templates"):
        if path.exists():
            server.watch(str(path))
    try:
        server.serve()
    except KeyboardInterrupt:
        print("已停止预览。")
    finally:
        server.shutdown()
    return 0
