"""KServe ``reranker`` model: cross-encoder (ms-marco-MiniLM-L-12-v2, INT8 ONNX) → FP32 relevance scores."""
