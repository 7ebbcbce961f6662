"""Adapter fine-tuning: shopper-query triplets, training, held-out eval, gated MLflow promotion."""
