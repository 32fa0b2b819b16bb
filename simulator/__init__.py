"""A faithful, deterministic fake of Luma's generations API. Never imports lumaflow."""
