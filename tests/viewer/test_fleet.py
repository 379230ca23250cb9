"""Several real viewers as one (``api.connect_many``): a 0.5.3 viewer, a 0.7.2 viewer and
a viewer of a copy of the 0.5.3 storage. Each storage is written here with that
version's own SDK, so expected values come from what was written (the manifests and the
writer's formula), never from the client under test. The same run ids exist on every
viewer (the writer numbers runs the same way), and the copy holds the very same runs:
each stays its own run."""

from __future__ import annotations

import csv
import io
import json
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

import runicorn_api as api
from runicorn_api.cli.app import URLS_ENV
from runicorn_api.filters import F
from runicorn_api.testing import viewer_python
from runicorn_api.testing.copies import (
    Manifest,
    RunRecord,
    benchmark_specs,
    copy_storage,
    expected_rows,
    write_runs,
)
from tests.conftest import VERSIONS
from tests.support.cli import run_cli

pytestmark = pytest.mark.viewer

RUNS, STEPS = 4, 120


@dataclass
class Viewers:
    clients: dict[str, api.RunicornClient]
    manifests: dict[str, Manifest]
    root: Path

    def urls(self) -> dict[str, str]:
        return {name: client.base_url for name, client in self.clients.items()}

    def runs(self, name: str) -> list[RunRecord]:
        return self.manifests[name].runs


@pytest.fixture(scope="module")
def viewers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Viewers]:
    if not {"0.5.3", "0.7.2"} <= set(VERSIONS):
        pytest.skip("a fleet of both generations needs runicorn 0.5.3 and 0.7.2")
    root = tmp_path_factory.mktemp("fleet")
    manifests: dict[str, Manifest] = {}
    storages: dict[str, tuple[Path, str]] = {}
    for name, version in (("a05", "0.5.3"), ("b07", "0.7.2")):
        generation = version.rsplit(".", 1)[0]
        specs = benchmark_specs(generation, runs=RUNS, steps=STEPS, big_steps=STEPS + 1)[:RUNS]
        manifest, _ = write_runs(viewer_python(version), version, root / name / "storage",
                                 specs, scratch=root / name / "scratch",
                                 home=root / name / "home")  # fmt: skip
        manifests[name] = manifest
        storages[name] = (root / name / "storage", version)
    copy_storage(root / "a05" / "storage", root / "c05" / "storage")
    manifests["c05"] = manifests["a05"]
    storages["c05"] = (root / "c05" / "storage", "0.5.3")
    clients: dict[str, api.RunicornClient] = {}
    try:
        for name, (storage, version) in storages.items():
            clients[name] = api.local(storage, python=viewer_python(version),
                                      home=root / name / "viewer-home")  # fmt: skip
        yield Viewers(clients, manifests, root)
    finally:
        for client in clients.values():
            client.close()


def _last_loss(run: RunRecord) -> float:
    return [r["loss"] for r in expected_rows(run) if r["loss"] is not None][-1]


def test_one_collection_answers_across_viewers_of_both_generations(viewers: Viewers) -> None:
    with api.connect_many(viewers.urls()) as fleet:
        runs = fleet.experiments
        assert len(runs) == 3 * RUNS
        seen = {(e.viewer, e.id) for e in runs}
        expected = {(n, r.run_id) for n in viewers.clients for r in viewers.runs(n)}
        assert seen == expected
        assert len({run_id for _, run_id in seen}) == RUNS  # the same ids on every viewer
        assert runs.ids()[0] == f"a05:{viewers.runs('a05')[0].run_id}"
        frame = runs.to_polars(["viewer", "id", "path"])
        assert frame.columns == ["viewer", "id", "path"]
        assert frame.group_by("viewer").len().sort("viewer").rows() == [
            ("a05", RUNS), ("b07", RUNS), ("c05", RUNS)
        ]  # fmt: skip
        assert set(runs.to_pandas()["viewer"]) == {"a05", "b07", "c05"}
        assert runs.to_arrow(["viewer", "id"]).num_rows == 3 * RUNS


