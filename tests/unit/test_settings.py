"""Settings and the master key: generated once in embedded mode with 0600 permissions,
refused when missing with an external database, validated when given."""

from __future__ import annotations

import stat

import pytest

from infra.keyfile import new_key, resolve_master_key
from infra.settings import SettingsError, load_settings


def test_embedded_mode_generates_a_private_key_once(tmp_path):
    settings = load_settings({"ORGANIZE_HOME": str(tmp_path / "home")})
    assert settings.embedded
    key = resolve_master_key(settings)
    path = tmp_path / "home" / "master.key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert resolve_master_key(settings) == key  # reused, not regenerated


def test_external_database_without_key_is_refused(tmp_path):
    settings = load_settings({"DATABASE_URL": "postgresql://db/organize",
                              "ORGANIZE_HOME": str(tmp_path)})
    with pytest.raises(SettingsError, match="ORGANIZE_CIPHER_KEY is not set"):
        resolve_master_key(settings)
    assert not (tmp_path / "master.key").exists()


@pytest.mark.parametrize("bad", ["not base64!", "c2hvcnQ="])
def test_malformed_keys_are_refused_with_a_reason(tmp_path, bad):
    settings = load_settings({"ORGANIZE_CIPHER_KEY": bad, "ORGANIZE_HOME": str(tmp_path)})
    with pytest.raises(SettingsError, match="ORGANIZE_CIPHER_KEY"):
        resolve_master_key(settings)


def test_given_key_is_used(tmp_path):
    key = new_key()
    settings = load_settings({"ORGANIZE_CIPHER_KEY": key, "DATABASE_URL": "postgresql://x/y",
                              "ORGANIZE_HOME": str(tmp_path)})
    assert resolve_master_key(settings) == key


def test_bad_port_is_named():
    with pytest.raises(SettingsError, match="ORGANIZE_PORT"):
        load_settings({"ORGANIZE_PORT": "eighty"})
