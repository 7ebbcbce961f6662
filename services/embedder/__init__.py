"""KServe ``embedder`` model: sentence-transformer + fine-tuned adapter → normalised FP32 vectors."""
