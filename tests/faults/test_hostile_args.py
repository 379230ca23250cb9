"""Hostile arguments to every public method, drawn by hypothesis, against a real viewer.

Only ValueError, TypeError or the SDK's typed errors may come out, and an argument the SDK
refuses itself (InvalidArgumentError) must leave without a request. Left out: close(),
the calls that change the viewer's configuration (its storage root, GPU collector, saved
connections), empty its recycle bin, create folders or import files into the shared data
set (a hostile "../../etc/passwd" names a real file), and the remote calls that open SSH
connections (a hostile host name would be looked up beyond loopback).
"""

from __future__ import annotations

import inspect
import math
import warnings
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import runicorn_api as api
from runicorn_api._common.collection import Collection
from tests.support.reliability import report
from tests.support.viewers import ViewerEnv

HOSTILE: list[Any] = [
    None, "", " ", "../../etc/passwd", "a/b", "a\\b", "\x00", "é" * 3, "x" * 5000,
    10**30, -1, 0, 2**63, math.nan, math.inf, -0.0, True, False,
    [], {}, [None], ["../x"], b"bytes", object(),
]  # fmt: skip

SKIP = {
    "close", "update_config", "empty",  # the viewer's configuration; the recycle bin
    "set_user_root_dir", "set_gpu_config", "save_ssh_connection",  # its configuration
    "create", "import_archive", "archive", "preview",  # folders and files into the data set
    "connect", "start_viewer", "open",  # SSH to a host name that may not be loopback
}  # fmt: skip


def _targets(client: api.RunicornClient) -> dict[str, Callable[..., Any]]:
    owners = {
        "client": client, "experiments": client.experiments, "projects": client.projects,
        "recycle_bin": client.recycle_bin, "metrics": client.metrics,
        "artifacts": client.artifacts, "system": client.system, "remote": client.remote,
        "paths": client.paths, "imports": client.imports, "diagnostics": client.diagnostics,
        "exports": client.exports,
    }  # fmt: skip
    found: dict[str, Callable[..., Any]] = {}
    for owner_name, owner in owners.items():
        for name, _member in inspect.getmembers(type(owner), inspect.isfunction):
            if not name.startswith("_") and name not in SKIP:
                found[f"{owner_name}.{name}"] = getattr(owner, name)
    return found


def _arguments(fn: Callable[..., Any]) -> st.SearchStrategy[dict[str, Any]]:
    required: dict[str, st.SearchStrategy[Any]] = {}
    optional: dict[str, st.SearchStrategy[Any]] = {}
    for name, param in inspect.signature(fn).parameters.items():
        if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
            continue
        pool = st.sampled_from(HOSTILE)
        (required if param.default is param.empty else optional)[name] = pool
    return st.fixed_dictionaries(required, optional=optional)


def _consume(result: Any) -> None:
    if isinstance(result, Collection):
        result.to_list()


@pytest.fixture(scope="module")
def calls(viewer: ViewerEnv) -> dict[str, Callable[..., Any]]:
    return _targets(viewer.client)


def test_every_public_method_is_covered(calls: dict[str, Callable[..., Any]]) -> None:
    assert {"client.get_metrics", "experiments.filter", "artifacts.download",
            "remote.stop_viewer", "metrics.many"} <= set(calls)  # fmt: skip
    assert not SKIP & {name.split(".")[1] for name in calls}


def test_hostile_arguments_give_only_typed_errors(
    viewer: ViewerEnv, calls: dict[str, Callable[..., Any]]
) -> None:
    client = viewer.client
    sent: list[str] = []

    def hook(response: Any, *args: Any, **kwargs: Any) -> None:
        sent.append(response.request.path_url)

    tally = {"calls": 0, "refused_locally": 0, "typed": 0, "returned": 0}
    defects: set[str] = set()

    def checker(name: str, fn: Callable[..., Any]) -> Callable[[], None]:
        @settings(max_examples=25, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))  # fmt: skip
        @given(_arguments(fn))
        def check(kwargs: dict[str, Any]) -> None:
            before = len(sent)
            tally["calls"] += 1
            outcome = "returned"
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", api.ResponseValidationWarning)
                    _consume(fn(**kwargs))
            except api.InvalidArgumentError:
                outcome = "refused_locally"
            except (ValueError, TypeError, api.RunicornAPIError):
                outcome = "typed"
            except Exception as err:  # collected, so that one run lists every defect
                defects.add(f"{name}: {type(err).__name__}: {str(err)[:120]}")
                return
            tally[outcome] += 1
            if outcome == "refused_locally":
                assert sent[before:] == [], f"{name}({kwargs!r}) refused after a request"

        return check  # type: ignore[no-any-return]

    client.session.hooks["response"].append(hook)
    try:
        for name, fn in sorted(calls.items()):
            checker(name, fn)()
    finally:
        client.session.hooks["response"].remove(hook)
    report(viewer, "hostile arguments", tally["calls"], len(sent), 0, 0, 0.0)
    print(tally)
    assert not defects, "\n".join(sorted(defects))
    assert tally["refused_locally"] > tally["calls"] // 2
