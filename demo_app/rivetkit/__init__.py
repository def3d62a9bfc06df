"""The demo's actors as a RivetKit 2.3.19 registry (``registry.mjs``, ``server.mjs``).

``python -m demo_app.rivetkit`` installs it (npm, into a cache) and runs it on a free loopback
port; see ``demo_app/README.md``.
"""
