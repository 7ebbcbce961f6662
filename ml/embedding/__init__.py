"""Sentence embeddings: the base model, the fine-tuned adapter, and the embedder seam."""
