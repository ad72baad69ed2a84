"""Outside production each install makes its own SECRET_KEY on first run and keeps it in a file
git ignores: a key in the source would let anyone forge a demo install's unsubscribe links."""

import runpy
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def fresh_settings(monkeypatch):
    """fresh_settings(folder) -> the settings module's names, loaded as a checkout in `folder`
    would load them on its first run (no SECRET_KEY in the environment)."""
    for name in ("SECRET_KEY", "SECRET_KEY_FILE", "PRODUCTION"):
        monkeypatch.delenv(name, raising=False)

    def load(folder: Path) -> dict:
        settings = folder / "tracker" / "settings.py"
        if not settings.exists():
            settings.parent.mkdir(parents=True)
            shutil.copy(ROOT / "tracker" / "settings.py", settings)
        return runpy.run_path(str(settings))

    return load


def test_each_install_makes_its_own_key_and_keeps_it(fresh_settings, tmp_path):
    first = fresh_settings(tmp_path / "a")["SECRET_KEY"]
    other = fresh_settings(tmp_path / "b")["SECRET_KEY"]
    assert first != other
    assert len(first) >= 50 and len(set(first)) >= 5  # what check --deploy asks of a key
    assert fresh_settings(tmp_path / "a")["SECRET_KEY"] == first  # read back on later runs
    key_file = tmp_path / "a" / ".secret_key"
    assert key_file.read_text().strip() == first
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert sorted(p.name for p in key_file.parent.iterdir()) == [".secret_key", "tracker"]


def test_the_key_file_may_live_elsewhere(fresh_settings, tmp_path, monkeypatch):
    monkeypatch.setenv("SECRET_KEY_FILE", str(tmp_path / "keys" / "tracker.key"))
    key = fresh_settings(tmp_path / "a")["SECRET_KEY"]
    assert (tmp_path / "keys" / "tracker.key").read_text().strip() == key
    assert not (tmp_path / "a" / ".secret_key").exists()


def test_a_key_from_the_environment_wins_and_production_needs_one(
    fresh_settings, tmp_path, monkeypatch
):
    monkeypatch.setenv("SECRET_KEY", "from-the-environment-" + "x" * 40)
    assert fresh_settings(tmp_path / "a")["SECRET_KEY"].startswith("from-the-environment-")
    assert not (tmp_path / "a" / ".secret_key").exists()
    monkeypatch.delenv("SECRET_KEY")
    monkeypatch.setenv("PRODUCTION", "true")
    with pytest.raises(RuntimeError, match="needs SECRET_KEY"):
        fresh_settings(tmp_path / "b")  # never a file-made key in production
    assert not (tmp_path / "b" / ".secret_key").exists()


def test_the_key_file_is_not_tracked():
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    ignored = subprocess.run(
        ["git", "-C", str(ROOT), "check-ignore", "-q", ".secret_key"], check=False
    )
    assert ignored.returncode == 0, ".gitignore must list .secret_key"
    tracked = subprocess.run(
        ["git", "-C", str(ROOT), "ls-files", "--error-unmatch", ".secret_key"],
        capture_output=True, check=False,
    )  # fmt: skip
    assert tracked.returncode != 0


def test_a_key_file_that_cannot_be_made_says_what_to_do(fresh_settings, tmp_path, monkeypatch):
    (tmp_path / "a-file").write_text("not a folder")
    monkeypatch.setenv("SECRET_KEY_FILE", str(tmp_path / "a-file" / ".secret_key"))
    with pytest.raises(RuntimeError, match="set SECRET_KEY or SECRET_KEY_FILE"):
        fresh_settings(tmp_path / "a")
