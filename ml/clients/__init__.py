"""Clients of the KServe inference services (v2 over HTTP): pooled, timed out, retried, circuit-broken."""

from ml.clients.errors import ServiceRequestError, ServiceUnavailable

__all__ = ["ServiceRequestError", "ServiceUnavailable"]
