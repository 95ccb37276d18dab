"""The validation cache: what an earlier run learnt about files whose bytes have not changed.

Kept in `.cache/validate/` beside the data folder (`data/` -> `.cache/validate/`), never
committed. Two things are remembered:

- per file, keyed by its display path and the hash of its bytes: the loaded Document
  (data and node lines) or the load problems, and the shape (JSON Schema) problems;
- per platform file, the problems of the rules that look at one record at a time
  (pipeline.PER_RECORD_RULES), valid only while everything else those rules read is the
  same: the fingerprint of the Context without its platforms (announcements, counties,
  rules, calendar, attachments, the day...) must match.

Rules that compare records with each other always run on every record.

A cache must never answer with something stale. The cache folder is named after the
code version: a hash of every source file of the generator package, the schemas and
the versions of the libraries that parse and check (PyYAML, jsonschema, jsonschema-rs,
chinesecalendar) and of Python. Editing any of them starts a new, empty cache. A cache
that cannot be read or written is ignored: the run is then simply cold.
`REGISTRY_NO_CACHE=1` switches it off.
"""

from __future__ import annotations

import hashlib
import marshal
import multiprocessing
import os
import pickle
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import fields, is_dataclass, replace
from functools import cache
from importlib import metadata
from pathlib import Path
from types import MappingProxyType
from typing import Any

from generator.load import Document, PathKey, _FolderPaths, parse_yaml
from generator.report import Problem

PACKAGE = Path(__file__).resolve().parent
SCHEMAS = PACKAGE.parent / "schemas"
_LIBRARIES = ("PyYAML", "jsonschema", "jsonschema-rs", "chinesecalendar")
_FORMAT = 1  # of the files in the cache folder

ProblemTuple = tuple[str, "int | None", str, str, str, str, tuple[Any, ...]]
Rule = Callable[[Any], Iterable[Problem]]


@cache
def code_version() -> str:
    """Hash of everything that decides what validation says about a file."""
    h = hashlib.sha256(f"format {_FORMAT} python {sys.version}".encode())
    sources = sorted(PACKAGE.rglob("*.py")) + sorted(SCHEMAS.glob("*.json"))
    for path in sources:
        h.update(path.relative_to(PACKAGE.parent).as_posix().encode() + b"\0")
        h.update(path.read_bytes() + b"\0")
    for name in _LIBRARIES:
        try:
            version = metadata.version(name)
        except metadata.PackageNotFoundError:
            version = "?"
        h.update(f"{name} {version}\0".encode())
    return h.hexdigest()[:20]


def cache_dir(data_dir: Path) -> Path:
    return data_dir.resolve().parent / ".cache" / "validate"


def _problem_tuple(p: Problem) -> ProblemTuple:
    return (p.file, p.line, p.rule, p.message, p.hint, p.severity, p.path)


def _problem(t: Sequence[Any]) -> Problem:
    return Problem(t[0], t[1], t[2], t[3], t[4], t[5], tuple(t[6]))


class _Lines(Mapping[PathKey, int]):
    """Node lines of a cached file, decoded only if a problem needs one."""

    __slots__ = ("_blob", "_lines")

    def __init__(self, blob: bytes) -> None:
        self._blob = blob
        self._lines: dict[PathKey, int] | None = None

    def _get(self) -> dict[PathKey, int]:
        if self._lines is None:
            self._lines = marshal.loads(self._blob)
        return self._lines

    def __getitem__(self, key: PathKey) -> int:
        return self._get()[key]

    def get(self, key: PathKey, default: Any = None) -> Any:
        return self._get().get(key, default)

    def __iter__(self) -> Iterator[PathKey]:
        return iter(self._get())

    def __len__(self) -> int:
        return len(self._get())


