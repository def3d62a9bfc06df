"""Declaring actors: the :class:`Actor` base class and the :func:`action` / :func:`queue` markers.

``action`` is a typed descriptor. On the class it is an :class:`Action`; accessed through an
instance it is typed as the client-side call, ``(x: int) -> Awaitable[int]``, so an actor class
can type a client handle. The server itself always calls the raw function, ``Action.fn``.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Concatenate, Generic, ParamSpec, TypeVar, overload

if TYPE_CHECKING:
    from .context import ActionContext, ActorContext

__all__ = ["Action", "Actor", "action", "queue"]

P = ParamSpec("P")
R = TypeVar("R")
_F = TypeVar("_F", bound=Callable[..., Any])

_QUEUE_ATTR = "__actorbind_queue__"


class Action(Generic[P, R]):
    """An actor action: ``fn(self, ctx, *args)``, sync or async."""

    def __init__(self, fn: Callable[..., Any]) -> None:
        if not callable(fn):
            raise TypeError("@action decorates a function")
        self.fn = fn
        self.name: str = getattr(fn, "__name__", "action")
        self.is_async = inspect.iscoroutinefunction(fn)
        self.__doc__ = getattr(fn, "__doc__", None)
        self.__wrapped__ = fn

    def __set_name__(self, owner: type[Any], name: str) -> None:
        self.name = name

    @overload
    def __get__(self, instance: None, owner: type[Any] | None = None) -> Action[P, R]: ...

    @overload
    def __get__(
        self, instance: object, owner: type[Any] | None = None
    ) -> Callable[P, Awaitable[R]]: ...

    def __get__(
        self, instance: object | None, owner: type[Any] | None = None
    ) -> Action[P, R] | Callable[P, Awaitable[R]]:
        if instance is None:
            return self
        name = self.name

        def not_callable(*args: P.args, **kwargs: P.kwargs) -> Awaitable[R]:
            raise TypeError(
                f"action {name!r} is called through a client handle; inside the actor call "
                f"{type(instance).__name__}.{name}.fn(self, ctx, ...) instead"
            )

        return not_callable

    def __repr__(self) -> str:
        return f"<action {self.name}>"


@overload
def action(
    fn: Callable[Concatenate[Any, ActionContext, P], Awaitable[R]],
) -> Action[P, R]: ...


@overload
def action(fn: Callable[Concatenate[Any, ActionContext, P], R]) -> Action[P, R]: ...


def action(fn: Callable[..., Any]) -> Action[Any, Any]:
    """Mark a method ``(self, ctx: ActionContext, *args)`` as an action (sync or async)."""
    return Action(fn)


def queue(name: str) -> Callable[[_F], _F]:
    """Mark a method ``(self, ctx: ActorContext, body) -> reply`` as the handler of a queue.

    Messages sent to the queue are persisted, then handled one at a time, in order, like
    actions. A sender that waits gets the handler's return value as the response.
    """
    if not isinstance(name, str) or not name:
        raise TypeError("queue() takes the queue name, e.g. @queue('jobs')")

    def mark(fn: _F) -> _F:
        setattr(fn, _QUEUE_ATTR, name)
        return fn

    return mark


def _default_name(cls: type[Any]) -> str:
    n = cls.__name__
    return n[:1].lower() + n[1:]


class Actor:
    """Base class of an actor. One instance per actor id; ``self`` may hold non-persisted vars.

    Class attributes:
        name: the actor name on the wire (default: class name with a lowercase first letter).
        state: the initial state, deep-copied for each new actor (or override ``create_state``).
            An actor with neither is stateless: ``ctx.state`` raises ``actor.state_not_enabled``
            and nothing is persisted, as in RivetKit.
        action_timeout: seconds an action may run (default 60).
        sleep_timeout: seconds without work in flight or connections before the actor sleeps
            (default 30, RivetKit's); ``None`` never sleeps on its own.
        interleave: ``False`` (default): actions, hooks and queue handlers run one at a time.
            ``True``: like RivetKit, each runs as soon as it arrives, so async ones interleave
            at their ``await`` points (see docs/server.md for why serial is the default).

        queues: names of queues the actor pulls from with ``ctx.queue`` (``@queue`` handlers
            declare theirs).
        max_queue_size: messages stored at most (default 1000, RivetKit's); more is
            ``queue.full``.
        vars: initial ephemeral vars (``ctx.vars``), deep-copied at every start; never stored.

    Optional hooks (sync or async): ``create_state(ctx, input)``, ``create_vars(ctx)``,
    ``on_wake(ctx)`` (every start), ``on_sleep(ctx)``, ``on_destroy(ctx)``,
    ``on_state_change(ctx, state)`` (after each change is stored; it must not change the state),
    ``on_before_connect(ctx, params)`` (raise :class:`UserError` to reject),
    ``create_conn_state(ctx, params)`` (both see the HTTP request or WebSocket upgrade as
    ``ctx.request``), ``on_connect(ctx)``, ``on_disconnect(ctx)``,
    ``can_subscribe(ctx, event) -> bool`` and ``can_publish(ctx, queue) -> bool`` (``False``
    rejects with ``auth.forbidden``), ``on_request(ctx, request) -> Response`` and
    ``on_websocket(ctx, websocket)``.

    The live state is ``ctx.state`` (also ``self.state`` while the actor runs).
    """

    name: str = ""
    state: Any = None
    vars: Any = None
    queues: tuple[str, ...] = ()
    max_queue_size: int = 1000
    sleep_timeout: float | None = 30.0
    action_timeout: float = 60.0
    interleave: bool = False

    # Filled in per subclass by __init_subclass__.
    __stateless__: bool = True
    __actions__: dict[str, Action[Any, Any]] = {}
    __queues__: dict[str, Callable[..., Any]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if not cls.__dict__.get("name"):
            cls.name = _default_name(cls)
        actions: dict[str, Action[Any, Any]] = {}
        queues: dict[str, Callable[..., Any]] = {}
        for klass in reversed(cls.__mro__):
            for attr, value in vars(klass).items():
                if isinstance(value, Action):
                    actions[attr] = value
                handler = getattr(value, _QUEUE_ATTR, None)
                if isinstance(handler, str):
                    queues[handler] = value
        cls.__actions__ = actions
        cls.__queues__ = queues
        cls.__stateless__ = not any(
            "state" in vars(klass) or "create_state" in vars(klass)
            for klass in cls.__mro__
            if klass is not Actor and issubclass(klass, Actor)
        )

    @classmethod
    def queue_names(cls) -> frozenset[str]:
        """Every queue the actor declares: ``@queue`` handlers and the ``queues`` it pulls."""
        return frozenset(cls.__queues__) | frozenset(cls.queues)

    # Hooks: the defaults do nothing. Subclasses override what they need.

    def create_state(self, ctx: ActorContext, input: Any) -> Any:
        """The initial state; by default a deep copy of the class attribute ``state``."""
        import copy

        return copy.deepcopy(type(self).state)

    def create_vars(self, ctx: ActorContext) -> Any:
        """The ephemeral vars of this start; by default a deep copy of the class ``vars``."""
        import copy

        return copy.deepcopy(type(self).vars)
