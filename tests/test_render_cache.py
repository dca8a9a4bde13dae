"""scaffold.render keeps Copier's compiled Jinja templates between runs (CompiledTemplates):
the output must not change, and a cache that is corrupt or not private must not be used."""

from pathlib import Path

import pytest

from scaffold.copier_patches import CompiledTemplates
from scaffold.render import list_files, render_tree

ANSWERS = {"project_name": "cached", "framework": "flask", "auth": "session"}


def rendered(root: Path) -> dict[str, bytes]:
    """Every file but the ones holding fresh secrets."""
    return {
        name: (root / name).read_bytes()
        for name in list_files(root)
        if name not in (".env", ".scaffold-answers.yml")
    }


@pytest.fixture
def cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "cache-home"
    monkeypatch.setenv("XDG_CACHE_HOME", str(home))
    return home


def test_cached_render_is_identical_and_restores_copier(cache_home: Path, tmp_path: Path) -> None:
    from copier._main import Worker

    before = Worker.__dict__["jinja_env"]
    render_tree(ANSWERS, tmp_path / "first")
    caches = list((cache_home / "scaffold").glob("jinja-flask-*.marshal"))
    assert len(caches) == 1
    assert (cache_home / "scaffold").stat().st_mode & 0o077 == 0
    written = caches[0].stat().st_mtime_ns

    render_tree(ANSWERS, tmp_path / "second")
    assert rendered(tmp_path / "second") == rendered(tmp_path / "first")
    assert caches[0].stat().st_mtime_ns == written, "nothing new compiled, nothing rewritten"
    assert Worker.__dict__["jinja_env"] is before


def test_without_a_cache_the_render_is_the_same(
    cache_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    render_tree(ANSWERS, tmp_path / "cached")
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/is/ignored")
    render_tree(ANSWERS, tmp_path / "plain")
    assert rendered(tmp_path / "plain") == rendered(tmp_path / "cached")


def test_a_corrupt_cache_is_ignored_and_replaced(cache_home: Path, tmp_path: Path) -> None:
    render_tree(ANSWERS, tmp_path / "first")
    (cache,) = (cache_home / "scaffold").glob("jinja-flask-*.marshal")
    cache.write_bytes(b"not marshal data")
    render_tree(ANSWERS, tmp_path / "second")
    assert rendered(tmp_path / "second") == rendered(tmp_path / "first")
    assert CompiledTemplates(cache).entries, "the corrupt file was rewritten"


def test_a_cache_others_can_write_is_not_read(cache_home: Path, tmp_path: Path) -> None:
    render_tree(ANSWERS, tmp_path / "first")
    (cache,) = (cache_home / "scaffold").glob("jinja-flask-*.marshal")
    assert CompiledTemplates(cache).entries
    cache.parent.chmod(0o777)
    assert CompiledTemplates(cache).entries == {}
