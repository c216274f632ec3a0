"""Helpers that exist for the book only: the learner checks of the exercises."""
