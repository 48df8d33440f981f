"""Anonymised exports for researchers: counts only, under disclosure control.

The flow is one way: the ``research_grievances`` view (codes, dates, consent) ->
``trends`` (dimensions, grains, the coarsening ladder) -> ``noise`` (optional differential
privacy, OpenDP) -> ``disclosure`` (primary and complementary suppression, and an
independent check of the published table) -> ``package`` (CSV with HXL, Parquet,
Frictionless Data Package, manifest, caveat). ``trend_export`` runs it end to end for the
CLI (``organize export trends``) and the researchers' web page.
"""
