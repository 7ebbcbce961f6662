"""Offline retrieval evaluation: graded judgments, nDCG / recall / MRR."""
