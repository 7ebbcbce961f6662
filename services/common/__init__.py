"""Helpers shared by the KServe model services: v2 tensor codecs, a validating base model, the server."""
