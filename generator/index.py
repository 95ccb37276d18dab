"""index: the Pagefind search index (extended build, which segments Chinese words).

One run over the whole built site (the service API costs 100 ms a call; the
directory run indexes ~500 pages a second). Only pages whose templates mark
`data-pagefind-body` are indexed; record text cannot produce that attribute.

Pagefind's output is not reproducible by itself (STYLE.md 8): it writes the values of a
filter in hash-map order, which changes from run to run, and numbers pages in the order
the file system lists the folder. `canonicalize` rewrites the bundle in one order (pages
by URL, filters and their values by name) with Pagefind's own encoding and file naming,
so that the same site gives the same bytes on any machine.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import re
import subprocess
import sys
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from generator.report import Problem

_INDEXED = re.compile(r"Indexed (\d+) pages?")


@dataclass(frozen=True)
class IndexResult:
    pages: int
    problems: tuple[Problem, ...]
    output: str


def pagefind_command(site_dir: Path, glob: str | None = None) -> list[str]:
    # Code blocks are the guide's YAML examples: sample records that would otherwise
    # compete with the real platform pages in the results.
    command = [sys.executable, "-m", "pagefind", "--site", str(site_dir), "--output-subdir", "pagefind",
               "--exclude-selectors", "pre"]
    return command + ["--glob", glob] if glob else command


def search_glob(marked: Mapping[str, bool]) -> str | None:
    """A Pagefind `--glob` naming only the pages marked for search.

    `marked` maps the HTML path of every page of the site (relative, "platforms/bd-0007/
    index.html") to whether it is marked. Pagefind indexes only marked pages anyway (they
    carry data-pagefind-body), but it reads and parses every page first: the big
    unmarked lists (all platforms, by county, category and year) cost a third of its
    time at 10,000 platforms. A folder pattern ("platforms/*/index.html") is used only
    when every page it matches is marked; otherwise the page is named itself.
    """
    def folder_pattern(path: str) -> str:
        parts = path.split("/")
        return "/".join([*parts[:-2], "*", parts[-1]]) if len(parts) >= 3 else path

    # a pattern matches exactly the paths that have it as their folder pattern
    all_marked: dict[str, bool] = {}
    for path, is_marked in marked.items():
        pattern = folder_pattern(path)
        all_marked[pattern] = all_marked.get(pattern, True) and is_marked
    chosen = {
        folder_pattern(path) if all_marked[folder_pattern(path)] else path
        for path, is_marked in marked.items()
        if is_marked
    }
    if not chosen:
        return None
    return min(chosen) if len(chosen) == 1 else "{" + ",".join(sorted(chosen)) + "}"


def run_pagefind(site_dir: Path, expected_pages: int, glob: str | None = None) -> IndexResult:
    env = {**os.environ, "PAGEFIND_SITE": str(site_dir)}
    try:
        proc = subprocess.run(
            pagefind_command(site_dir, glob), capture_output=True, text=True, env=env, timeout=1800,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return IndexResult(0, (Problem("pagefind", None, "build.pagefind", f"无法运行 Pagefind：{exc}"),), "")
    output = proc.stdout + proc.stderr
    found = _INDEXED.search(output)
    pages = int(found.group(1)) if found else 0
    problems: list[Problem] = []
    if proc.returncode != 0:
        tail = "\n".join(output.strip().splitlines()[-8:])
        problems.append(Problem("pagefind", None, "build.pagefind", f"Pagefind 建立搜索索引失败（退出码 {proc.returncode}）", tail))
    elif pages < expected_pages:
        problems.append(
            Problem(
                "pagefind", None, "build.index-incomplete",
                f"搜索索引只收录了 {pages} 个页面，应为 {expected_pages} 个",
                "有页面没有进入搜索索引，网站未更新；请检查页面模板中的 data-pagefind-body",
            )
        )
    if not problems:
        problems.extend(canonicalize(site_dir / "pagefind"))
    return IndexResult(pages, tuple(problems), output)


# -- canonical order ----------------------------------------------------------------------
# Pagefind 1.x files: pagefind-entry.json names one pagefind.<hash>.pf_meta per language;
# .pf_meta, .pf_index, .pf_filter and .pf_fragment files are gzip of b"pagefind_dcd" +
# payload (CBOR arrays of integers, strings and arrays; JSON for fragments). A file is
# named <language>_<first hex digits of its SHA-1>, lengthened on a clash.

_SIGNATURE = b"pagefind_dcd"


class _Unrecognised(ValueError):
    """Pagefind wrote something this code does not know how to re-encode exactly."""


def canonicalize(bundle: Path, reverse: bool = False) -> list[Problem]:
    """Rewrite the Pagefind bundle in a canonical order; a warning if its format is unknown.

    Everything is decoded and re-encoded in memory first (each file must re-encode to
    its own bytes, or nothing is touched); then the changed files are written.
    `reverse` numbers the pages in reverse URL order instead (for tests: another order
    of the same index).
    """
    entry_file = bundle / "pagefind-entry.json"
    writes: dict[str, bytes] = {}
    removals: set[str] = set()
    try:
        entry = json.loads(entry_file.read_text(encoding="utf-8"))
        for language, info in sorted(entry["languages"].items()):
            info["hash"] = _canonical_language(bundle, language, info["hash"], writes, removals, reverse)
        entry["languages"] = dict(sorted(entry["languages"].items()))
    except (OSError, EOFError, zlib.error, KeyError, TypeError, IndexError, ValueError) as exc:
        return [Problem("pagefind", None, "build.pagefind-order",
                        f"未能把搜索索引整理为固定顺序（{exc}），两次构建的 pagefind/ 文件可能不完全相同",
                        "搜索仍然可用；请核对 Pagefind 版本是否与 pyproject.toml 一致", severity="warning")]
    for rel in sorted(removals - writes.keys()):
        (bundle / rel).unlink()
    for rel, data in sorted(writes.items()):
        (bundle / rel).write_bytes(data)
    entry_file.write_text(json.dumps(entry, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    return []


def _canonical_language(bundle: Path, lang: str, meta_hash: str, writes: dict[str, bytes],
                        removals: set[str], reverse: bool) -> str:
    """Plan the rewrite of one language's files; returns the new meta hash."""
    meta_rel = f"pagefind.{meta_hash}.pf_meta"
    version, pages, chunks, filters, sorts, fields = _cbor_loads(_read_payload(bundle / meta_rel))

    # Pages in URL order; fragments keep their bytes, only their names may change on a clash.
    fragments = [_read_payload(bundle / f"fragment/{h}.pf_fragment") for h, _ in pages]
    urls = [json.loads(f)["url"] for f in fragments]
    order = sorted(range(len(pages)), key=lambda i: (urls[i], pages[i][0]), reverse=reverse)
    renumber = {old: new for new, old in enumerate(order)}
    names = _short_names([_full_hash(lang, fragments[i]) for i in order], lang)
    for name, old in zip(names, order):
        _plan(bundle, f"fragment/{pages[old][0]}.pf_fragment", f"fragment/{name}.pf_fragment",
              None, writes, removals)
    new_pages = [[name, pages[old][1]] for name, old in zip(names, order)]

    words = []
    for c in chunks:
        payload = _read_payload(bundle / f"index/{c[2]}.pf_index")
        decoded = _decode_words(payload)
        if _encode_words(decoded) != payload:
            raise _Unrecognised(f"{c[2]}.pf_index 的格式无法原样重写")
        words.append(_encode_words(decoded, renumber))
    names = _short_names([_full_hash(lang, w) for w in words], lang)
    for c, name, data in zip(chunks, names, words):
        _plan(bundle, f"index/{c[2]}.pf_index", f"index/{name}.pf_index", data, writes, removals)
    new_chunks = [[c[0], c[1], name] for c, name in zip(chunks, names)]

    filters = sorted(filters)
    encoded = []
    for _, old in filters:
        name, values = _cbor_loads(_read_payload(bundle / f"filter/{old}.pf_filter"))
        values = sorted([value, sorted(renumber[n] for n in numbers)] for value, numbers in values)
        encoded.append(_cbor([name, values]))
    names = _short_names([_full_hash(lang, data) for data in encoded], lang)
    for (_, old), name, data in zip(filters, names, encoded):
        _plan(bundle, f"filter/{old}.pf_filter", f"filter/{name}.pf_filter", data, writes, removals)
    new_filters = [[f, name] for (f, _), name in zip(filters, names)]

    # Pages with equal sort values keep Pagefind's relative order (the site uses no sorts).
    sorts = sorted([name, [renumber[n] for n in numbers]] for name, numbers in sorts)

    meta = _cbor([version, new_pages, new_chunks, new_filters, sorts, fields])
    new_hash = f"{lang}_{_hex_sha1(meta)[: len(lang) + 8]}"
    _plan(bundle, meta_rel, f"pagefind.{new_hash}.pf_meta", meta, writes, removals)
    return new_hash


