"""The committed sample ABO catalog and golden query set, and the seeded generator that writes them.

Run ``python -m ml.sample.generate`` to regenerate ``ml/sample/abo`` and ``ml/sample/golden``.
See ``ml/sample/README.md`` for the layout, statistics and the grading rules.
"""
