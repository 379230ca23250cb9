"""The typed-keys generator's own checks: generated code lives only in the two generated
modules, and every keyed model lists its keys class first (``make lint`` runs the check
on the real package; here it must catch each mistake in a package made to hold one)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("typed_keys", ROOT / "tools" / "typed_keys.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["typed_keys"] = module
    spec.loader.exec_module(module)
    return module


MODEL = """from ._base import RunicornModel
from ._keys import GoodKeys


class Good(GoodKeys, RunicornModel):
    name: str


class Bad(RunicornModel):
    size: int
"""


@pytest.fixture
def tool(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    module = _tool()
    package = tmp_path / "runicorn_api"
    models = package / "models"
    models.mkdir(parents=True)
    (models / "things.py").write_text(MODEL, encoding="utf-8")
    monkeypatch.setattr(module, "PACKAGE", package)
    monkeypatch.setattr(module, "MODELS", models)
    monkeypatch.setattr(module, "OUT_PY", models / "_keys.py")
    monkeypatch.setattr(module, "OUT_PYI", models / "_keys.pyi")
    return module


def test_a_model_without_its_keys_class_first_is_reported(tool: ModuleType) -> None:
    generated = tool.generate()
    assert generated.keyed == {"Good": "things", "Bad": "things"}
    assert 'def __getitem__(self, key: Literal["size"]) -> int: ...' in generated.stub
    assert tool._problems(generated) == [
        "models/things.py: Bad must list BadKeys first among its bases"
    ]


def test_generated_lines_in_a_hand_written_module_are_reported(tool: ModuleType) -> None:
    (tool.MODELS / "things.py").write_text(
        MODEL.replace("class Bad(RunicornModel)", "class Bad(BadKeys, RunicornModel)")
        + f"\n# -- typed dict-style access ({tool.MARK}; do not edit) --\n",
        encoding="utf-8",
    )
    problems = tool._problems(tool.generate())
    assert problems == ["runicorn_api/models/things.py holds generated lines"]


def test_the_package_holds_no_generated_lines_outside_the_generated_modules() -> None:
    tool = _tool()
    assert tool._problems(tool.generate()) == []
    for path in (tool.OUT_PY, tool.OUT_PYI):
        assert path.read_text(encoding="utf-8").startswith(tool.HEADER)