def _plan(bundle: Path, old: str, new: str, payload: bytes | None, writes: dict[str, bytes],
          removals: set[str]) -> None:
    """Schedule `new` to hold `payload` (None: the old file's bytes) unless nothing changes."""
    if payload is None:
        if new != old:
            writes[new] = (bundle / old).read_bytes()
            removals.add(old)
        return
    if new == old and _read_payload(bundle / old) == payload:
        return  # keep Pagefind's own gzip bytes
    writes[new] = _gzip(payload)
    removals.add(old)


def _short_names(full_hashes: list[str], lang: str) -> list[str]:
    """Pagefind's naming: the first 7 hex digits, one more for each clash, in this order."""
    taken: dict[str, str] = {}
    names = []
    for full in full_hashes:
        size = len(lang) + 8
        name = full[:size]
        while name in taken and taken[name] != full and size < len(full):
            size += 1
            name = full[:size]
        taken[name] = full
        names.append(name)
    return names


def _hex_sha1(data: bytes) -> str:
    # Pagefind formats each byte with {:x}: no leading zero, so keep that spelling.
    return "".join(f"{b:x}" for b in hashlib.sha1(data).digest())


def _full_hash(lang: str, data: bytes) -> str:
    return f"{lang}_{_hex_sha1(data)}"


