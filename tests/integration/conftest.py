"""Fixtures shared by the integration tests."""

from __future__ import annotations

import pytest


@pytest.fixture
def cli_env(settings, tmp_path):
    return {"DATABASE_URL": settings.database_url, "ORGANIZE_CIPHER_KEY": settings.cipher_key,
            "ORGANIZE_HOME": str(tmp_path), "ORGANIZE_LOG_LEVEL": "WARNING",
            # The keyring the tests' application uses: its KEK wraps the data keys.
            "ORGANIZE_KEYRING": str(settings.keyring_dir)}
