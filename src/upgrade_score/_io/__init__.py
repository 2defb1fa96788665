"""_io layer."""
