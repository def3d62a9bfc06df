"""The demo's actors as a RivetKit 2.3.19 registry (``registry.mjs``, ``server.mjs``).

``python -m actorbind_demo.rivetkit`` installs it (npm, into a cache) and runs it on a free loopback
port; see ``actorbind_demo/README.md``.
"""
