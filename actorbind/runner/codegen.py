"""Generate ``_envoy_v8.py`` (dataclasses plus BARE encoders/decoders) from ``envoy_v8.bare``.

``python -m actorbind.runner.codegen`` rewrites the module; ``--check`` fails if it is stale.
The schema language is the subset the engine's schemas use: ``type Name <type>`` with
``struct``, ``union`` (explicit ``= tag``), ``enum``, ``void``, ``optional``, ``list``, ``map``,
``data<N>`` and the fixed-width integers. Field names become snake_case; named ``list`` and
``void`` types become dataclasses (a union member has to be a distinct Python class).
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

__all__ = ["SCHEMA", "TARGET", "Schema", "generate", "parse"]

SCHEMA: Final = Path(__file__).with_name("envoy_v8.bare")
TARGET: Final = Path(__file__).with_name("_envoy_v8.py")
ROOTS: Final = ("ToRivet", "ToEnvoy")

_PRIMS: Final = {
    "u8": ("int", "w.u8({v})", "r.u8()"),
    "u16": ("int", "w.u16({v})", "r.u16()"),
    "u32": ("int", "w.u32({v})", "r.u32()"),
    "u64": ("int", "w.u64({v})", "r.u64()"),
    "i64": ("int", "w.i64({v})", "r.i64()"),
    "uint": ("int", "w.uint({v})", "r.uint()"),
    "bool": ("bool", "w.boolean({v})", "r.boolean()"),
    "str": ("str", "w.string({v})", "r.string()"),
    "data": ("bytes", "w.data({v})", "r.data()"),
}


@dataclass
class Decl:
    name: str
    kind: str  # struct | union | enum | void | alias
    fields: list[tuple[str, str]] = field(default_factory=list)  # struct: (name, type expr)
    members: list[tuple[str, int]] = field(default_factory=list)  # union / enum
    target: str = ""  # alias: type expr


Schema = dict[str, Decl]


def _split_top(text: str) -> list[str]:
    return [t for t in re.split(r"\s+", text.strip()) if t]


def parse(text: str) -> Schema:
    """Parse the schema text into declarations (in file order)."""
    text = re.sub(r"#[^\n]*", "", text)
    schema: Schema = {}
    pos = 0
    pattern = re.compile(r"type\s+(\w+)\s+")
    while True:
        m = pattern.search(text, pos)
        if m is None:
            break
        name = m.group(1)
        rest = text[m.end() :]
        head = re.match(r"(struct|union|enum)\s*\{", rest)
        if head is not None:
            body_end = rest.index("}")
            body = rest[head.end() : body_end]
            pos = m.end() + body_end + 1
            kind = head.group(1)
            decl = Decl(name, kind)
            if kind == "struct":
                for fm in re.finditer(r"(\w+)\s*:\s*([^\n]+)", body):
                    decl.fields.append((fm.group(1), fm.group(2).strip()))
            elif kind == "union":
                for i, part in enumerate(p.strip() for p in body.split("|")):
                    um = re.fullmatch(r"(\w+)(?:\s*=\s*(\d+))?", part)
                    if um is None:
                        raise ValueError(f"bad union member {part!r} in {name}")
                    decl.members.append((um.group(1), int(um.group(2) or i)))
            else:
                tag = 0
                for part in _split_top(body):
                    em = re.fullmatch(r"(\w+)(?:=(\d+))?", part)
                    if em is None:
                        raise ValueError(f"bad enum member {part!r} in {name}")
                    tag = int(em.group(2)) if em.group(2) else tag
                    decl.members.append((em.group(1), tag))
                    tag += 1
        else:
            line_end = rest.find("\n")
            expr = (rest if line_end < 0 else rest[:line_end]).strip()
            pos = m.end() + (len(rest) if line_end < 0 else line_end)
            decl = Decl(name, "void" if expr == "void" else "alias", target=expr)
        if name in schema:
            raise ValueError(f"type {name} declared twice")
        schema[name] = decl
    return schema


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _args(expr: str, prefix: str) -> list[str]:
    """``map<K><V>`` -> ``[K, V]``; ``list<T>`` -> ``[T]`` (nesting-aware)."""
    inner = expr[len(prefix) :]
    out: list[str] = []
    depth = 0
    start = 0
    for i, ch in enumerate(inner):
        if ch == "<":
            if depth == 0:
                start = i + 1
            depth += 1
        elif ch == ">":
            depth -= 1
            if depth == 0:
                out.append(inner[start:i])
    return out


class _Gen:
    def __init__(self, schema: Schema) -> None:
        self.schema = schema
        self.helpers: dict[str, list[str]] = {}
        self.classes = {
            n for n, d in schema.items() if d.kind in ("struct", "void") or self._wrapped(d)
        }

    def _wrapped(self, decl: Decl) -> bool:
        # A named list is a union member somewhere (ToRivetEvents): it needs its own class.
        return decl.kind == "alias" and decl.target.startswith("list<")

    def py_type(self, expr: str) -> str:
        if expr in _PRIMS:
            return _PRIMS[expr][0]
        if re.fullmatch(r"data<\d+>", expr):
            return "bytes"
        if expr.startswith("optional<"):
            return f"{self.py_type(_args(expr, 'optional')[0])} | None"
        if expr.startswith("list<"):
            return f"list[{self.py_type(_args(expr, 'list')[0])}]"
        if expr.startswith("map<"):
            k, v = _args(expr, "map")
            return f"dict[{self.py_type(k)}, {self.py_type(v)}]"
        decl = self.schema[expr]
        if decl.kind == "alias" and expr not in self.classes:
            return self.py_type(decl.target)
        return expr

    def helper(self, expr: str) -> str:
        """The name of an encode/decode pair for ``expr`` (``_e_X`` / ``_d_X``)."""
        if expr in self.schema and (
            expr in self.classes or self.schema[expr].kind in ("union", "enum")
        ):
            return expr
        if expr in self.schema:
            return self.helper(self.schema[expr].target)
        key = re.sub(r"\W+", "_", expr).strip("_")
        if key in self.helpers:
            return key
        t = self.py_type(expr)
        if expr in _PRIMS:
            _, enc, dec = _PRIMS[expr]
            body_e, body_d = enc.format(v="v"), dec
        elif (fm := re.fullmatch(r"data<(\d+)>", expr)) is not None:
            body_e, body_d = f"w.fixed(v, {fm.group(1)})", f"r.fixed({fm.group(1)})"
        elif expr.startswith("optional<"):
            h = self.helper(_args(expr, "optional")[0])
            self.helpers[key] = [
                f"def _e_{key}(w: Writer, v: {t}) -> None:",
                "    w.optional_present(v is not None)",
                "    if v is not None:",
                f"        _e_{h}(w, v)",
                "",
                "",
                f"def _d_{key}(r: Reader) -> {t}:",
                f"    return _d_{h}(r) if r.optional() else None",
            ]
            return key
        elif expr.startswith("list<"):
            h = self.helper(_args(expr, "list")[0])
            self.helpers[key] = [
                f"def _e_{key}(w: Writer, v: {t}) -> None:",
                "    w.uint(len(v))",
                "    for item in v:",
                f"        _e_{h}(w, item)",
                "",
                "",
                f"def _d_{key}(r: Reader) -> {t}:",
                f"    return [_d_{h}(r) for _ in range(_count(r))]",
            ]
            return key
        elif expr.startswith("map<"):
            hk, hv = (self.helper(a) for a in _args(expr, "map"))
            self.helpers[key] = [
                f"def _e_{key}(w: Writer, v: {t}) -> None:",
                "    w.uint(len(v))",
                "    for k, item in v.items():",
                f"        _e_{hk}(w, k)",
                f"        _e_{hv}(w, item)",
                "",
                "",
                f"def _d_{key}(r: Reader) -> {t}:",
                f"    out: {t} = {{}}",
                "    for _ in range(_count(r)):",
                f"        k = _d_{hk}(r)",
                "        if k in out:",
                '            raise BareError("duplicate map key")',
                f"        out[k] = _d_{hv}(r)",
                "    return out",
            ]
            return key
        else:
            raise ValueError(f"unknown type {expr!r}")
        self.helpers[key] = [
            f"def _e_{key}(w: Writer, v: {t}) -> None:",
            f"    {body_e}",
            "",
            "",
            f"def _d_{key}(r: Reader) -> {t}:",
            f"    return {body_d}",
        ]
        return key

    def declare(self, decl: Decl) -> list[str]:
        n = decl.name
        if decl.kind == "enum":
            lines = [f"class {n}(enum.IntEnum):"]
            lines += [f"    {m} = {t}" for m, t in decl.members]
            lines += [
                "",
                "",
                f"def _e_{n}(w: Writer, v: {n}) -> None:",
                "    w.uint(int(v))",
                "",
                "",
                f"def _d_{n}(r: Reader) -> {n}:",
                "    tag = r.uint()",
                "    try:",
                f"        return {n}(tag)",
                "    except ValueError:",
                f'        raise BareError(f"unknown {n} member {{tag}}") from None',
            ]
            return lines
        if decl.kind == "void":
            return [
                "@dataclass(frozen=True, slots=True)",
                f"class {n}:",
                "    pass",
                "",
                "",
                f"def _e_{n}(w: Writer, v: {n}) -> None:",
                "    pass",
                "",
                "",
                f"def _d_{n}(r: Reader) -> {n}:",
                f"    return {n}()",
            ]
        if decl.kind == "struct" or n in self.classes:
            fields = decl.fields if decl.kind == "struct" else [("value", decl.target)]
            lines = ["@dataclass(slots=True)", f"class {n}:"]
            lines += [f"    {_snake(f)}: {self.py_type(t)}" for f, t in fields]
            enc = [f"    _e_{self.helper(t)}(w, v.{_snake(f)})" for f, t in fields]
            dec = [f"_d_{self.helper(t)}(r)" for _, t in fields]
            lines += ["", "", f"def _e_{n}(w: Writer, v: {n}) -> None:", *enc]
            lines += ["", "", f"def _d_{n}(r: Reader) -> {n}:"]
            lines.append(f"    return {n}({', '.join(dec)})")
            return lines
        if decl.kind == "union":
            members = [m for m, _ in decl.members]
            for m in members:
                if m not in self.classes:
                    raise ValueError(f"union {n}: member {m} is not a struct or class")
            lines = [f"{n}: TypeAlias = {' | '.join(members)}", "", ""]
            lines.append(f"def _e_{n}(w: Writer, v: {n}) -> None:")
            for i, (m, tag) in enumerate(decl.members):
                kw = "if" if i == 0 else "elif"
                lines += [
                    f"    {kw} type(v) is {m}:",
                    f"        w.uint({tag})",
                    f"        _e_{m}(w, v)",
                ]
            lines += ["    else:", f'        raise BareError(f"not a {n}: {{type(v).__name__}}")']
            lines += ["", "", f"def _d_{n}(r: Reader) -> {n}:", "    tag = r.uint()"]
            for m, tag in decl.members:
                lines += [f"    if tag == {tag}:", f"        return _d_{m}(r)"]
            lines.append(f'    raise BareError(f"unknown {n} tag {{tag}}")')
            return lines
        return [f"{n}: TypeAlias = {self.py_type(decl.target)}"]


def generate(schema: Schema, source_name: str = "envoy_v8.bare") -> str:
    """The Python module for ``schema``: classes, aliases, codecs, ``encode_*``/``decode_*``."""
    gen = _Gen(schema)
    # Union aliases are evaluated at import, so they come after every class.
    decls = sorted(schema.values(), key=lambda d: d.kind == "union")
    blocks = [gen.declare(d) for d in decls]
    names = sorted(schema) + [f"{p}_{r}" for r in ROOTS for p in ("decode", "encode")]
    out = [
        f'"""Envoy protocol v8 (rivet-engine 2.3.19): generated from {source_name} by',
        'actorbind.runner.codegen; do not edit by hand."""',
        "",
        "from __future__ import annotations",
        "",
        "import enum",
        "from dataclasses import dataclass",
        "from typing import TypeAlias",
        "",
        "from actorbind.protocol.bare import BareError, Reader, Writer",
        "",
        "__all__ = [",
        *[f'    "{name}",' for name in names],
        "]",
        "",
        "PROTOCOL_VERSION = 8",
        "",
        "",
        "def _count(r: Reader) -> int:",
        "    n = r.uint()",
        "    if n > r.remaining():",
        '        raise BareError("list longer than the message")',
        "    return n",
    ]
    for lines in [*gen.helpers.values(), *blocks]:
        out += ["", "", *lines]
    for root in ROOTS:
        out += [
            "",
            "",
            f"def encode_{root}(msg: {root}) -> bytes:",
            "    w = Writer()",
            f"    _e_{root}(w, msg)",
            "    return w.getvalue()",
            "",
            "",
            f"def decode_{root}(data: bytes) -> {root}:",
            "    r = Reader(data)",
            f"    msg = _d_{root}(r)",
            "    r.end()",
            "    return msg",
        ]
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if the module is stale")
    args = parser.parse_args(argv)
    text = generate(parse(SCHEMA.read_text()))
    if args.check:
        if TARGET.read_text() != text:
            print(
                f"{TARGET.name} is stale: run python -m actorbind.runner.codegen", file=sys.stderr
            )
            return 1
        return 0
    TARGET.write_text(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
