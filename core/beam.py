"""Transitional: beam search moved to ``core.common.beam`` (same names). Delete once the captioner imports it there."""

from core.common.beam import BeamNode, BeamResult, beam_search, greedy, reorder  # noqa: F401
