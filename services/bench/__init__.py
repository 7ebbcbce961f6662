"""Benchmark harnesses and the doubles they run against (an instant OpenAI-compatible LLM, a tiny
random-weight BLIP). Developer tooling: ``shoptalk bench ...`` imports these lazily, and
``.dockerignore`` keeps this package out of every image
(tested in ``tests/services/test_no_doubles_in_images.py``).
"""
