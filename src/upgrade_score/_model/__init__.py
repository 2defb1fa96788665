"""_model layer."""
