"""Stage 1, load: the data folder's files -> plain data + the line of every node.

The only stage besides write that touches the disk. It never raises for bad input:
every failure is a Problem (rule ``load.*``, Chinese message, line where known), and
a file with any error gives no data at all, never half of it. There is no cache:
every run reads and checks every file.

- ``strict``: one file's bytes -> Document (the strict YAML subset, its limits);
- ``syntax``: the parser's syntax errors worded in Chinese;
- ``folder``: which entries of the data folder count (regular files only) and reading them.
"""

from generator.load.folder import Sources, display_path, hash_file, load_file, load_sources
from generator.load.strict import MAX_BYTES, MAX_DEPTH, MAX_NODES, Document, PathKey, parse_yaml

__all__ = [
    "MAX_BYTES",
    "MAX_DEPTH",
    "MAX_NODES",
    "Document",
    "PathKey",
    "Sources",
    "display_path",
    "hash_file",
    "load_file",
    "load_sources",
    "parse_yaml",
]
