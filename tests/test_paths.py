"""paths.relative: the links between pages. It splits URL paths itself (posixpath.relpath
was a tenth of the render stage); it must give what relpath gives."""

from __future__ import annotations

import posixpath

from hypothesis import given
from hypothesis import strategies as st

from generator import paths


def _by_relpath(from_url: str, to_url: str) -> str:
    base = (
        from_url if from_url.endswith("/") or from_url == "" else posixpath.dirname(from_url) + "/"
    )
    rel = posixpath.relpath("/" + to_url, "/" + base)
    if (to_url == "" or to_url.endswith("/")) and not rel.endswith("/"):
        rel += "/"
    return "./" if rel == "./" or rel == "./." else rel


_part = st.sampled_from(["platforms", "bd-0001", "data", "x.json", "index.html", "中文", ".", ".."])
_url = st.builds(
    lambda parts, slash, double: ("//" if double else "/").join(parts) + ("/" if slash else ""),
    st.lists(_part, max_size=4),
    st.booleans(),
    st.booleans(),
)


@given(_url, _url)
def test_relative_is_relpath(from_url: str, to_url: str) -> None:
    assert paths.relative(from_url, to_url) == _by_relpath(from_url, to_url)


def test_relative_examples() -> None:
    assert paths.relative("platforms/bd-0001/", "platforms/bd-0002/") == "../bd-0002/"
    assert paths.relative("platforms/bd-0001/", "") == "../../"
    assert paths.relative("", "data/platforms.json") == "data/platforms.json"
    assert paths.relative("platforms/", "platforms/") == "./"
    assert paths.relative("lists/2024/", "assets/registry.css") == "../../assets/registry.css"
