"""Query-embedding drift: a bounded sampled log, a reference set, Evidently's drift methods."""
