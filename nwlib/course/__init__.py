"""Helpers that exist for the book: simulations, data sets, plots, learner checks."""