class ValidationCache:
    """One data folder's cache, read once at the start and written once at the end."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.path = folder / code_version() / "cache.marshal"
        self.files: dict[str, tuple[Any, ...]] = {}
        self.rules_env = ""
        self.rules: dict[str, list[ProblemTuple]] = {}
        try:
            with self.path.open("rb") as f:
                stored = marshal.load(f)
            self.files, self.rules_env, self.rules = stored["files"], stored["env"], stored["rules"]
        except (OSError, EOFError, ValueError, TypeError, KeyError):
            pass
        self._used_files: dict[str, tuple[Any, ...]] = {}
        self._used_rules: dict[str, list[ProblemTuple]] = {}
        self._key_of: dict[int, str] = {}  # id(Document) -> key, for this run
        self._docs: list[Document] = []  # keeps those ids alive and unique
        self.changed = False
        self._helper: tuple[int, int, frozenset[str]] | None = None  # pid, pipe, files

    # -- the other core -------------------------------------------------------------------

    def prefetch(self, data_dir: Path) -> None:
        """Parse the second half of the record files the cache does not know in a forked
        child, while load_sources parses the first half here: YAML parsing is most of a
        cold run. The child's entries are exactly parse_yaml's; `parse` waits for them
        when it reaches the first file of that half. No fork (Windows): nothing happens.
        """
        if "fork" not in multiprocessing.get_all_start_methods():
            return
        files = [
            (path, folder)
            for folder in (data_dir / "platforms", data_dir / "announcements")
            if folder.is_dir()
            for path in sorted(folder.iterdir())
            if path.suffix == ".yaml" and not path.name.startswith(".")
        ]
        if len(files) < _PREFETCH_MIN or len(self.files) > len(files) // 2:
            return  # small, or mostly known already: a second process would cost more
        display = {folder: _FolderPaths(folder) for _, folder in files}
        half = [path for path, _ in files[len(files) // 2 :]]
        shown = [display[folder](path) for path, folder in files[len(files) // 2 :]]
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: parse, send, leave without running the parent's exit code
            status = 1
            try:
                os.close(read_end)
                with os.fdopen(write_end, "wb") as out:
                    marshal.dump(self._entries(half, shown), out)
                status = 0
            finally:
                os._exit(status)
        os.close(write_end)
        self._helper = (pid, read_end, frozenset(shown))

    def _entries(self, paths: Sequence[Path], shown: Sequence[str]) -> dict[str, tuple[Any, ...]]:
        entries: dict[str, tuple[Any, ...]] = {}
        for path, file in zip(paths, shown):
            try:
                raw = path.read_bytes()
            except OSError:
                continue
            key = _key(file, raw)
            if key in self.files:
                continue
            doc, problems = parse_yaml(raw, file)
            if doc is not None and not problems:
                entries[key] = (True, doc.data, marshal.dumps(dict(doc.lines)), [], None)
        return entries

    def _collect_helper(self) -> None:
        if self._helper is None:
            return
        pid, read_end, _ = self._helper
        self._helper = None
        try:
            with os.fdopen(read_end, "rb") as f:
                entries = marshal.load(f)
            _, status = os.waitpid(pid, 0)
            if status == 0 and isinstance(entries, dict):
                self.files.update(entries)
        except (OSError, EOFError, ValueError, TypeError):
            try:
                os.waitpid(pid, 0)
            except OSError:
                pass

    # -- files ----------------------------------------------------------------------------

    def parse(self, raw: bytes, file: str) -> tuple[Document | None, list[Problem]]:
        """parse_yaml, answered from the cache when the file's bytes are known."""
        key = _key(file, raw)
        entry = self.files.get(key)
        if entry is None and self._helper is not None and file in self._helper[2]:
            self._collect_helper()
            entry = self.files.get(key)
        if entry is None:
            doc, problems = parse_yaml(raw, file)
            if doc is None:  # not kept: rare, cheap to redo, and its problems may hold odd keys
                return doc, problems
            entry = (True, doc.data, marshal.dumps(dict(doc.lines)), [_problem_tuple(p) for p in problems], None)
            self.changed = True
        else:
            doc = Document(file, entry[1], _Lines(entry[2])) if entry[0] else None
            problems = [_problem(t) for t in entry[3]]
        self._used_files[key] = entry
        if doc is not None:
            self._key_of[id(doc)] = key
            self._docs.append(doc)
        return doc, problems

    def key(self, doc: Document) -> str | None:
        return self._key_of.get(id(doc))

    def shape(self, kind: str, doc: Document, check: Callable[[str, Document], list[Problem]]) -> list[Problem]:
        """check(kind, doc) (the JSON Schema problems), remembered per file."""
        key = self.key(doc)
        entry = self._used_files.get(key) if key else None
        if entry is None:
            return check(kind, doc)
        if entry[4] is not None and entry[4][0] == kind:
            return [_problem(t) for t in entry[4][1]]
        found = check(kind, doc)
        stored = (kind, [_problem_tuple(p) for p in found])
        if _storable(stored):
            self._used_files[key] = (*entry[:4], stored)  # type: ignore[index]
            self.changed = True
        return found

    # -- rules on one record at a time ------------------------------------------------------

    def run_rules(self, ctx: Any, rules: Sequence[Rule], per_record: frozenset[str]) -> list[Problem]:
        """Every rule's problems; those of `per_record` rules from the cache where it can."""
        env = self._fingerprint(ctx)
        keys = [self.key(doc) for doc in ctx.platforms]
        if env is None or None in keys:
            return [p for rule in rules for p in rule(ctx)]
        known = self.rules if env == self.rules_env else {}
        todo = [doc for doc, key in zip(ctx.platforms, keys) if key not in known]
        single = [r for r in rules if _name(r) in per_record]
        # on the new platforms only; announcements are looked at on every run (cheap)
        fresh = [p for rule in single for p in rule(replace(ctx, platforms=todo))]
        by_file: dict[str, list[ProblemTuple]] = {doc.file: [] for doc in todo}
        problems: list[Problem] = []
        for p in fresh:
            if p.file in by_file:
                by_file[p.file].append(_problem_tuple(p))
            else:
                problems.append(p)
        for doc, key in zip(ctx.platforms, keys):
            assert key is not None
            found = by_file[doc.file] if doc.file in by_file and key not in known else known[key]
            if _storable(found):
                self._used_rules[key] = found
            problems.extend(_problem(t) for t in found)
        if todo or env != self.rules_env:
            self.changed = True
        self.rules_env = env
        problems.extend(p for rule in rules if _name(rule) not in per_record for p in rule(ctx))
        return problems

    def _fingerprint(self, ctx: Any) -> str | None:
        """Hash of everything in the Context but its platforms, or None if it cannot tell."""
        h = hashlib.sha256()
        try:
            for f in fields(ctx):
                if f.name == "platforms":
                    continue
                h.update(f.name.encode() + b"\0")
                h.update(pickle.dumps(self._stable(getattr(ctx, f.name)), protocol=4))
        except (pickle.PicklingError, TypeError, AttributeError, _Unknown):
            return None
        return h.hexdigest()

    def _stable(self, value: Any) -> Any:
        """The value with Documents replaced by their keys and sets put in order."""
        if isinstance(value, Document):
            key = self.key(value)
            if key is None:
                raise _Unknown
            return ("document", key)
        if isinstance(value, (dict, MappingProxyType)):
            return ("mapping", [(k, self._stable(v)) for k, v in value.items()])
        if isinstance(value, (list, tuple)):
            return ("sequence", [self._stable(v) for v in value])
        if isinstance(value, (set, frozenset)):
            return ("set", sorted((self._stable(v) for v in value), key=repr))
        if is_dataclass(value) or not hasattr(value, "__dict__"):
            return value
        # a plain object (the Calendar): its attributes, less the memo of answers given
        state = {k: v for k, v in vars(value).items() if k != "_memo"}
        return ("object", type(value).__qualname__, self._stable(state))

    # -- the end of the run -------------------------------------------------------------------

    def close(self) -> None:
        """Wait for the prefetching child, if any: never leave it behind."""
        self._collect_helper()

    def save(self) -> None:
        """Keep what this run used (old entries go), if anything changed."""
        self._collect_helper()
        if not self.changed and len(self._used_files) == len(self.files):
            return
        stored = {"files": self._used_files, "env": self.rules_env, "rules": self._used_rules}
        tmp = None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            for old in self.folder.iterdir():  # caches of other code versions
                if old.is_dir() and old != self.path.parent:
                    for stale in old.iterdir():
                        stale.unlink()
                    old.rmdir()
            fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".cache-")
            with os.fdopen(fd, "wb") as out:
                marshal.dump(stored, out)
            os.replace(tmp, self.path)
        except (OSError, ValueError):
            if tmp is not None:
                Path(tmp).unlink(missing_ok=True)


class _Unknown(Exception):
    """A Context value this cache cannot fingerprint: run every rule instead."""


#: below this many record files a second process costs more than it saves
_PREFETCH_MIN = 400


def _key(file: str, raw: bytes) -> str:
    return hashlib.blake2b(file.encode("utf-8") + b"\0" + raw, digest_size=16).hexdigest()


def _storable(value: Any) -> bool:
    try:
        marshal.dumps(value)
    except ValueError:
        return False
    return True


def _name(rule: Rule) -> str:
    return f"{rule.__module__}.{rule.__qualname__}"


def open_cache(data_dir: Path) -> ValidationCache | None:
    if os.environ.get("REGISTRY_NO_CACHE"):
        return None
    return ValidationCache(cache_dir(data_dir))
