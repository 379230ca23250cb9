"""Client options are checked once, before any side effect (no folder, no socket, no
viewer process), with one message per mistake, for every way a client is made."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import urllib3.util.connection

import runicorn_api as api
from runicorn_api._options import ClientOptions

BAD: list[tuple[dict[str, Any], type[Exception], str]] = [
    ({"timeout": -1}, ValueError, "timeout must be within"),
    ({"timeout": "soon"}, TypeError, "timeout must be seconds"),
    ({"max_retries": -1}, ValueError, "max_retries must be a non-negative int"),
    ({"max_workers": 0}, ValueError, "max_workers must be a positive int"),
    ({"strict": "yes"}, TypeError, "strict must be a bool"),
    ({"retry_deadline": 0}, ValueError, "retry_deadline must be within"),
    ({"direct_reads": "sometimes"}, ValueError, "direct_reads must be one of auto, always, never"),
    ({"cache_dir": 42}, TypeError, "cache_dir must be a folder path"),
]


@pytest.mark.parametrize(("options", "error", "message"), BAD)
def test_a_bad_option_is_refused_with_its_name(
    options: dict[str, Any], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        ClientOptions.of(**options)


def test_an_unknown_option_names_the_known_ones() -> None:
    with pytest.raises(TypeError, match=r"Unknown client option 'max_worker'.*max_workers"):
        ClientOptions.of(max_worker=2)  # type: ignore[call-arg]


@pytest.mark.parametrize(("options", "error", "message"), BAD)
def test_connect_refuses_before_making_the_cache_folder_or_a_socket(
    options: dict[str, Any], error: type[Exception], message: str, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    opened: list[Any] = []

    def connect(*args: Any, **kwargs: Any) -> Any:
        opened.append(args)
        raise OSError("no sockets in this test")

    monkeypatch.setattr(urllib3.util.connection, "create_connection", connect)
    cache = tmp_path / "cache"
    kwargs = {"cache_dir": cache, **options}
    with pytest.raises(error, match=message):
        api.connect("http://127.0.0.1:9", **kwargs)
    assert not cache.exists()
    assert opened == []


def test_a_bad_base_url_is_refused_before_the_cache_folder(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="base_url must be an http"):
        api.connect("ftp://example", cache_dir=tmp_path / "cache")
    assert not (tmp_path / "cache").exists()


def test_local_refuses_before_starting_a_viewer(tmp_path: Path) -> None:
    storage = tmp_path / "storage"
    with pytest.raises(ValueError, match="max_workers"):
        api.local(storage, python=tmp_path / "no-python", max_workers=0)
    assert not storage.exists()  # LocalViewer makes the folder: it was never built


def test_the_socket_guard_sees_a_connect_with_good_options(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The guard above is real: a client with good options does try to connect."""
    opened: list[Any] = []

    def connect(*args: Any, **kwargs: Any) -> Any:
        opened.append(args)
        raise OSError("no sockets in this test")

    monkeypatch.setattr(urllib3.util.connection, "create_connection", connect)
    with pytest.raises(api.APIConnectionError):
        api.connect("http://127.0.0.1:9", max_retries=0)
    assert opened