def _gzip(payload: bytes) -> bytes:
    return gzip.compress(_SIGNATURE + payload, compresslevel=9, mtime=0)


def _read_payload(path: Path) -> bytes:
    data = gzip.decompress(path.read_bytes())
    if not data.startswith(_SIGNATURE):
        raise _Unrecognised(f"{path.name} 不是 Pagefind 文件")
    return data[len(_SIGNATURE):]


# -- the CBOR Pagefind writes (minicbor: definite lengths, shortest integer heads) ---------


def _cbor(value: Any) -> bytes:
    if isinstance(value, bool) or not isinstance(value, (int, str, list)):
        raise _Unrecognised(f"unexpected value {value!r}")
    if isinstance(value, int):
        return _head(0, value) if value >= 0 else _head(1, -1 - value)
    if isinstance(value, str):
        raw = value.encode("utf-8")
        return _head(3, len(raw)) + raw
    return _head(4, len(value)) + b"".join(_cbor(v) for v in value)


def _head(major: int, n: int) -> bytes:
    if n < 24:
        return bytes([major << 5 | n])
    for info, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if n < 1 << (8 * size):
            return bytes([major << 5 | info]) + n.to_bytes(size, "big")
    raise _Unrecognised(f"integer too large: {n}")


def _read_head(data: bytes, i: int) -> tuple[int, int, int]:
    major, info = data[i] >> 5, data[i] & 31
    i += 1
    if info < 24:
        return major, info, i
    if info > 27:
        raise _Unrecognised(f"unsupported CBOR item {data[i - 1]:#x}")
    size = 1 << (info - 24)
    return major, int.from_bytes(data[i:i + size], "big"), i + size


def _cbor_item(data: bytes, i: int) -> tuple[Any, int]:
    major, n, i = _read_head(data, i)
    if major == 0:
        return n, i
    if major == 1:
        return -1 - n, i
    if major == 3:
        return data[i:i + n].decode("utf-8"), i + n
    if major == 4:
        items = []
        for _ in range(n):
            item, i = _cbor_item(data, i)
            items.append(item)
        return items, i
    raise _Unrecognised(f"unsupported CBOR major type {major}")


