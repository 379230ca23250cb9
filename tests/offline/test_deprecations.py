"""Renamed names keep working until 1.0, each with a DeprecationWarning naming the new
place, and each gives the very object the new name gives."""

from __future__ import annotations

import importlib

import pytest

import runicorn_api as api
from runicorn_api import formats
from runicorn_api.models import experiment, gpu, machine, system
from runicorn_api.testing import copies

MOVED = [
    ("runicorn_api.models.telemetry", "GPUHistory", gpu.GPUHistory, "runicorn_api.models.gpu"),
    ("runicorn_api.models.telemetry", "Temperatures", machine.Temperatures, "models.machine"),
    ("runicorn_api.models.telemetry", "StatusCheck", system.StatusCheck, "models.system"),
    ("runicorn_api.export", "render", formats.render, "runicorn_api.formats"),
    ("runicorn_api.testing.dataset", "copy_storage", copies.copy_storage, "testing.copies"),
    ("runicorn_api.models.experiment", "RunActions", experiment.RunHome, "RunHome"),
]


@pytest.mark.parametrize(("module", "name", "same", "named"), MOVED, ids=[m[1] for m in MOVED])
def test_an_old_name_warns_and_is_the_new_object(
    module: str, name: str, same: object, named: str
) -> None:
    old = importlib.import_module(module)
    with pytest.warns(DeprecationWarning, match=named):
        found = getattr(old, name)
    assert found is same


@pytest.mark.parametrize("module", ["runicorn_api.models.telemetry", "runicorn_api.export"])
def test_a_name_that_never_was_is_an_attribute_error(module: str) -> None:
    assert not hasattr(importlib.import_module(module), "NoSuchThing")


def test_the_moved_models_are_importable_from_the_models_package() -> None:
    assert api.models.GPUHistory is gpu.GPUHistory
    assert api.models.Temperatures is machine.Temperatures
    assert api.models.PathTree.__module__ == "runicorn_api.models.paths"
    assert api.Project is api.models.Project is experiment.Project
