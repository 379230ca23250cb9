"""The shared model base: mapping access, extras, strict validation."""

from __future__ import annotations

import pytest

import runicorn_api as api
from runicorn_api.models._base import validate_model
from tests.support.scripted_server import Reply, Script, scripted_server


def test_mapping_access_sees_fields_properties_and_extras() -> None:
    config = api.ViewerConfig.model_validate(
        {"user_root_dir": "", "storage": "/data", "brand_new_key": 7}
    )
    assert config["storage"] == "/data"
    assert config["user_root"] == "/data"  # a property, as the seed names it
    assert config["brand_new_key"] == 7  # kept from a newer viewer
    assert config.get("port", 23300) == 23300
    assert "user_root" in config
    assert "port" not in config
    with pytest.raises(KeyError, match=r"no key 'port'; available: .*storage"):
        config["port"]
    assert config.to_dict()["brand_new_key"] == 7
    with pytest.raises(TypeError):
        config["storage"] = "/x"  # type: ignore[index]


def test_strict_mode_names_the_field_path() -> None:
    body = {"available": True, "gpus": [{"index": 0, "name": "A", "mem_total_mib": "lots"}]}
    with pytest.raises(api.ResponseValidationError) as info:
        validate_model(api.GPUInfo, body, strict=True, context="GET /api/gpu/telemetry")
    assert "devices.0.memory_total" in str(info.value) or "gpus.0.mem_total_mib" in str(info.value)
    assert info.value.errors


def test_lenient_mode_warns_and_keeps_the_body() -> None:
    body = {"available": True, "gpus": [{"index": 0, "name": "A", "mem_total_mib": "lots"}]}
    with pytest.warns(api.ResponseValidationWarning, match="mem_total_mib|memory_total"):
        info = validate_model(api.GPUInfo, body, strict=False)
    assert info.available is True


def test_strict_client_raises_on_a_malformed_health() -> None:
    script = Script().on("GET", "/api/health", Reply(200, {"status": "ok", "version": 72}))
    with scripted_server(script) as url:
        with pytest.raises(api.ResponseValidationError, match="version"):
            api.connect(url, strict=True)
        with pytest.warns(api.ResponseValidationWarning, match="version"):
            client = api.connect(url)
        client.close()


def test_experiment_path_mapping() -> None:
    assert api.Experiment.split_path("a/b/c") == ("a", "b/c")
    assert api.Experiment.split_path("solo") == ("solo", None)
    assert api.Experiment.split_path(None) == (None, None)
