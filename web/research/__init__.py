"""The researchers' area: anonymised grievance-trend releases, and nothing else a
researcher may reach.

- ``routes``: the page (``/research``, with her privacy budget) and ``POST
  /research/exports`` (a ``.zip`` download, or the page saying why it was adjusted or
  refused);
- ``api``: the same releases under ``/api/v1/research`` (and her budget), for scripts;
- ``form``: what the form offers, and her choices read into a ``ReleaseRequest`` or a
  message on each field in her language.

The release itself is ``organize.exports.releases.obtain``; the page routes declare the
``RESEARCH`` access level (``web.auth.access``), the API routes get it by their path.
"""

from __future__ import annotations


def research_routes() -> list:
    """The research routes, for ``Litestar(route_handlers=[...])``. They need the app's
    ``db_pool`` and ``csrf_token`` dependencies and ``state.runtime``."""
    from web.research.api import API_ROUTES
    from web.research.routes import ROUTES

    return [*ROUTES, *API_ROUTES]


__all__ = ["research_routes"]
