"""Reproducible benchmarks of lumaflow against the API's limits and naive clients."""
