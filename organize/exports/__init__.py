"""Anonymised releases for researchers: counts only, under disclosure control that holds
across everything one researcher can obtain.

The flow is one way: the ``research_grievances`` view (codes, dates, consent, record keys)
-> ``releases`` (snapping to whole closed periods, one set-based ``GROUP BY``, the stored
measurement and release) -> ``cellkey`` (the perturbation of every count) or ``noise``
(differential privacy, OpenDP, paid for from a researcher's budget) -> ``package`` (CSV
with HXL, Parquet, Frictionless Data Package, manifest, caveat). ``trends`` holds the
vocabulary; ``disclosure`` the linked suppression the organisers' flows use. The CLI
(``organize export trends``), the researchers' page and the research API all go through
``releases.obtain``.
"""
