"""Qt (PySide6) binding for actorbind: actor connections tied to widget lifecycles.

>>> from actorbind_qt import use_actor, bind
>>> binding = use_actor(widget, "counter", key=["room", "1"], client=client)
>>> bind(binding.events("newCount"), lambda args: label.setText(str(args[0])), owner=label)
>>> binding.statusChanged.connect(status_label.setText)
>>> count = binding.state("getCount", reducers={"newCount": lambda old, new: new})
>>> count.bind(label)                     # the current count from the first frame, then live
>>> chat = binding.list_model("history", key=lambda m: m["id"], reducers={"message": append()})
>>> QListView().setModel(chat)            # or a QML ListView
>>> binding.call("increment", 1)          # from a slot: actionFinished / actionFailed follow

It needs an asyncio loop on the GUI thread: qasync's ``QEventLoop`` (``actorbind_qt.run(main())``
sets one up and closes every socket cleanly at the end). Connections are shared through an
:class:`actorbind.rx.ActorStore` (one per client by default).
"""

from __future__ import annotations

from actorbind._extras import raise_if_extra_missing

try:
    from actorbind.rx import ActorEntry, ActorStore

    from ._app import (
        QUIT_TIMEOUT,
        aclose_all,
        default_store,
        live_bindings,
        release_qasync_loop,
        run,
    )
    from ._bind import bind
    from ._binding import ActorBinding, use_actor
    from ._live import LiveValue, bind_property
    from ._model import ITEM_ROLE, ActorListModel
    from ._qml import ActorQmlState
except ImportError as error:  # an extra not installed: say which
    raise_if_extra_missing(
        error, "actorbind_qt", "qt", "PySide6", "shiboken6", "qasync", "reactivex"
    )
    raise


__all__ = [
    "ITEM_ROLE",
    "QUIT_TIMEOUT",
    "ActorBinding",
    "ActorEntry",
    "ActorListModel",
    "ActorQmlState",
    "ActorStore",
    "LiveValue",
    "aclose_all",
    "bind",
    "bind_property",
    "default_store",
    "live_bindings",
    "release_qasync_loop",
    "run",
    "use_actor",
]
