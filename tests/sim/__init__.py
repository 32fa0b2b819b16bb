"""Shared helpers for the simulator's tests."""
