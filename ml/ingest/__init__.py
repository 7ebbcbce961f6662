"""Catalog ingestion: read → (caption) → document text → embed → upsert both indexes."""
