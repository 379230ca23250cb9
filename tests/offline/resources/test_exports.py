"""``client.exports`` (``resources/exports.py``) against recorded answers: the viewer's
export routes answer 501 in the published wheels, so the files are written here from
the recorded run and metrics."""

from __future__ import annotations

import csv
import io
import json

import pytest

import runicorn_api as api
from runicorn_api.testing import MockResponse
from tests.support.recorded import RecordedViewer


def test_csv_falls_back_on_the_viewer_s_501(
    recorded: RecordedViewer, mock_client: api.RunicornClient
) -> None:
    run_id = recorded.run_id
    assert recorded.recorded(f"/api/export/{run_id}/csv")["status"] == 501
    body = recorded.body(f"/api/runs/{run_id}/metrics")
    rows = list(csv.reader(io.StringIO(mock_client.export_csv(run_id).decode())))
    assert rows[0][0] == "global_step"
    assert len(rows) - 1 == len(body["rows"])
    assert recorded.sent()[:2] == [f"/api/export/{run_id}/csv", f"/api/runs/{run_id}/metrics"]


def test_csv_served_by_the_viewer_is_kept_as_sent(
    recorded: RecordedViewer, mock_client: api.RunicornClient
) -> None:
    served = b"global_step,loss\n1,0.5\n"
    recorded.on(
        "GET",
        f"/api/export/{recorded.run_id}/csv",
        MockResponse(content=served, headers={"Content-Type": "text/csv"}),
    )
    assert mock_client.export_csv(recorded.run_id) == served


@pytest.mark.parametrize("format", ["markdown", "html"])
def test_a_report_names_the_run(
    recorded: RecordedViewer, mock_client: api.RunicornClient, format: str
) -> None:
    if recorded.generation == "0.5":  # its summary lives only in the run folder
        with pytest.raises(api.UnsupportedFeatureError, match="direct_reads='never'"):
            mock_client.export_report(recorded.run_id, format)  # type: ignore[arg-type]
        return
    report = mock_client.export_report(recorded.run_id, format).decode()  # type: ignore[arg-type]
    assert recorded.run_id in report
    summary = recorded.body(f"/api/runs/{recorded.run_id}")["summary"]
    assert str(summary["best_metric_name"]) in report


def test_json_export_holds_the_run_and_its_metric_columns(
    recorded: RecordedViewer, mock_client: api.RunicornClient
) -> None:
    run_id = recorded.run_id
    if recorded.generation == "0.5":  # its summary lives only in the run folder
        with pytest.raises(api.UnsupportedFeatureError, match="direct_reads='never'"):
            mock_client.export_experiment(run_id, "json")
        return
    exported = json.loads(mock_client.export_experiment(run_id, "json"))
    assert json.dumps(exported).count(run_id) >= 1
    names = [c for c in recorded.body(f"/api/runs/{run_id}/metrics")["columns"]
             if c not in ("global_step", "time", "stage")]  # fmt: skip
    for name in names:
        assert name in json.dumps(exported)


@pytest.mark.parametrize("format", ["xml", "", "JSONL"])
def test_an_unknown_format_is_refused_before_any_request(
    recorded: RecordedViewer, mock_client: api.RunicornClient, format: str
) -> None:
    with pytest.raises(api.InvalidArgumentError):
        mock_client.export_experiment(recorded.run_id, format)
    assert recorded.sent() == []


def test_media_export_is_0_7_s_zip(
    recorded: RecordedViewer, mock_client: api.RunicornClient
) -> None:
    if recorded.generation == "0.5":
        with pytest.raises(api.UnsupportedFeatureError):
            mock_client.export_experiment(recorded.run_id, include_media=True)
        assert recorded.sent("POST") == []
        return
    archive = b"PK\x05\x06" + b"\0" * 18  # an empty zip
    recorded.on(
        "POST",
        "/api/runs/export",
        MockResponse(content=archive, headers={"Content-Type": "application/zip"}),
    )
    assert mock_client.export_experiment(recorded.run_id, include_media=True) == archive
    assert recorded.calls[-1].json() == {"run_ids": [recorded.run_id]}
