"""Recommendations: similar items, complements ("goes with") and "for you".

- :mod:`ml.recommend.similar` — nearest neighbours in the vector index, same type, variants collapsed.
- :mod:`ml.recommend.complements` — accessories and companions mined from the catalog text.
- :mod:`ml.recommend.synthetic` — seeded synthetic shopper sessions (no real traffic exists).
- :mod:`ml.recommend.ranker` / :mod:`ml.recommend.training` — the LightGBM "for you" ranker.
- :mod:`ml.recommend.for_you` — candidates (similar items, similar sessions) → ranker → rows.
- :mod:`ml.recommend.session_index` — session embeddings in the Milvus ``shoptalk_sessions`` collection.
- :mod:`ml.recommend.events` — the bounded interaction log (views, asks, add-to-cart).
"""
