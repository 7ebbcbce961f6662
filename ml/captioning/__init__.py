"""Image captioning with BLIP (transformers): image decoding, model loading, generation."""
