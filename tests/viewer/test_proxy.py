"""A shared viewer behind a real nginx with TLS and basic auth (see
``tests/support/tls_proxy.py``): the same runs, metrics, logs and downloads through it,
and each way of being refused as its typed error, with the password in no message.

The clients here read no storage file (``direct_reads="never"``), so every answer comes
through the proxy; nginx's access log shows that it did. Expected values are the data
set's (the fixture's manifest and the files its writer logged).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import urllib3

import runicorn_api as api
from runicorn_api.testing.copies import expected_rows
from tests.support.tls_proxy import TLSProxy, nginx_binary, start_tls_proxy
from tests.support.viewers import ViewerEnv


@pytest.fixture
def proxy(viewer: ViewerEnv, tmp_path: Path) -> Iterator[TLSProxy]:
    if nginx_binary() is None:
        if os.environ.get("CI"):
            pytest.fail("nginx is not installed; .ci/run installs nginx-light")
        pytest.skip("nginx is not installed (apt-get install nginx-light)")
    started = start_tls_proxy(viewer.base_url, tmp_path / "nginx")
    yield started
    started.stop()


def _through(proxy: TLSProxy, **options: object) -> api.RunicornClient:
    return api.connect(
        proxy.url,
        auth=(proxy.user, proxy.password),
        verify=proxy.ca,
        direct_reads="never",
        **options,  # type: ignore[arg-type]
    )


def test_runs_and_metrics_through_the_proxy(viewer: ViewerEnv, proxy: TLSProxy) -> None:
    with _through(proxy, headers={"X-Runicorn-Test": "team-a"}) as client:
        assert client.server.version == viewer.client.server.version
        ids = {e.id for e in client.experiments.list()}
        assert {r.run_id for r in viewer.manifest.runs} <= ids
        run = viewer.manifest["resnet-s1"]
        metrics = client.get_metrics(run.run_id)
        assert metrics.source == "viewer"
        rows = [{k: v for k, v in row.items() if k != "time"} for row in metrics.rows]
        assert rows == expected_rows(run)
        if viewer.generation == "0.7":  # 0.5.x serves no summary over HTTP
            assert client.get_run(run.run_id).summary == run.summary
    assert proxy.logged(f"GET /api/runs/{run.run_id}/metrics 200 user={proxy.user}")
    assert proxy.logged('x_test="team-a"')  # the extra header reached the proxy


def test_logs_websocket_through_the_proxy(viewer: ViewerEnv, proxy: TLSProxy) -> None:
    run = viewer.manifest["resnet-s0"]
    assert run.log_lines
    direct = viewer.client.experiments.logs(run.run_id)  # read from the run folder
    with _through(proxy) as client:
        streamed = client.experiments.logs(run.run_id)
    assert streamed.source == "viewer"
    assert streamed.lines == [line for line in direct.lines if line.strip()]
    texts = [line.split(" | ", 1)[-1] for line in streamed.lines]  # "HH:MM:SS | text"
    assert {text for text in run.log_lines if text} <= set(texts)
    assert proxy.logged(f"GET /api/runs/{run.run_id}/logs/ws 101 user={proxy.user}")


def test_downloads_through_the_proxy(viewer: ViewerEnv, proxy: TLSProxy, tmp_path: Path) -> None:
    if viewer.generation == "0.5":
        pytest.skip("0.5.x serves no file download over HTTP (artifacts are read from disk)")
    run = viewer.manifest["resnet-s0"]
    assert run.images
    with _through(proxy) as client:
        paths = client.images.download(run.run_id, tmp_path / "images", progress=False)
        by_name = {p.name: p for p in paths}
        for wrote in run.images:
            data = by_name[Path(wrote["path"]).name].read_bytes()
            assert hashlib.sha256(data).hexdigest() == wrote["sha256"]
        zipped = client.experiments.export_archive([run.run_id], tmp_path / "runs.zip")
    assert zipped.stat().st_size > 0
    assert proxy.logged("POST /api/runs/export 200")


def test_no_credentials_is_an_authentication_error(proxy: TLSProxy) -> None:
    with pytest.raises(api.AuthenticationError) as info:
        api.connect(proxy.url, verify=proxy.ca)
    message = str(info.value)
    assert info.value.status_code == 401
    assert proxy.url in message
    assert "asks for credentials" in message
    assert "auth=" in message
    assert "<html" not in message  # nginx's error page is named by its title


def test_a_wrong_password_is_refused_and_never_shown(proxy: TLSProxy) -> None:
    wrong = "not-" + proxy.password
    with pytest.raises(api.AuthenticationError) as info:
        api.connect(proxy.url, auth=(proxy.user, wrong), verify=proxy.ca)
    assert "refused the credentials" in str(info.value)
    for text in (str(info.value), repr(info.value)):
        assert wrong not in text
        assert proxy.password not in text
    with _through(proxy) as client:
        for text in (repr(client), repr(client.options), str(client.server)):
            assert proxy.password not in text
        assert f"({proxy.user!r}, '***')" in repr(client.options)


def test_an_unknown_ca_is_refused_naming_verify(proxy: TLSProxy) -> None:
    for verify in (proxy.other_ca, True):
        with pytest.raises(api.APIConnectionError) as info:
            api.connect(proxy.url, auth=(proxy.user, proxy.password), verify=verify)
        message = str(info.value)
        assert "TLS verification" in message
        assert "verify=" in message
        assert proxy.password not in message
    with (
        pytest.warns(urllib3.exceptions.InsecureRequestWarning),
        api.connect(proxy.url, auth=(proxy.user, proxy.password), verify=False) as client,
    ):
        assert client.health_check().ok


def test_credentials_in_the_url_are_sent_and_hidden(proxy: TLSProxy) -> None:
    host = proxy.url.removeprefix("https://")
    with api.connect(
        f"https://{proxy.user}:{proxy.password}@{host}", verify=proxy.ca, direct_reads="never"
    ) as client:
        assert client.base_url == proxy.url
        assert client.health_check().ok
    with pytest.raises(api.InvalidArgumentError, match="given twice"):
        api.connect(f"https://{proxy.user}:{proxy.password}@{host}", auth=("a", "b"))
