"""pytest plugin: fixtures for testing code against the simulator (being built)."""
