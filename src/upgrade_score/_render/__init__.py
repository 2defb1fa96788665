"""_render layer."""
