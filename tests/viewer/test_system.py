"""System endpoints and server detection, against both real viewers."""

from __future__ import annotations

import subprocess
import textwrap

import pytest

import runicorn_api as api
from runicorn_api._local_viewer import free_port
from tests.support.viewers import ViewerEnv


def reported_version(viewer: ViewerEnv) -> str:
    """The version the installed runicorn package says it is (0.5.3's wheel says 0.5.2)."""
    out = subprocess.run(
        [str(viewer.prepared.python), "-c", "import runicorn; print(runicorn.__version__)"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return out.stdout.strip()


def test_health_check(viewer: ViewerEnv) -> None:
    health = viewer.client.health_check()
    assert isinstance(health, api.Health)
    assert health.ok
    assert health["status"] == "ok"
    assert health.get("version", "unknown") == reported_version(viewer)
    assert health.storage == viewer.manifest.storage
    assert health.cache is not None
    assert (health.storage_backend is not None) == (viewer.generation == "0.7")


def test_server_detection(viewer: ViewerEnv) -> None:
    server = viewer.client.server
    assert server.version == reported_version(viewer)
    assert server.generation == viewer.manifest.generation
    assert str(server) == f"runicorn {reported_version(viewer)}"
    assert server.supports("artifacts") == (viewer.generation == "0.5")
    assert server.supports("tags") == (viewer.generation == "0.7")
    assert server.supports("recycle_bin")
    with pytest.raises(ValueError, match="Unknown feature 'teleport'"):
        server.supports("teleport")


def test_get_config(viewer: ViewerEnv) -> None:
    config = viewer.client.get_config()
    assert isinstance(config, api.ViewerConfig)
    assert config["user_root"] == viewer.manifest.storage
    assert config.storage == viewer.manifest.storage
    assert config.get("port", 23300) == 23300
    assert config.config_file is not None
    assert config.config_file.startswith(str(viewer.prepared.root / "home"))


def test_update_config_rejects_unknown_keys_without_a_request(viewer: ViewerEnv) -> None:
    sent: list[str] = []
    viewer.client.session.hooks["response"].append(lambda r, *a, **k: sent.append(r.url))
    try:
        with pytest.raises(api.UnsupportedFeatureError) as info:
            viewer.client.update_config({"port": 8080, "user_root": "/x"})
        assert "'port'" in str(info.value)
        assert "user_root" in str(info.value)
        with pytest.raises(ValueError, match="non-empty"):
            viewer.client.update_config({"user_root": ""})
    finally:
        viewer.client.session.hooks["response"].pop()
    assert sent == []


def test_update_config_changes_the_storage_root(viewer: ViewerEnv) -> None:
    # A viewer of its own: changing the root of the shared one would hide the data set.
    client = viewer.start_viewer("config")
    new_root = viewer.prepared.root / "other-storage"
    new_root.mkdir()
    result = client.update_config({"user_root": str(new_root)})
    assert result.ok is True
    assert result["user_root"] == str(new_root)
    assert client.get_config().user_root == str(new_root)
    assert client.list_experiments() == []
    client.update_config({"user_root_dir": viewer.manifest.storage})
    assert {e.id for e in client.list_experiments()} == viewer.manifest.ids()


def test_gpu_info_unavailable(viewer: ViewerEnv) -> None:
    info = viewer.client.get_gpu_info()
    assert isinstance(info, api.GPUInfo)
    assert info.available is False
    assert info.get("available") is False
    assert "nvidia-smi" in (info.reason or "")
    assert info.devices == []


# What the stand-in nvidia-smi prints: index, name, util.gpu, util.mem, mem.total,
# mem.used, temp, power.draw, power.limit, clocks.sm, clocks.mem, pstate, fan.speed
GPUS = [
    (0, "NVIDIA A100-SXM4-40GB", 37.0, 12.0, 40960.0, 10240.0, 51.0, 88.5, 400.0, 1410.0,
     1215.0, "P0", 30.0),
    (1, "NVIDIA GeForce RTX 4090", 3.0, 1.0, 24564.0, 512.0, 33.0, 21.25, 450.0, 210.0,
     405.0, "P8", 0.0),
]  # fmt: skip


def test_gpu_info_available_from_a_stand_in_nvidia_smi(viewer: ViewerEnv) -> None:
    lines = "\n".join(", ".join(str(v) for v in gpu) for gpu in GPUS)
    stub = viewer.bin_dir / "nvidia-smi"
    stub.write_text(textwrap.dedent(f"""\
        #!/bin/sh
        case "$*" in *--query-gpu=*--format=csv,noheader,nounits*) ;; *) exit 2 ;; esac
        cat <<'CSV'
        {lines}
        CSV
        """))  # fmt: skip
    stub.chmod(0o755)
    try:
        info = viewer.client.get_gpu_info()
    finally:
        stub.unlink()
    assert info.available is True
    assert info.reason is None
    assert info.ts is not None
    assert len(info.devices) == len(GPUS)
    for device, gpu in zip(info.devices, GPUS, strict=True):
        assert device.index == gpu[0]
        assert device["name"] == gpu[1]
        assert device.utilization_gpu == gpu[2]
        assert device["memory_total"] == gpu[4]
        assert device.memory_used == gpu[5]
        assert device.memory_free == gpu[4] - gpu[5]
        assert device.memory_used_pct == pytest.approx(100 * gpu[5] / gpu[4])
        assert device.temperature_c == gpu[6]
        assert device.power_w == gpu[7]
        assert device.power_limit_w == gpu[8]
        assert device.pstate == gpu[11]
        assert device.fan_speed_pct == gpu[12]


def test_connection_error_for_a_closed_port() -> None:
    port = free_port()
    with pytest.raises(api.ConnectionError) as info:
        api.connect(f"http://127.0.0.1:{port}", max_retries=0)
    message = str(info.value)
    assert "runicorn viewer" in message
    assert f"127.0.0.1:{port}" in message
    assert "connection refused" in message
    assert isinstance(info.value, api.RunicornAPIError)
    assert info.value.status_code is None
