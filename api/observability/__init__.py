"""Observability: Prometheus metrics and request ids."""