def test_filter_order_and_slices_apply_to_all_runs_together(viewers: Viewers) -> None:
    expected = {(n, r.run_id): _last_loss(r) for n in viewers.clients for r in viewers.runs(n)}
    with api.connect_many(viewers.urls()) as fleet:
        ordered = fleet.experiments.order_by("-metrics.loss.last")
        lasts = [expected[(e.viewer or "", e.id)] for e in ordered]
        assert lasts == sorted(expected.values(), reverse=True)
        top = ordered[:2].to_polars(["viewer", "id", "metrics.loss.last"])
        assert top["metrics.loss.last"].to_list() == pytest.approx(lasts[:2])
        cut = sorted(expected.values())[len(expected) // 2]
        low = fleet.experiments.filter(F("metrics.loss.last") < cut, status="finished")
        assert {(e.viewer, e.id) for e in low} == {k for k, v in expected.items() if v < cut}
        assert len(fleet.experiments.exclude(F("metrics.loss.last") < cut)) == len(
            [v for v in expected.values() if v >= cut]
        )
        with pytest.raises(api.InvalidArgumentError, match=r"metrics\.los\.last"):
            fleet.experiments.filter(F("metrics.los.last") < 1).ids()


def test_the_viewer_is_a_key_like_any_other(viewers: Viewers) -> None:
    listed = [(n, r.run_id) for n in viewers.clients for r in viewers.runs(n)]
    with api.connect_many(viewers.urls()) as fleet:
        only = fleet.experiments.filter(F("viewer") == "b07")
        assert sorted((e.viewer, e.id) for e in only) == sorted(k for k in listed if k[0] == "b07")
        rest = fleet.experiments.exclude(F("viewer").isin(["a05", "c05"]))
        assert rest.ids() == only.ids()
        mixed = fleet.experiments.filter((F("viewer") == "a05") | (F("viewer") == "c05"))
        assert len(mixed) == len([k for k in listed if k[0] != "b07"])
        ordered = fleet.experiments.order_by("-viewer", "id")
        assert [(e.viewer, e.id) for e in ordered] == sorted(
            listed, key=lambda k: (-ord(k[0][0]), k[1])
        )
        frame = fleet.experiments.filter(F("viewer") != "a05").to_polars(["viewer", "id"])
        assert sorted(frame.rows()) == sorted(k for k in listed if k[0] != "a05")


def test_metrics_of_all_runs_name_their_viewer(viewers: Viewers) -> None:
    with api.connect_many(viewers.urls()) as fleet:
        points = fleet.experiments.metrics(["loss"])
        assert len(points) == 3 * RUNS
        frame = points.to_polars()
    assert frame.columns[:2] == ["viewer", "run_id"]
    for name in viewers.clients:
        for run in viewers.runs(name):
            part = frame.filter((frame["viewer"] == name) & (frame["run_id"] == run.run_id))
            logged = [r["loss"] for r in expected_rows(run) if r["loss"] is not None]
            assert part.filter(part["metric"] == "loss")["value"].to_list() == pytest.approx(logged)


def test_the_seed_methods_across_viewers(viewers: Viewers) -> None:
    run = viewers.runs("b07")[1]
    with api.connect_many(viewers.urls()) as fleet:
        listed = fleet.list_experiments(project="grid")
        assert len(listed) == 3 * RUNS
        assert len(fleet.list_experiments(limit=5, offset=10)) == 3 * RUNS - 10
        projects = {p.name: p.experiment_count for p in fleet.list_projects()}
        assert projects == {"grid": 3 * RUNS}
        found = fleet.get_experiment(f"b07:{run.run_id}")
        assert (found.viewer, found.id, found.path) == ("b07", run.run_id, run.path)
        metrics = fleet.get_metrics(found, ["loss"])
        assert metrics["loss"].values[-1] == pytest.approx(_last_loss(run))
        assert fleet.get_metrics(f"a05:{run.run_id}").run_id == run.run_id
        with pytest.raises(api.InvalidArgumentError, match=r"a05:.*b07:.*c05:"):
            fleet.get_experiment(run.run_id)  # on all three viewers
        with pytest.raises(api.InvalidArgumentError, match="No viewer 'zz'"):
            fleet.get_metrics(f"zz:{run.run_id}")
        with pytest.raises(api.NotFoundError):
            fleet.get_experiment("20990101_000000_000000")


def test_a_viewer_that_stops_gives_partial_results_or_a_typed_error(viewers: Viewers) -> None:
    spare_root = viewers.root / "spare"
    copy_storage(viewers.root / "b07" / "storage", spare_root / "storage")
    spare = api.local(spare_root / "storage", python=viewer_python("0.7.2"),
                      home=spare_root / "home")  # fmt: skip
    urls = {**viewers.urls(), "spare": spare.base_url}
    try:
        with api.connect_many(urls) as warned, api.connect_many(urls, on_error="raise") as strict:
            assert len(warned.experiments) == 4 * RUNS
            spare.close()  # the viewer stops while the fleets are open
            with pytest.warns(api.FleetWarning, match="spare"):
                runs = warned.experiments.to_list()
            assert len(runs) == 3 * RUNS
            assert {e.viewer for e in runs} == {"a05", "b07", "c05"}
            assert set(warned.errors) == {"spare"}
            assert isinstance(warned.errors["spare"], api.APIConnectionError)
            with pytest.raises(api.FleetError, match="spare") as raised:
                strict.experiments.ids()
            assert set(raised.value.errors) == {"spare"}
            assert set(raised.value.partial) == {"a05", "b07", "c05"}
            assert isinstance(raised.value, api.RunicornAPIError)
    finally:
        spare.close()


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_a_viewer_that_does_not_answer_at_connect(viewers: Viewers) -> None:
    urls = {"a05": viewers.clients["a05"].base_url, "gone": f"http://127.0.0.1:{_closed_port()}"}
    with pytest.warns(api.FleetWarning, match="gone"):
        fleet = api.connect_many(urls, timeout=5, max_retries=0)
    with fleet:
        assert fleet.names == ["a05"]
        assert len(fleet.experiments) == RUNS
    with pytest.raises(api.FleetError, match="gone"):
        api.connect_many(urls, on_error="raise", timeout=5, max_retries=0)


def test_given_clients_stay_open_and_lists_are_named_by_host_and_port(viewers: Viewers) -> None:
    given = api.connect(viewers.clients["a05"].base_url)
    url = viewers.clients["b07"].base_url
    closed: list[str] = []
    given.add_close_hook(lambda: closed.append("given"))
    with api.connect_many([given, url]) as fleet:
        host = url.split("//")[1]
        assert fleet.names == [given.base_url.split("//")[1], host]
        fleet[host].add_close_hook(lambda: closed.append("opened"))
        assert {e.viewer for e in fleet.experiments} == set(fleet.names)
    assert closed == ["opened"]  # the fleet closed what it opened, and only that
    given.close()
    assert closed == ["opened", "given"]


@pytest.mark.parametrize(
    ("viewers_arg", "options"),
    [
        ({}, {}),
        ([], {}),
        ({"": "http://127.0.0.1:1"}, {}),
        ({"a:b": "http://127.0.0.1:1"}, {}),
        (["http://127.0.0.1:1", "http://127.0.0.1:1"], {}),
        ({"a": 42}, {}),
        ({"a": "http://127.0.0.1:1"}, {"on_error": "ignore"}),
    ],
)
def test_bad_arguments_are_refused_before_any_request(
    viewers_arg: object, options: dict[str, object]
) -> None:
    with pytest.raises(api.InvalidArgumentError):
        api.connect_many(viewers_arg, **options)  # type: ignore[arg-type]


def test_the_cli_asks_several_viewers_as_one(viewers: Viewers) -> None:
    urls = viewers.urls()
    args = [f"--url={name}={url}" for name, url in urls.items() if name != "c05"]
    done = run_cli("runs", "ls", *args, "-f", "json")
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)
    assert {(r["viewer"], r["id"]) for r in rows} == {
        (n, r.run_id) for n in ("a05", "b07") for r in viewers.runs(n)
    }
    env_urls = ",".join(f"{n}={u}" for n, u in urls.items())
    done = run_cli("runs", "ls", "-f", "csv", env={URLS_ENV: env_urls})
    assert done.returncode == 0, done.stderr
    assert len(list(csv.DictReader(io.StringIO(done.stdout)))) == 3 * RUNS
    run = viewers.runs("b07")[2]
    done = run_cli("metrics", f"b07:{run.run_id}", f"a05:{run.run_id}", "--metric", "loss",
                   *args, "-f", "csv")  # fmt: skip
    assert done.returncode == 0, done.stderr
    table = list(csv.DictReader(io.StringIO(done.stdout)))
    assert list(table[0])[:2] == ["viewer", "run_id"]
    logged = [r["loss"] for r in expected_rows(run) if r["loss"] is not None]
    for name in ("b07", "a05"):
        values = [float(r["value"]) for r in table if r["viewer"] == name]
        assert values == pytest.approx(logged)


def test_the_cli_names_a_viewer_that_does_not_answer(viewers: Viewers) -> None:
    gone = f"http://127.0.0.1:{_closed_port()}"
    done = run_cli("runs", "ls", f"--url=a05={viewers.clients['a05'].base_url}",
                   f"--url=gone={gone}", "-f", "json")  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert len(json.loads(done.stdout)) == RUNS
    assert done.stderr.startswith("runicorn-api: warning: connect_many: 1 of 2 viewers failed")
    assert "gone" in done.stderr
    assert "Traceback" not in done.stderr
    mixed = run_cli("runs", "ls", f"--url=a05={viewers.clients['a05'].base_url}", "--url", gone)
    assert mixed.returncode == 2
    assert mixed.stderr == "runicorn-api: error: name every viewer (NAME=URL) or none\n"
