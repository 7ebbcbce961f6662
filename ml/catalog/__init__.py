"""ABO catalog: reading listings, English flattening, synthetic prices, document text."""
