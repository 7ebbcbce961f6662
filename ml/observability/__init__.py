"""Tracing (OpenTelemetry), extra Prometheus metrics and helpers shared by every ShopTalk process."""
