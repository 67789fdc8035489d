"""`facilities backup` and the refusals of `facilities restore` through the CLI runner, in
English and Chinese: a field, what is wrong and the fix, never a traceback. The restore itself
runs Litestream, a process: tests/system/test_backup_restore.py."""

import os
import stat

import pytest

import locator.store.postgres.connection as postgres_connection
from locator import create_app
from locator.store import Store
from tests.factories import load, row


def invoke(runner, *args: str, lang: str = "C.UTF-8"):
    """Run `facilities ARGS` with LANG=`lang`."""
    return runner.invoke(args=["facilities", *args], env={"LANG": lang})


def test_a_backup_is_the_whole_database_at_its_version(runner, db_path, tmp_path):
    version = load(db_path, row(1), row(2))
    copy = str(tmp_path / "copy.sqlite")
    result = invoke(runner, "backup", copy)
    assert result.exit_code == 0, result.output
    assert result.output == (f"Backed up to {copy}: version {version}, 2 facilities; "
                             "integrity check ok.\n")
    copied, live = Store(copy), Store(db_path)
    try:
        assert copied.facilities.all() == live.facilities.all()
        assert copied.versions.all() == live.versions.all()  # the history comes along
    finally:
        copied.close()
        live.close()


def test_a_backup_says_so_in_chinese(runner, db_path, tmp_path):
    load(db_path, row(1))
    copy = str(tmp_path / "copy.sqlite")
    result = invoke(runner, "backup", copy, lang="zh_CN.UTF-8")
    assert result.output.startswith(f"已备份到 {copy}：第 1 版，1 个设施；完整性检查通过")


@pytest.mark.parametrize("existing", ["", "-wal"])
def test_a_backup_never_overwrites_a_file(runner, db_path, tmp_path, existing):
    load(db_path, row(1))
    copy = str(tmp_path / "copy.sqlite")
    with open(copy + existing, "wb") as fh:
        fh.write(b"keep me")
    result = invoke(runner, "backup", copy)
    assert result.exit_code == 1
    assert f"Error: PATH: {copy + existing} already exists; give a new path" in result.output
    with open(copy + existing, "rb") as fh:
        assert fh.read() == b"keep me"


def test_a_backup_into_a_missing_folder_says_why(runner, db_path, tmp_path):
    load(db_path, row(1))
    copy = str(tmp_path / "nowhere" / "copy.sqlite")
    result = invoke(runner, "backup", copy)
    assert result.exit_code == 1
    assert result.output == f"Error: PATH: {copy}: No such file or directory\n"
    assert "Traceback" not in result.output


RESTORE_REFUSALS = [
    (["--from", "/srv/replica"], "--from: '/srv/replica' is not a replica URL; give "
     "file:///absolute/folder", "--from: '/srv/replica' 不是副本地址"),
    (["--from", "file:///srv/replica", "--at", "2026-11-30 10:00"],
     "--at: '2026-11-30 10:00' is not an RFC 3339 time; write the date, the time and the "
     "offset, e.g. 2026-11-30T10:00:00+08:00", "--at: '2026-11-30 10:00' 不是 RFC 3339 时间"),
]


@pytest.mark.parametrize("args, english, chinese", RESTORE_REFUSALS)
def test_a_bad_restore_is_refused_in_the_callers_language(runner, tmp_path, args, english,
                                                          chinese):
    target = str(tmp_path / "restored.sqlite")
    result = invoke(runner, "restore", *args, target)
    assert result.exit_code == 1 and result.output.startswith("Error: " + english)
    result = invoke(runner, "restore", *args, target, lang="zh_CN.UTF-8")
    assert result.exit_code == 1 and result.output.startswith("错误：" + chinese)
    assert not os.path.exists(target)


def test_a_restore_never_overwrites_the_live_database(runner, db_path):
    load(db_path, row(1))
    result = invoke(runner, "restore", "--from", "file:///srv/replica", db_path)
    assert result.exit_code == 1
    assert result.output == (f"Error: PATH: {db_path} already exists; restore to a new path, "
                             "then stop the app and move the restored file into place\n")
    result = invoke(runner, "restore", "--from", "file:///srv/replica", "--lang", "zh", db_path)
    assert result.output.startswith(f"错误：PATH: {db_path} 已存在；请恢复到新路径")


def test_a_postgresql_database_is_backed_up_and_restored_with_its_history(tmp_path,
                                                                          postgres_cluster):
    # The same commands as for SQLite: pg_dump's archive, pg_restore into a new database.
    from tests.web.test_copy import everything, history

    live = postgres_cluster.new_database()
    history(live)
    archive = str(tmp_path / "locator.dump")
    app = create_app({"TESTING": True, "DATABASE": live})
    runner = app.test_cli_runner(env={"LC_ALL": None, "LC_MESSAGES": None, "LANG": "C.UTF-8"})
    done = runner.invoke(args=["facilities", "backup", archive])
    assert done.exit_code == 0, done.output
    assert done.output.startswith(f"Backed up to {archive}: version 4, 29 facilities;")
    assert stat.S_IMODE(os.stat(archive).st_mode) == 0o600
    load(live, row(45))  # the live database moves on; the archive keeps version 4
    target = postgres_cluster.new_database()
    done = runner.invoke(args=["facilities", "restore", "--from", archive, target])
    assert done.exit_code == 0, done.output
    assert done.output.startswith(f"Restored to {target}: version 4, 29 facilities;")
    restored = everything(target)
    assert restored["versions"][0]["number"] == 4 and restored["integrity"]
    # Every version's records, the audit log, admins, reports: as they were at version 4.
    copy = str(tmp_path / "at-4.sqlite")
    assert runner.invoke(args=["facilities", "copy", target, copy]).exit_code == 0
    assert restored["records"] == everything(copy)["records"]
    # Never over a database that holds data; never over a file.
    again = runner.invoke(args=["facilities", "restore", "--from", archive, target])
    assert again.exit_code == 1 and "already holds Locator's tables" in again.output
    assert everything(target) == restored
    twice = runner.invoke(args=["facilities", "backup", archive])
    assert twice.exit_code == 1 and "already exists" in twice.output
    postgres_connection.close_pools()
