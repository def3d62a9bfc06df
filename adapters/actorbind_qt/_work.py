"""What a binding runs: actions, fire-and-forget calls, tasks and shared live state.

Nothing a binding starts can fail silently: a failed ``call`` emits ``actionFailed`` and goes
to ``errors``; a failed ``create_task`` task goes to ``errors`` (its exception is retrieved, so
asyncio never logs "Task exception was never retrieved"). All of it ends with the binding.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

import shiboken6

from actorbind import ConnDisposed, InvalidState
from actorbind.rx import ActorEntry, ListOp, LiveState, Reducer
from actorbind.rx._shared import LiveShare, share_live

from ._live import LiveValue
from ._model import ActorListModel

if TYPE_CHECKING:
    from ._core import _Core

__all__ = ["Work"]

log = logging.getLogger("actorbind_qt")
_T = TypeVar("_T")


def _live_of(target: Any) -> LiveState[Any]:
    if isinstance(target, LiveValue | ActorListModel):
        return target.live
    if isinstance(target, LiveState):
        return target
    raise TypeError(f"optimistic= takes pairs (LiveValue or list model, change), not {target!r}")


def _pairs(optimistic: Any) -> list[tuple[LiveState[Any], Callable[[Any], Any]]]:
    if optimistic is None:
        return []
    if isinstance(optimistic, tuple) and len(optimistic) == 2 and callable(optimistic[1]):
        optimistic = [optimistic]
    return [(_live_of(target), change) for target, change in optimistic]


class Work:
    def __init__(self, core: _Core) -> None:
        self._core = core
        self.tasks: set[asyncio.Task[Any]] = set()
        self._shares: list[LiveShare] = []
        self._views: list[LiveValue | ActorListModel] = []

    # --- live state -----------------------------------------------------------------------

    def _share(
        self,
        load: str,
        args: Sequence[Any],
        reducers: Any,
        *,
        as_list: bool,
        key: Callable[[Any], Any] | None = None,
        initial: Any = None,
    ) -> LiveShare:
        core = self._core
        core.check_alive()
        share = share_live(
            core.store,
            core.options,
            load,
            args,
            reducers=reducers,
            list_key=key,
            as_list=as_list,
            initial=initial,
        )
        self._shares.append(share)
        entry = core.entry
        if entry is not None:
            share.offer(entry)
        return share

    def state(
        self, load: str, args: Sequence[Any], reducers: dict[str, Reducer] | None, initial: Any
    ) -> LiveValue:
        share = self._share(load, args, reducers, as_list=False, initial=initial)
        assert share.state is not None and self._core.binding is not None
        view = LiveValue(share.state, self._core.binding)
        self._views.append(view)
        return view

    def list_model(
        self,
        load: str,
        args: Sequence[Any],
        reducers: dict[str, Reducer | ListOp] | None,
        key: Callable[[Any], Any] | None,
        roles: Sequence[str] | None,
        display: Callable[[Any], str] | None,
    ) -> ActorListModel:
        share = self._share(load, args, reducers, as_list=True, key=key)
        assert share.state is not None and self._core.binding is not None
        model = ActorListModel(share.state, self._core.binding, roles=roles, display=display)  # type: ignore[arg-type]
        self._views.append(model)
        return model

    def entry_changed(self, entry: ActorEntry) -> None:
        for share in self._shares:
            share.offer(entry)

    # --- actions ----------------------------------------------------------------------------

    def _no_connection(self) -> InvalidState:
        return InvalidState(
            f"no connection to {self._core.options['name']!r}: the widget is not shown, "
            "was closed, or the binding is disabled (binding.handle makes HTTP calls)"
        )

    async def action(self, name: str, args: Sequence[Any]) -> Any:
        core = self._core
        core.check_alive()
        entry = core.entry
        if entry is None or entry.connection is None:
            raise self._no_connection()
        task = asyncio.get_running_loop().create_task(
            entry.action(name, *args), name=f"actorbind-qt-action-{name}"
        )
        return await self._track(task)

    def call(self, name: str, args: Sequence[Any], optimistic: Any) -> None:
        core = self._core
        settles = [live.optimistic(change) for live, change in _pairs(optimistic)]

        def done(output: Any, error: Exception | None) -> None:
            for settle in settles:
                settle()
            if error is None:
                core.emit("actionFinished", name, output)
            else:
                self._failed(name, error)

        conn = core.connection
        if core.finalized:
            done(None, ConnDisposed("the binding's widget was destroyed or the binding disposed"))
            return
        if conn is None:
            done(None, self._no_connection())
            return
        try:
            # The outcome at its place in the socket's order: the action's own events have
            # been folded into the live states when the optimistic change is dropped.
            conn.action_in_order(name, args, done)
        except Exception as exc:
            done(None, exc)

    def _failed(self, what: str, error: Exception) -> None:
        log.debug("%s failed: %r", what, error)
        core = self._core
        if core.finalized:
            return
        core.emit("actionFailed", what, error)
        core.failures.on_next(error)

    # --- tasks ------------------------------------------------------------------------------

    def _track(self, task: asyncio.Task[_T]) -> asyncio.Task[_T]:
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)
        return task

    def create_task(self, coro: Coroutine[Any, Any, _T]) -> asyncio.Task[_T]:
        core = self._core
        if core.finalized:
            coro.close()
            raise ConnDisposed("the binding's widget was destroyed or the binding disposed")
        task = self._track(asyncio.get_running_loop().create_task(coro))
        task.add_done_callback(self._task_done)
        return task

    def _task_done(self, task: asyncio.Task[Any]) -> None:
        if task.cancelled():
            return
        error = task.exception()  # retrieved: asyncio will not log it as lost
        if isinstance(error, Exception) and not self._core.finalized:
            log.debug("task %s failed: %r", task.get_name(), error)
            self._core.failures.on_next(error)

    # --- the end ----------------------------------------------------------------------------

    def finish(self) -> None:
        for task in list(self.tasks):
            task.cancel()
        views, self._views = self._views, []
        for view in views:
            if shiboken6.isValid(view):
                view.detach()
        shares, self._shares = self._shares, []
        for share in shares:
            share.release()
