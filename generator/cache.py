"""The validation cache: what an earlier run learnt about files whose bytes have not changed.

Kept in `.cache/validate/` beside the data folder (`data/` -> `.cache/validate/`), never
committed. Two things are remembered:

- per file, keyed by its display path and the hash of its bytes: the loaded Document
  (data and node lines), its shape (JSON Schema) problems and, for a platform, its
  PlatformFacts (what the rules that compare platforms read of it: validate/context.py);
- per platform file, the problems of the rules that look at one record at a time
  (pipeline.PER_RECORD_RULES), valid only while everything else those rules read is the
  same: the fingerprint of the Context without its platforms (announcements, counties,
  rules, calendar, attachments, the day...) must match.

Rules that compare records with each other always run on every record, on the facts.

Files: `cache.marshal` (the index: everything above but the platforms' documents) and
`pack-*.marshal` (the platforms' documents, marshal-encoded one by one). A run where
few files changed reads only the index: it needs the documents of the changed files,
which it parses, and nothing of the others but their facts and problems. Documents
from the cache are decoded when something reads them (`_CachedDocument`); a pack that
cannot be read makes that document parsed again from its bytes, never guessed.

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
import os
import pickle
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import fields, is_dataclass, replace
from functools import cache, partial
from importlib import metadata
from pathlib import Path
from types import MappingProxyType
from typing import Any

from generator.load import Document, PathKey, _FolderPaths, parse_yaml
from generator.report import Problem
from generator.validate.context import PlatformFacts

PACKAGE = Path(__file__).resolve().parent
SCHEMAS = PACKAGE.parent / "schemas"
_LIBRARIES = ("PyYAML", "jsonschema", "jsonschema-rs", "chinesecalendar")
_FORMAT = 2  # of the files in the cache folder

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


class _CachedDocument(Document):
    """A Document answered from the cache: data and lines are decoded on first read.

    `load` returns them (from the cache, or by parsing the file's bytes again). Until
    then the instance has no `data` or `lines` attribute and __getattr__ is asked;
    afterwards they are plain attributes, as fast to read as a parsed Document's.
    """

    def __init__(self, file: str, load: Callable[[], tuple[Any, Mapping[PathKey, int]]]) -> None:
        object.__setattr__(self, "file", file)
        object.__setattr__(self, "_load", load)

    def __getattr__(self, name: str) -> Any:
        load = self.__dict__.get("_load")
        if name not in ("data", "lines") or load is None:
            raise AttributeError(name)
        data, lines = load()
        object.__setattr__(self, "data", data)
        object.__setattr__(self, "lines", lines)
        object.__setattr__(self, "_load", None)
        return data if name == "data" else lines

    def __eq__(self, other: object) -> bool:  # equal to the Document parse_yaml gives
        if not isinstance(other, Document):
            return NotImplemented
        return (self.file, self.data, self.lines) == (other.file, other.data, other.lines)

    __hash__ = Document.__hash__


#: a file's entry while a run uses it: [inline document blob, pack name, shape, facts, Document]
Entry = list[Any]


class ValidationCache:
    """One data folder's cache, read once at the start and written once at the end."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.path = folder / code_version() / "cache.marshal"
        #: key -> (inline document blob | None, pack name | None, shape | None, facts | None)
        self.files: dict[str, tuple[Any, ...]] = {}
        self.rules_env = ""
        self.rules: dict[str, list[ProblemTuple]] = {}
        try:
            # read whole, then decode: marshal.load on a file reads it in many small pieces
            stored = marshal.loads(self.path.read_bytes())
            self.files, self.rules_env, self.rules = stored["files"], stored["env"], stored["rules"]
        except (OSError, EOFError, ValueError, TypeError, KeyError):
            pass
        self._used_files: dict[str, Entry] = {}
        self._used_rules: dict[str, list[ProblemTuple]] = {}
        self._key_of: dict[int, str] = {}  # id(Document) -> key, for this run
        self._docs: list[Document] = []  # keeps those ids alive and unique
        self._packs: dict[str, dict[str, bytes]] = {}
        self.changed = False
        self._helper: tuple[int, int, frozenset[str]] | None = None  # pid, pipe, files

    # -- the other core -------------------------------------------------------------------

    def prefetch(self, data_dir: Path) -> None:
        """Parse the second half of the record files the cache does not know in a forked
        child, while load_sources parses the first half here: YAML parsing is most of a
        cold run. The child's entries are exactly parse_yaml's; `parse` waits for them
        when it reaches the first file of that half. No fork (Windows): nothing happens.
        """
        names = []
        for folder in (data_dir / "platforms", data_dir / "announcements"):
            try:
                listed = sorted(os.listdir(folder))
            except OSError:
                continue
            names += [(folder, name) for name in listed if name.endswith(".yaml") and not name.startswith(".")]
        if len(names) < _PREFETCH_MIN or len(self.files) > len(names) // 2:
            return  # small, or mostly known already: a second process would cost more
        import multiprocessing  # only here: a warm run needs no second process

        if "fork" not in multiprocessing.get_all_start_methods():
            return
        files = [(folder / name, folder) for folder, name in names]
        display = {folder: _FolderPaths(folder) for folder in {folder for _, folder in files}}  # one resolve a folder
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
                blob = _blob(doc)
                if blob is not None:
                    entries[key] = (blob, None, None, None)
        return entries

    def _collect_helper(self) -> None:
        if self._helper is None:
            return
        pid, read_end, _ = self._helper
        self._helper = None
        try:
            with os.fdopen(read_end, "rb") as f:
                entries = marshal.loads(f.read())
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
        stored = self.files.get(key)
        if stored is None and self._helper is not None and file in self._helper[2]:
            self._collect_helper()
            stored = self.files.get(key)
        doc: Document | None
        if stored is None:
            doc, problems = parse_yaml(raw, file)
            if doc is None:  # not kept: rare, cheap to redo, and its problems may hold odd keys
                return doc, problems
            entry: Entry = [None, None, None, None, doc]
            self.changed = True
        else:
            entry = [*stored, None]
            doc = _CachedDocument(file, partial(self._decode, entry, key, raw, file))
            if stored[3] is not None:
                doc.__dict__["_facts"] = PlatformFacts._make(stored[3])
            entry[4] = doc
        self._used_files[key] = entry
        self._key_of[id(doc)] = key
        self._docs.append(doc)
        return doc, []

    def _decode(self, entry: Entry, key: str, raw: bytes, file: str) -> tuple[Any, Mapping[PathKey, int]]:
        blob, pack = entry[0], entry[1]
        if blob is None and pack is not None:
            blob = self._pack(pack).get(key)
        if blob is not None:
            try:
                data, lines = marshal.loads(blob)
                return data, _Lines(lines)
            except (EOFError, ValueError, TypeError):
                pass
        # the cache lost this document (a pack gone or damaged): the bytes are here
        doc, _ = parse_yaml(raw, file)
        if doc is None:
            raise RuntimeError(f"{file}: the validation cache knew this file as readable")
        entry[0], entry[1] = None, None  # written again, into this run's pack
        return doc.data, doc.lines

    def _pack(self, name: str) -> dict[str, bytes]:
        found = self._packs.get(name)
        if found is None:
            try:
                found = marshal.loads((self.path.parent / name).read_bytes())
                if not isinstance(found, dict):
                    found = {}
            except (OSError, EOFError, ValueError, TypeError):
                found = {}
            self._packs[name] = found
        return found

    def key(self, doc: Document) -> str | None:
        return self._key_of.get(id(doc))

    def shape(self, kind: str, doc: Document, check: Callable[[str, Document], list[Problem]]) -> list[Problem]:
        """check(kind, doc) (the JSON Schema problems), remembered per file."""
        key = self.key(doc)
        entry = self._used_files.get(key) if key else None
        if entry is None:
            return check(kind, doc)
        if entry[2] is not None and entry[2][0] == kind:
            return [_problem(t) for t in entry[2][1]]
        found = check(kind, doc)
        stored = (kind, [_problem_tuple(p) for p in found])
        if _storable(stored):
            entry[2] = stored
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
        todo_ctx = replace(ctx, platforms=todo)  # one Context: rules share its memos (history._dated)
        fresh = [p for rule in single for p in rule(todo_ctx)]
        by_file: dict[str, list[ProblemTuple]] = {doc.file: [] for doc in todo}
        problems: list[Problem] = []
        for p in fresh:
            if p.file in by_file:
                by_file[p.file].append(_problem_tuple(p))
            else:
                problems.append(p)
        used = self._used_rules
        for doc, key in zip(ctx.platforms, keys):
            assert key is not None
            found = known.get(key)
            if found is None:
                found = by_file[doc.file]
                if _storable(found):
                    used[key] = found
            else:
                used[key] = found
            if found:
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
        files, fresh = self._index()
        if not self.changed and not fresh and len(self._used_files) == len(self.files):
            return
        tmp = None
        try:
            folder = self.path.parent
            folder.mkdir(parents=True, exist_ok=True)
            for old in self.folder.iterdir():  # caches of other code versions
                if old.is_dir() and old != folder:
                    for stale in old.iterdir():
                        stale.unlink()
                    old.rmdir()
            if fresh:
                name = self._write_pack(fresh)
                for key in fresh:
                    files[key] = (None, name, *files[key][2:])
            live = {entry[1] for entry in files.values() if entry[1] is not None}
            if len(live) > _MAX_PACKS:
                live = {self._compact(files, live)}
            stored = {"files": files, "env": self.rules_env, "rules": self._used_rules}
            fd, tmp = tempfile.mkstemp(dir=folder, prefix=".cache-")
            with os.fdopen(fd, "wb") as out:
                marshal.dump(stored, out)
            os.replace(tmp, self.path)
            tmp = None
            for name in os.listdir(folder):  # packs nothing refers to any more
                if name.startswith("pack-") and name not in live:
                    (folder / name).unlink(missing_ok=True)
        except (OSError, ValueError):
            if tmp is not None:
                Path(tmp).unlink(missing_ok=True)

    def _index(self) -> tuple[dict[str, tuple[Any, ...]], dict[str, bytes]]:
        """What to store of the files used: the index entries, and the platforms' documents
        that are not in a pack yet (new this run, or from the prefetching child)."""
        files: dict[str, tuple[Any, ...]] = {}
        fresh: dict[str, bytes] = {}
        for key, (blob, pack, shape, facts, doc) in self._used_files.items():
            if facts is None and doc is not None and "_facts" in doc.__dict__:
                facts = tuple(doc.__dict__["_facts"])
                self.changed = True
            if blob is None and pack is None:
                blob = _blob(doc) if doc is not None else None
                if blob is None:
                    continue
            if facts is not None and blob is not None:  # a platform: its document into a pack
                fresh[key] = blob
                blob = None
            entry = (blob, pack, shape, facts)
            if entry == self.files.get(key) or _storable(entry):  # an entry read from the index can be written
                files[key] = entry
            else:
                fresh.pop(key, None)
        return files, fresh

    def _write_pack(self, blobs: dict[str, bytes]) -> str:
        fd, path = tempfile.mkstemp(dir=self.path.parent, prefix=".pack-", suffix=".marshal")
        try:
            with os.fdopen(fd, "wb") as out:
                marshal.dump(blobs, out)
            name = "pack-" + os.path.basename(path)[len(".pack-"):]
            os.replace(path, self.path.parent / name)
        except BaseException:
            Path(path).unlink(missing_ok=True)
            raise
        self._packs[name] = blobs
        return name

    def _compact(self, files: dict[str, tuple[Any, ...]], live: set[str]) -> str:
        """One pack for the documents of many: a pack per run would pile up."""
        blobs: dict[str, bytes] = {}
        for key, entry in files.items():
            if entry[1] is not None:
                blob = self._pack(entry[1]).get(key)
                if blob is not None:
                    blobs[key] = blob
        name = self._write_pack(blobs)
        for key, entry in list(files.items()):
            if entry[1] is not None:
                if key in blobs:
                    files[key] = (None, name, *entry[2:])
                else:  # lost with its pack: parsed again next time
                    del files[key]
        return name


class _Unknown(Exception):
    """A Context value this cache cannot fingerprint: run every rule instead."""


#: below this many record files a second process costs more than it saves
_PREFETCH_MIN = 400
#: packs of documents kept before they are merged into one
_MAX_PACKS = 4


def _blob(doc: Document) -> bytes | None:
    """The document for the cache: its lines apart, decoded only if a problem needs one."""
    try:
        return marshal.dumps((doc.data, marshal.dumps(dict(doc.lines))))
    except ValueError:
        return None


def _key(file: str, raw: bytes) -> str:
    h = hashlib.blake2b(file.encode("utf-8") + b"\0", digest_size=16)
    h.update(raw)  # the same hash as of the joined bytes, without copying the file's
    return h.hexdigest()


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
