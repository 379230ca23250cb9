"""Every Python block of README.md and docs/ runs against a real viewer with the data set.

Blocks run with pytest-examples, page by page and in order, sharing one namespace per
page. The namespace starts with ``api``, ``utils``, ``F``, a ``client`` of the page's
viewer and run ids from the data set's manifest (:func:`_namespace`). ``connect()`` with
no URL and the docs' ``http://127.0.0.1:23300`` reach the test viewer. Each page runs
on its own viewer over a copy of the data set, since some blocks write (tags, stages).

Printed output written under a ``print`` as ``#>`` lines is checked on the newest viewer
of the block's generation: the docs show what a real viewer answered. Regenerate it with
``pytest tests/test_docs.py --update-examples``.

A block's first line may say where it runs, visibly in the docs:

* ``# Not run by the docs tests: <why>`` (it needs an SSH host, say);
* ``# 0.5.x only`` or ``# 0.7.x only``.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pytest_examples import CodeExample, EvalExample, find_examples

import runicorn_api as api
from runicorn_api import utils
from runicorn_api.filters import F
from runicorn_api.testing.copies import copy_storage
from tests.support.viewers import ViewerEnv

ROOT = Path(__file__).resolve().parents[2]
PAGES = [ROOT / "README.md", *sorted(p for p in (ROOT / "docs").rglob("*.md")
                                     if not p.name.endswith(".zh.md"))]  # fmt: skip
"""The English pages; a Chinese one (``<page>.zh.md``) must hold the same code blocks,
so its code runs here once, with the English page's."""
TRANSLATIONS = sorted((ROOT / "docs").rglob("*.zh.md"))
SEED_URL = "http://127.0.0.1:23300"
OUTPUT_FROM = {"0.5": "0.5.3", "0.7": "0.7.2"}
"""The viewer whose answers the docs show, per generation."""
SKIP = "# Not run by the docs tests:"


def _blocks(page: Path) -> list[CodeExample]:
    return list(find_examples(page))


PAGES_WITH_CODE = [p for p in PAGES if _blocks(p)]


def test_every_page_with_code_is_collected() -> None:
    assert ROOT / "README.md" in PAGES_WITH_CODE
    for page in PAGES_WITH_CODE:
        for block in _blocks(page):
            first = block.source.lstrip().splitlines()[0]
            if first.startswith("# Not run"):
                assert first.startswith(SKIP), f"{page.name}:{block.start_line}: {first}"
                assert len(first) > len(SKIP) + 3, f"{page.name}:{block.start_line}: say why"


FENCE = re.compile(r"^```.*?^```", re.MULTILINE | re.DOTALL)
INLINE_CODE = re.compile(r"(?<!`)(`+)(?!`)(.+?)(?<!`)\1(?!`)", re.DOTALL)
DIRECTIVE = re.compile(r"^::: .*$", re.MULTILINE)
FIGURE = re.compile(r"!\[[^\]]*\]\(([^)]+)\)")


SNIPPET = re.compile(r'^--8<-- "([^"]+)"$', re.MULTILINE)


def _read(page: Path) -> str:
    """A page's text with its ``--8<--`` snippets (files of the repository) in place."""
    text = page.read_text(encoding="utf-8")
    return SNIPPET.sub(lambda m: (ROOT / m.group(1)).read_text(encoding="utf-8"), text)


def _quoted(page: str) -> set[str]:
    """The inline code of a page's prose, a span wrapped over lines read as one line."""
    prose = FENCE.sub("", page)
    return {" ".join(span.split()) for _, span in INLINE_CODE.findall(prose)}


@pytest.mark.parametrize("page", TRANSLATIONS, ids=lambda p: str(p.relative_to(ROOT)))
def test_a_translation_shows_the_same_code(page: Path) -> None:
    """The same code blocks, reference directives and figures; every name the English
    prose quotes as code is quoted in the Chinese too; and the prose is Chinese."""
    english = page.with_name(page.name.replace(".zh.md", ".md"))
    assert english.exists(), f"{page.name} translates no English page"
    theirs, ours = _read(english), page.read_text(encoding="utf-8")
    assert FENCE.findall(ours) == FENCE.findall(theirs)
    assert DIRECTIVE.findall(ours) == DIRECTIVE.findall(theirs)
    assert FIGURE.findall(ours) == FIGURE.findall(theirs)
    assert sorted(_quoted(theirs) - _quoted(ours)) == []
    prose = DIRECTIVE.sub("", INLINE_CODE.sub("", FENCE.sub("", ours)))
    assert len(re.findall(r"[\u4e00-\u9fff]", prose)) > 10, f"{page.name} has no Chinese text"


def test_every_page_is_translated() -> None:
    pages = {p.relative_to(ROOT / "docs") for p in PAGES if p.parent != ROOT}
    translated = {p.relative_to(ROOT / "docs") for p in TRANSLATIONS}
    assert sorted(str(p) for p in pages if p.with_suffix(".zh.md") not in translated) == []


