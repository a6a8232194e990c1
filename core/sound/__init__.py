"""Hear it: emotion from (synthesised) speech, and sounds predicted from silent video."""
