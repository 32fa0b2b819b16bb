"""`python -m lumaflow` is `lumaflow`."""

from lumaflow.cli import run

run()
