"""The actorbind desktop demo: a shared team room (live counter, chat, presence) on live actors.

Run it with ``python -m demo_app`` (``--help`` lists the options); see ``demo_app/README.md``.
"""

from __future__ import annotations

__all__: list[str] = []
