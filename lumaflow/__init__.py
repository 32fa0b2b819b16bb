"""lumaflow: declarative, versioned image-edit recipes for Luma's Uni-1 API."""

__version__ = "0.1.0"
