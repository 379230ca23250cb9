"""``local()`` refuses a storage folder that is missing, or the inside of a storage,
before any viewer starts, with the folder to pass instead (the CLI's ``local`` says the
same in one line)."""

from __future__ import annotations

from pathlib import Path

import pytest

import runicorn_api as api
from tests.support.cli import run_cli


def _run_folder(root: Path, *parts: str) -> Path:
    folder = root.joinpath(*parts)
    folder.mkdir(parents=True)
    (folder / "meta.json").write_text('{"id": "20250101_000000_aaaaaa"}')
    return folder


def test_a_missing_storage_is_refused_unless_created(tmp_path: Path) -> None:
    missing = tmp_path / "no" / "such"
    with pytest.raises(api.InvalidArgumentError, match=r"does not exist.*create=True"):
        api.local(missing, python=tmp_path / "no-python")
    assert not (tmp_path / "no").exists()  # nothing was made


def test_create_makes_it(tmp_path: Path) -> None:
    from runicorn_api._local_viewer import check_storage

    made = tmp_path / "new" / "storage"
    check_storage(made, create=True)
    assert made.is_dir()


def test_the_runs_folder_names_its_storage(tmp_path: Path) -> None:
    storage = tmp_path / "storage"
    _run_folder(storage, "runs", "vision", "resnet", "20250101_000000_aaaaaa")
    with pytest.raises(api.InvalidArgumentError, match=f"pass {storage}"):
        api.local(storage / "runs", python=tmp_path / "no-python")
    # an empty folder that happens to be called runs is a new storage, not a mistake
    fresh = tmp_path / "elsewhere" / "runs"
    fresh.mkdir(parents=True)
    from runicorn_api._local_viewer import check_storage

    check_storage(fresh, create=False)
    # a 0.7.x storage that is itself called runs holds its own runs/ folder
    named_runs = tmp_path / "lab" / "runs"
    _run_folder(named_runs, "runs", "p", "20250101_000000_bbbbbb")
    check_storage(named_runs, create=False)


def test_a_run_folder_names_its_storage(tmp_path: Path) -> None:
    storage = tmp_path / "storage"
    run = _run_folder(storage, "runs", "vision", "20250101_000000_aaaaaa")
    with pytest.raises(api.InvalidArgumentError, match="is a run folder") as info:
        api.local(run, python=tmp_path / "no-python")
    assert f"most likely {storage} " in str(info.value)


def test_the_cli_says_it_in_one_line(tmp_path: Path) -> None:
    storage = tmp_path / "storage"
    run = _run_folder(storage, "runs", "p", "20250101_000000_aaaaaa")
    done = run_cli("local", str(run))
    assert done.returncode == 2
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith("runicorn-api: error: ")
    assert "is a run folder" in line
