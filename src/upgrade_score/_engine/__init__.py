"""_engine layer."""
