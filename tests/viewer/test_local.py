"""runicorn_api.local(): an embedded viewer that the client owns."""

from __future__ import annotations

import os
import stat

import pytest

import runicorn_api as api
from tests.support.viewers import ViewerEnv


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie still answers kill(0); it is gone once reaped (Popen.wait did that).
    return True


def test_local_serves_a_storage_and_stops_on_close(viewer: ViewerEnv) -> None:
    with api.local(viewer.manifest.storage, python=viewer.prepared.python) as client:
        assert client.viewer is not None
        pid = client.viewer.pid
        assert pid is not None
        assert pid_alive(pid)
        assert client.base_url.startswith("http://127.0.0.1:")
        assert client.server.generation == viewer.generation
        assert {e.id for e in client.list_experiments()} == viewer.manifest.ids()
        scratch = client.viewer.log_path.parent
    assert not pid_alive(pid)
    assert not scratch.exists()


def test_local_without_storage_uses_an_empty_temporary_one(viewer: ViewerEnv) -> None:
    client = api.local(python=viewer.prepared.python)
    try:
        assert client.viewer is not None
        storage = client.viewer.storage
        assert storage.is_dir()
        assert client.get_config().storage == str(storage)
        assert client.list_experiments() == []
    finally:
        client.close()
    assert not storage.exists()


def test_local_reports_a_viewer_that_exits(tmp_path: os.PathLike[str]) -> None:
    fake = os.path.join(tmp_path, "python")
    with open(fake, "w") as f:
        f.write("#!/bin/sh\necho 'no module named runicorn here' >&2\nexit 3\n")
    os.chmod(fake, stat.S_IRWXU)
    with pytest.raises(api.ConnectionError) as info:
        api.local(python=fake, startup_timeout=20)
    assert "exited with code 3" in str(info.value)
    assert "no module named runicorn here" in str(info.value)
