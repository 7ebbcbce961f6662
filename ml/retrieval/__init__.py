"""Hybrid retrieval: keyword index, vector index, filters and reciprocal-rank fusion."""
