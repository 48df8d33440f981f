"""The researchers' page (``/research``): anonymised grievance-trend exports, and nothing
else a researcher may reach.

- ``routes``: the page and ``POST /research/exports`` (a ``.zip`` download);
- ``form``: what the form offers, and her choices read into a ``TrendSpec`` or a message
  on each field in her language.

The export itself is ``organize.exports.trend_export.export_trends``; these routes declare
the ``RESEARCH`` access level (``web.auth.access``) and read only the research base.
"""

from __future__ import annotations


def research_routes() -> list:
    """The research routes, for ``Litestar(route_handlers=[...])``. They need the app's
    ``db_pool`` and ``csrf_token`` dependencies and ``state.runtime``."""
    from web.research.routes import ROUTES

    return list(ROUTES)


__all__ = ["research_routes"]
