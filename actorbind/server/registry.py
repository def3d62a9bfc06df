"""The set of actor classes a server hosts, by wire name."""

from __future__ import annotations

from collections.abc import Iterator

from .actor import Actor

__all__ = ["Registry"]


class Registry:
    """``Registry(Counter, Guarded, ...)``: the actors a server can run, by ``Actor.name``."""

    def __init__(self, *actors: type[Actor]) -> None:
        self._actors: dict[str, type[Actor]] = {}
        for cls in actors:
            if not (isinstance(cls, type) and issubclass(cls, Actor)) or cls is Actor:
                raise TypeError(f"Registry takes Actor subclasses, got {cls!r}")
            if cls.name in self._actors:
                raise ValueError(f"two actors are named {cls.name!r}")
            self._actors[cls.name] = cls

    def get(self, name: str) -> type[Actor] | None:
        """The actor class registered as ``name``, or None."""
        return self._actors.get(name)

    @property
    def names(self) -> list[str]:
        """The registered actor names, in registration order."""
        return list(self._actors)

    def __iter__(self) -> Iterator[type[Actor]]:
        return iter(self._actors.values())

    def __len__(self) -> int:
        return len(self._actors)

    def __repr__(self) -> str:
        return f"Registry({', '.join(self._actors)})"