@pytest.fixture(scope="session")
def docs_viewer(viewer: ViewerEnv, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A viewer of this version over a copy of the data set; its URL."""
    root = tmp_path_factory.mktemp(f"docs-{viewer.version}")
    copy_storage(viewer.prepared.storage, root / "storage")
    with api.local(root / "storage", python=viewer.prepared.python, home=root / "home") as client:
        yield client.base_url


def _namespace(viewer: ViewerEnv, client: api.RunicornClient) -> dict[str, Any]:
    runs = viewer.manifest
    return {
        "api": api,
        "utils": utils,
        "F": F,
        "client": client,
        "run_id": runs["resnet-s0"].run_id,
        "id1": runs["resnet-s0"].run_id,
        "id2": runs["resnet-s1"].run_id,
        "baseline_id": runs["resnet-s0"].run_id,
        "candidate_id": runs["resnet-s1"].run_id,
        "storage": str(viewer.prepared.storage),
    }


@pytest.mark.parametrize("page", PAGES_WITH_CODE, ids=lambda p: str(p.relative_to(ROOT)))
def test_docs_page(
    page: Path,
    viewer: ViewerEnv,
    docs_viewer: str,
    eval_example: EvalExample,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path))  # a block's ~/.cache stays in the test
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.setenv("RUNICORN_VIEWER_URL", docs_viewer)
    ran = 0
    with api.connect(docs_viewer) as client:
        namespace = _namespace(viewer, client)
        for block in _blocks(page):
            first = block.source.lstrip().splitlines()[0]
            if first.startswith(SKIP):
                continue
            generation = {"# 0.5.x only": "0.5", "# 0.7.x only": "0.7"}.get(first.strip())
            if generation not in (None, viewer.generation):
                continue
            block.source = block.source.replace(SEED_URL, docs_viewer)
            newest = OUTPUT_FROM[generation or "0.7"]
            try:
                if viewer.version != newest:
                    namespace = eval_example.run(block, module_globals=namespace)
                elif eval_example.update_examples:
                    namespace = eval_example.run_print_update(block, module_globals=namespace)
                    block.source = block.source.replace(docs_viewer, SEED_URL)  # as written
                else:
                    namespace = eval_example.run_print_check(block, module_globals=namespace)
            except Exception as err:  # pytest cannot show frames of the block's source
                pytest.fail(f"{page.name}, block at line {block.start_line}: "
                            f"{type(err).__name__}: {err}")  # fmt: skip
            ran += 1
    if ran == 0:
        pytest.skip(f"every block of {page.name} is for the other generation or not run")


@pytest.mark.parametrize("name", ["generations.md", "generations.zh.md"])
def test_generations_table_matches_the_adapters(name: str) -> None:
    from runicorn_api._generations.v05 import V05Adapter
    from runicorn_api._generations.v07 import V07Adapter
    from runicorn_api.models.server import FEATURES

    text = (ROOT / "docs" / "guides" / name).read_text(encoding="utf-8")
    text = text.split("<!-- routes:")[0]  # the feature table, not the route table below it
    rows = {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip("|").split("|")]
        if len(cells) == 4 and cells[0].startswith("`"):
            rows[cells[0].strip("`")] = (cells[2] == "yes", cells[3] == "yes")
    assert rows == {name: (name in V05Adapter.features, name in V07Adapter.features)
                    for name in FEATURES}  # fmt: skip


def test_the_route_table_is_rendered() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "route_table.py"), "--check"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr


def test_reference_covers_every_public_name() -> None:
    import runicorn_api.models
    import runicorn_api.resources

    documented = set()
    for page in (ROOT / "docs" / "reference").glob("*.md"):
        for line in page.read_text(encoding="utf-8").splitlines():
            if line.startswith("::: "):
                documented.add(line[4:].strip())
    missing = []
    for module in (api, runicorn_api.models, runicorn_api.resources):
        for name in module.__all__:
            obj = getattr(module, name)
            home = getattr(obj, "__module__", None) if callable(obj) else None
            if home is None:  # a constant: named in the docs' text is enough
                continue
            public = f"{module.__name__}.{name}"
            if not {home, f"{home}.{name}", public} & documented:
                missing.append(f"{module.__name__}.{name} ({home})")
    assert missing == []


SEED_METHODS = ["list_experiments", "get_experiment", "get_metrics", "get_config",
                "update_config", "export_experiment", "list_artifacts", "get_artifact",
                "connect", "start_viewer"]  # fmt: skip
"""The methods the seed document describes (its ``#### name()`` headings)."""


def test_every_seed_method_has_a_guide() -> None:
    guides = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "docs").rglob("*.md"))
    assert [m for m in SEED_METHODS if f"{m}(" not in guides] == []


def test_guides_reach_every_repository_and_collection_feature() -> None:
    import re

    from runicorn_api._common import collection as _collection
    from runicorn_api.resources import (
        artifacts,
        diagnostics,
        experiments,
        exports,
        images,
        imports,
        metrics,
        paths,
        projects,
        recycle_bin,
        system,
    )
    from runicorn_api.resources.experiments.archive import ArchiveMixin
    from runicorn_api.resources.experiments.logs import LogsMixin
    from runicorn_api.resources.remote.saved import SavedMixin

    text = "\n".join(p.read_text(encoding="utf-8") for p in PAGES)
    classes = [api.RunicornClient, experiments.ExperimentsResource,
               experiments.ExperimentCollection, LogsMixin, projects.ProjectsResource,
               recycle_bin.RecycleBinResource, metrics.MetricsResource,
               metrics.MetricsCollection, artifacts.ArtifactsResource,
               artifacts.ArtifactCollection, images.ImagesResource, system.SystemResource,
               _collection.Collection, ArchiveMixin, paths.PathsResource,
               imports.ImportsResource, diagnostics.DiagnosticsResource, SavedMixin,
               exports.ExportsResource]  # fmt: skip
    missing = [
        f"{cls.__name__}.{name}"
        for cls in classes
        for name, member in vars(cls).items()
        if not name.startswith("_")
        and (callable(member) or isinstance(member, property))
        and not re.search(rf"\b{name}\b", text)
    ]
    assert missing == []
