"""Anonymised exports for researchers: counts only, under disclosure control."""
