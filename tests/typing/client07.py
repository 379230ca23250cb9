"""The examples of runicorn 0.7's own client document that this SDK serves, as a type
checker sees them (checked by mypy --strict and pyright in ``make lint``; never run)."""

from __future__ import annotations

from typing_extensions import assert_type

import runicorn_api as client_mod


def core_client() -> None:
    client = client_mod.connect(base_url="http://127.0.0.1:23300", timeout=30, max_retries=3)
    assert_type(client, client_mod.RunicornClient)
    direct = client_mod.RunicornClient(base_url="http://127.0.0.1:23300", timeout=30, max_retries=3)
    with client_mod.connect() as context:
        health = context.health_check()
        assert_type(health["status"], str)
    run = direct.get_run("20260101_000000_abcdef")
    assert_type(run["path"], str | None)
    assert_type(run["status"], str)


def experiment_management(client: client_mod.RunicornClient) -> None:
    runs = client.list_runs()
    assert_type(runs, list[client_mod.Experiment])
    assert_type(runs[0]["id"], str)
    path_info = client.list_paths(include_stats=True)
    assert_type(path_info.keys(), list[str])
    assert_type(path_info["paths"], list[str])
    vision = client.list_runs_by_path(path="vision", exact=False)
    assert_type(vision, list[client_mod.Experiment])


def metrics_data(client: client_mod.RunicornClient) -> None:
    metrics = client.get_metrics("20260101_000000_abcdef", downsample=1000)
    assert_type(metrics["columns"], list[str])
    assert_type(metrics["rows"], list[dict[str, client_mod.JSON]])
    assert_type(client.export_csv("20260101_000000_abcdef"), bytes)
    assert_type(client.export_report("20260101_000000_abcdef", format="html"), bytes)


def configuration(client: client_mod.RunicornClient) -> None:
    assert_type(client.set_user_root_dir("/runs"), client_mod.ConfigUpdate)
    assert_type(client.check_status()["checked"], int)
    assert_type(client.get_storage_stats()["total_bytes"], int | None)


def remote(client: client_mod.RunicornClient) -> None:
    try:
        client.remote.connect(host="gpu", port=22, username="alice", private_key_path="k")
    except client_mod.HostKeyConfirmationRequiredError as err:
        key = err.host_key
        client.remote.confirm_host_key(
            key.host, key.port, key.key_type, key.public_key, key.fingerprint_sha256
        )
    session = client.remote.start_viewer(
        host="gpu", port=22, username="alice", remote_root="/data", conda_env="system"
    )
    assert_type(session, client_mod.RemoteSession)
    found = client.remote.list_remote_storage_candidates("alice@gpu:22")
    assert_type(found, list[client_mod.RemoteResult])
    assert_type(client.remote.disconnect("gpu", port=22, username="alice"), client_mod.RemoteResult)
