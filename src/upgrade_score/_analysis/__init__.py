"""_analysis layer."""
