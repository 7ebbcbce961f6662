"""KServe ``captioner`` model: BLIP image captions."""
