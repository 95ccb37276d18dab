"""The one build step pyproject.toml cannot express: ship the JSON Schemas in the wheel.

schemas/ at the repository root stays the single source (editors point at
../../schemas/platform.schema.json from every record); a built wheel carries a copy
as generator/jsonschemas/, where generator/schemas.py finds it outside a checkout.
An editable install needs no copy: it reads the root folder itself.
"""

from __future__ import annotations

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

SOURCE = Path(__file__).resolve().parent / "schemas"


class BuildPyWithSchemas(build_py):
    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        schemas = sorted(SOURCE.glob("*.schema.json"))
        if not schemas:
            raise SystemExit(f"no JSON Schemas in {SOURCE}: the wheel would not validate anything")
        target = Path(self.build_lib) / "generator" / "jsonschemas"
        self.mkpath(str(target))
        for path in schemas:
            self.copy_file(str(path), str(target / path.name))


setup(cmdclass={"build_py": BuildPyWithSchemas})
