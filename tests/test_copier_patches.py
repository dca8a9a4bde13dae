"""Every private Copier attribute scaffold patches still exists, in the shape it expects.

scaffold.copier_patches quietly leaves Copier alone when an attribute is gone (the render still
works, slower); this is where a Copier upgrade that removes one fails loudly instead.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

from copier import _vcs
from copier._main import Worker

from scaffold import copier_patches


def test_the_per_file_git_index_sync_is_still_a_worker_method() -> None:
    assert callable(Worker.__dict__.get("_sync_git_index_executable_bit"))


def test_the_bundle_probe_is_still_a_function_of_copier_vcs() -> None:
    assert callable(getattr(_vcs, "is_git_bundle", None))


def test_the_jinja_environment_is_still_a_cached_property_of_the_worker() -> None:
    assert isinstance(Worker.__dict__.get("jinja_env"), cached_property)


def test_the_patches_are_in_effect_inside_and_gone_after(tmp_path: Path) -> None:
    originals = (
        Worker.__dict__["_sync_git_index_executable_bit"],
        _vcs.is_git_bundle,
        Worker.__dict__["jinja_env"],
    )
    with copier_patches.patched(copier_patches.CompiledTemplates(None)):
        assert Worker.__dict__["_sync_git_index_executable_bit"] is not originals[0]
        assert _vcs.is_git_bundle is not originals[1]
        assert _vcs.is_git_bundle(tmp_path) is False  # a directory is never a bundle
        assert Worker.__dict__["jinja_env"] is not originals[2]
    assert (
        Worker.__dict__["_sync_git_index_executable_bit"],
        _vcs.is_git_bundle,
        Worker.__dict__["jinja_env"],
    ) == originals
