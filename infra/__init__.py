"""Infrastructure: settings from the environment, the database bootstrap (embedded or
``DATABASE_URL``), logging, and SQL for the tables that are not event tables.

Nothing in here imports the rest of ``organize``; the composition roots (the CLI and the
web app factory) read these settings and pass them in.
"""
