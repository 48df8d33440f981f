"""Accounts on the web: who is asking, what they may reach, and the safety every response
carries.

- ``middleware``: resolves the principal from a bearer token or the session cookie;
- ``access``: one guard over every route (public, account, research, organising) and CSRF;
- scope, for commands and aggregate reads, is the application's: ``organize.application.policy``;
- ``dependencies``: ``principal``, ``reader_scope``, ``organize``, ``accounts``, ``csrf_token``;
- ``headers``: CSP, no-referrer, nosniff, DENY framing and ``no-store`` on every response;
- ``routes``: login, logout, quick exit, the neutral page, the account page, research;
- ``errors``: 401 / 403 as JSON under ``/api/``, a redirect or a page elsewhere.

Pages added later get all of this by default: a route without an ``access`` opt needs a
leader, an organiser or an admin, and reads through ``reader_scope`` and ``organize``.
"""
