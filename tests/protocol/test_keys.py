"""Actor keys (rivetkit-protocol.md §1.3, WIRE.md §2/§3)."""

from __future__ import annotations

from typing import Any

import pytest

from actorbind.protocol import deserialize_key, normalize_key, query_key, serialize_key


@pytest.mark.parametrize(
    ("key", "parts"),
    [
        (None, ()),
        ("k", ("k",)),
        ("", ("",)),
        ("a,b", ("a,b",)),
        (["a", "b"], ("a", "b")),
        (("a", "b"), ("a", "b")),
        ([], ()),
        ((), ()),
    ],
)
def test_normalize_key(key: Any, parts: tuple[str, ...]) -> None:
    assert normalize_key(key) == parts


@pytest.mark.parametrize("key", [5, 1.5, b"k", bytearray(b"k"), {"a"}, {"a": 1}, object()])
def test_normalize_key_wrong_type(key: Any) -> None:
    with pytest.raises(TypeError, match="actor key"):
        normalize_key(key)


@pytest.mark.parametrize("key", [["a", 1], ("a", None), [b"a"], [["a"]]])
def test_normalize_key_wrong_part_type(key: Any) -> None:
    with pytest.raises(TypeError, match="part"):
        normalize_key(key)


@pytest.mark.parametrize(
    ("parts", "text"),
    [
        ((), "/"),
        (("k",), "k"),
        (("a", "b/c", "", "d"), "a/b\\/c/\\0/d"),  # §1.3 example
        (("a-json-x", "b/c", "d", "e"), "a-json-x/b\\/c/d/e"),  # x-rivet-actor-key capture
        (("",), "\\0"),
        (("", ""), "\\0/\\0"),
        (("/",), "\\/"),
        (("\\",), "\\\\"),
        (("\\0",), "\\\\0"),  # the literal text backslash-zero, not an empty part
        (("a\\/b",), "a\\\\\\/b"),
        (("a,b",), "a,b"),
        (("ü", "日本", "🙂"), "ü/日本/🙂"),
        (("/", "/"), "\\//\\/"),
    ],
)
def test_serialize_round_trip(parts: tuple[str, ...], text: str) -> None:
    assert serialize_key(parts) == text
    assert deserialize_key(text) == parts


def test_deserialize_empty_string_is_empty_key() -> None:
    assert deserialize_key("") == ()


@pytest.mark.parametrize(
    "parts",
    [
        ("a",),
        ("", "x", ""),
        ("\\", "/", "\\0", "\\/"),
        ("x" * 200,),
        ("\x00", "\n", " "),
        tuple(str(i) for i in range(20)),
    ],
)
def test_serialize_is_injective(parts: tuple[str, ...]) -> None:
    assert deserialize_key(serialize_key(parts)) == parts


def test_distinct_keys_serialize_distinctly() -> None:
    keys = [(), ("",), ("", ""), ("/",), ("\\0",), ("a/b",), ("a", "b"), ("\\",), ("0",)]
    texts = [serialize_key(k) for k in keys]
    assert len(set(texts)) == len(keys)


@pytest.mark.parametrize(
    ("parts", "query"),
    [
        ((), ""),
        (("k",), "k"),
        (("a", "b/c", "d"), "a,b/c,d"),
        (("ü",), "ü"),
    ],
)
def test_query_key(parts: tuple[str, ...], query: str) -> None:
    assert query_key(parts) == query


@pytest.mark.parametrize("parts", [("a,b",), ("a", ""), ("",), ("x", "y,z")])
def test_query_key_refuses_ambiguous_keys(parts: tuple[str, ...]) -> None:
    # The gateway splits rvt-key on "," with no escaping: these must go by actor id.
    assert query_key(parts) is None
