"""Every public callable of the documented modules has a docstring (the API reference,
``mkdocs build``, is made from them): classes, functions, methods and properties named in a
module's ``__all__``; Qt signals, which cannot carry one, are named in their class's docstring."""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Iterator
from typing import Any

import pytest

# The modules of docs/reference/ (mkdocs.yml).
MODULES = ("actorbind", "actorbind.rx", "actorbind_qt", "actorbind.server", "actorbind.testing")


def own_doc(obj: Any) -> str | None:
    if inspect.isclass(obj):
        doc = vars(obj).get("__doc__")
        # A dataclass without a docstring gets its signature as one.
        if not isinstance(doc, str) or doc.startswith(f"{obj.__name__}("):
            return None
        return doc.strip() or None
    return inspect.getdoc(obj)


def is_signal(value: Any) -> bool:
    return type(value).__name__ == "Signal" and type(value).__module__.startswith("PySide6")


def public_callables() -> Iterator[tuple[str, Any, type | None]]:
    """(qualified name, object, owning class or None), each object once."""
    seen: set[int] = set()
    for module_name in MODULES:
        module = importlib.import_module(module_name)
        for name in module.__all__:
            obj = getattr(module, name)
            if not (inspect.isclass(obj) or inspect.isfunction(obj)) or id(obj) in seen:
                continue
            seen.add(id(obj))
            yield f"{module_name}.{name}", obj, None
            if not inspect.isclass(obj):
                continue
            for attr, raw in vars(obj).items():
                if attr.startswith("_"):
                    continue
                value = raw.__func__ if isinstance(raw, (staticmethod, classmethod)) else raw
                if isinstance(value, property) or inspect.isfunction(value) or is_signal(value):
                    if id(value) not in seen:
                        seen.add(id(value))
                        yield f"{module_name}.{name}.{attr}", value, obj


def undocumented() -> list[str]:
    missing = []
    for qualname, obj, owner in public_callables():
        if is_signal(obj):
            assert owner is not None
            if qualname.rsplit(".", 1)[1] not in (own_doc(owner) or ""):
                missing.append(f"{qualname} (a signal: name it in the class docstring)")
        elif owner is not None and not isinstance(obj, property):
            attr = qualname.rsplit(".", 1)[1]
            # An override of a Qt virtual (rowCount, eventFilter...) is documented by Qt.
            overrides = any(attr in vars(base) for base in owner.__mro__[1:])
            if not overrides and not inspect.getdoc(getattr(owner, attr)):
                missing.append(qualname)
        elif not own_doc(obj):
            missing.append(qualname)
    return missing


def test_the_check_sees_the_public_api() -> None:
    names = {q for q, _, _ in public_callables()}
    expected = {"actorbind.create_client", "actorbind.Client.dispose", "actorbind_qt.use_actor"}
    assert expected <= names
    assert len(names) > 150


@pytest.mark.parametrize("module", MODULES)
def test_every_public_callable_has_a_docstring(module: str) -> None:
    missing = [q for q in undocumented() if _module_of(q) == module]
    assert not missing, missing


def _module_of(qualname: str) -> str:
    return max((m for m in MODULES if qualname.startswith(f"{m}.")), key=len)
