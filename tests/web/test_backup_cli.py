"""`facilities backup` and the refusals of `facilities restore` through the CLI runner, in
English and Chinese: a field, what is wrong and the fix, never a traceback. The restore itself
runs Litestream, a process: tests/system/test_backup_restore.py."""

import os

import pytest

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


def test_a_postgresql_database_is_pointed_to_pg_dump(tmp_path):
    app = create_app({"TESTING": True, "DATABASE": "postgresql://localhost:1/locator"})
    copy = str(tmp_path / "copy.sqlite")
    result = app.test_cli_runner().invoke(args=["facilities", "backup", "--lang", "en", copy])
    assert result.exit_code == 1
    assert result.output == ("Error: DATABASE: facilities backup copies an SQLite file; back a "
                             "PostgreSQL database up with pg_dump\n")
    assert not os.path.exists(copy)
