"""Side-by-side benchmarks: actorbind versus the official RivetKit TypeScript client.

``python -m benchmarks`` runs everything (see ``benchmarks/README.md``). Not a test suite:
nothing here asserts timings.
"""
