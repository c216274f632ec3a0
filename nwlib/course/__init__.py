"""Helpers that exist for the book: course data sets, plots and learner checks."""
