"""Baselines on disk: good runs' logs and archives read into shape sets, and the ``--history``
store of the shapes of recent successful runs. The engine's side is
:mod:`logtrim.engine.shapes.baseline` (sans-IO); the front ends load here and pass the set in."""
