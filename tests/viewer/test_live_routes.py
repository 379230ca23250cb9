"""Which routes a viewer serves is read from that viewer (its ``/openapi.json``, once):
a real viewer whose route list is narrower than its generation's takes the SDK's
fallback path, or a typed error before any request, never a 404 or 405."""

from __future__ import annotations

import pytest

import runicorn_api as api
import runicorn_api.utils
from runicorn_api.testing.copies import copy_storage
from tests.support.counting import counting
from tests.support.narrowed_viewer import REMOVE_ENV, narrowed_python
from tests.support.viewers import ViewerEnv, empty_viewer

EXPORT = ("POST", "/api/runs/export")
STATUS = ("POST", "/api/status/check")


def _narrowed(viewer: ViewerEnv, name: str, *routes: tuple[str, str]) -> api.RunicornClient:
    """A viewer of ``viewer``'s release over a copy of its data set, without ``routes``."""
    root = viewer.prepared.root / f"narrowed-{name}"
    root.mkdir()
    copy_storage(viewer.prepared.storage, root / "storage")
    python = narrowed_python(viewer.prepared.python, root)
    remove = ";".join(f"{m} {p}" for m, p in routes)
    client = api.local(root / "storage", python=python, home=root / "home",
                       env={REMOVE_ENV: remove})  # fmt: skip
    viewer.extra.append(client)
    return client


def test_a_route_the_viewer_leaves_out_is_not_served(viewer: ViewerEnv) -> None:
    removed = EXPORT if viewer.generation == "0.7" else STATUS
    client = _narrowed(viewer, "serves", removed)
    with counting(client) as sent:
        assert client.serves(*removed) is False
        assert client.serves("GET", "/api/runs") is True
        assert client.serves(*STATUS) is (removed != STATUS)
    assert sent == ["GET /openapi.json"]  # read once, at the first question
    # The release's own viewer, unnarrowed, serves it: the generation was not wrong.
    assert viewer.client.serves(*removed) is True
    with pytest.raises(api.InvalidArgumentError, match="not a route"):
        client.serves("GET", "/api/nope")


def test_a_missing_export_takes_the_fallback_or_a_typed_error(viewer: ViewerEnv) -> None:
    if viewer.generation != "0.7":
        pytest.skip("POST /api/runs/export is a 0.7.x route")
    source = _narrowed(viewer, "export", EXPORT)
    run = next(r for r in viewer.manifest.runs if r.edge is None and not r.live)
    with counting(source) as sent, pytest.raises(api.UnsupportedFeatureError, match="does not"):
        source.experiments.export_archive([run.run_id], viewer.prepared.root / "x.zip")
    assert not [s for s in sent if "/api/runs/export" in s]  # no request was sent
    target, _ = empty_viewer(viewer, "narrowed-target")
    with counting(source) as sent:
        report = api.utils.copy_runs(source, target, [run.run_id])
    assert [r.run_id for r in report.copied] == [run.run_id], report
    assert report.copied[0].source == "folder"  # not the export the viewer lacks
    assert not [s for s in sent if "/api/runs/export" in s]
    assert target.get_metrics(run.run_id).total == source.get_metrics(run.run_id).total


def test_a_viewer_without_a_route_list_is_judged_by_its_generation(viewer: ViewerEnv) -> None:
    client = _narrowed(viewer, "no-openapi", ("GET", "/openapi.json"))
    with counting(client) as sent:
        assert client.serves(*STATUS) is True
        assert client.serves(*EXPORT) is (viewer.generation == "0.7")
    assert sent == ["GET /openapi.json"]  # asked once; its 404 is remembered