def _cbor_loads(payload: bytes) -> Any:
    value, end = _cbor_item(payload, 0)
    if end != len(payload) or _cbor(value) != payload:
        raise _Unrecognised("格式无法原样重写")
    return value


_INT = rb"(?:[\x00-\x17\x20-\x37]|[\x18\x38].|[\x19\x39].{2}|[\x1a\x3a].{4}|[\x1b\x3b].{8})"


_ARRAY = rb"(?:[\x80-\x97]|\x98.|\x99.{2}|\x9a.{4})"
# One page entry [Δpage (unsigned), [positions], [meta positions]]: a run of integers
# ends exactly where the array does, as no integer starts with an array or text byte.
_PAGE = re.compile(
    rb"\x83((?:[\x00-\x17]|\x18.|\x19.{2}|\x1a.{4}|\x1b.{8}))" + (_ARRAY + _INT + b"*") * 2, re.DOTALL
)


@lru_cache(maxsize=4096)
def _uint(n: int) -> bytes:
    return _head(0, n)


# A .pf_index chunk is [[word, pages, variants], ...] wrapped in a one-field array, where
# pages are [Δpage number, positions, meta positions] (delta-encoded page numbers) and
# variants [form, pages]. Words, forms and positions stay encoded bytes: only page
# numbers change, and a chunk holds a few hundred thousand positions.
_Pages = list[tuple[int, bytes]]  # (page number, encoded positions + meta positions)


def _decode_words(payload: bytes) -> list[tuple[bytes, _Pages, list[tuple[bytes, _Pages]]]]:
    def expect(i: int, major: int, n: int | None = None) -> tuple[int, int]:
        got, count, i = _read_head(payload, i)
        if got != major or (n is not None and count != n):
            raise _Unrecognised("unexpected index layout")
        return count, i

    def text(i: int) -> tuple[bytes, int]:
        size, j = expect(i, 3)
        return payload[i:j + size], j + size

    def pages(i: int) -> tuple[_Pages, int]:
        count, i = expect(i, 4)
        out, number = [], 0
        for _ in range(count):
            found = _PAGE.match(payload, i)
            if found is None:
                raise _Unrecognised("unexpected page entry")
            delta = found.group(1)
            number += delta[0] if len(delta) == 1 else int.from_bytes(delta[1:], "big")
            i = found.end()
            out.append((number, payload[found.end(1):i]))
        return out, i

    _, i = expect(0, 4, 1)
    count, i = expect(i, 4)
    words = []
    for _ in range(count):
        _, i = expect(i, 4, 3)
        word, i = text(i)
        word_pages, i = pages(i)
        n_variants, i = expect(i, 4)
        variants = []
        for _ in range(n_variants):
            _, i = expect(i, 4, 2)
            form, i = text(i)
            variant_pages, i = pages(i)
            variants.append((form, variant_pages))
        words.append((word, word_pages, variants))
    if i != len(payload):
        raise _Unrecognised("unexpected index layout")
    return words


def _encode_words(words: list[tuple[bytes, _Pages, list[tuple[bytes, _Pages]]]],
                  renumber: dict[int, int] | None = None) -> bytes:
    """Encode a chunk; with `renumber`, pages get new numbers and variants sort by form."""
    out = [_head(4, 1), _head(4, len(words))]

    def pages(entries: _Pages) -> None:
        if renumber is not None:
            entries = sorted((renumber[n], rest) for n, rest in entries)
        out.append(_head(4, len(entries)))
        last = 0
        for number, rest in entries:
            out.extend((b"\x83", _uint(number - last), rest))
            last = number

    for word, word_pages, variants in words:
        out.extend((b"\x83", word))
        pages(word_pages)
        out.append(_head(4, len(variants)))
        for form, variant_pages in sorted(variants) if renumber is not None else variants:
            out.extend((b"\x82", form))
            pages(variant_pages)
    return b"".join(out)
