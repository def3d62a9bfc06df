"""The actorbind desktop demo: a shared team room (live counter, chat, presence) on live actors.

Run it with ``python -m actorbind_demo`` (``--help`` lists the options); see
``actorbind_demo/README.md``.
"""

from __future__ import annotations

__all__: list[str] = []
