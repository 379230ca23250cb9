"""``client.diagnostics`` (``resources/diagnostics.py``): the viewer's own logs, 0.7.x."""

from __future__ import annotations

from typing import Any

import pytest

import runicorn_api as api
from tests.support.recorded import RecordedViewer


def test_sources_are_the_recorded_ones(
    recorded: RecordedViewer, mock_client: api.RunicornClient
) -> None:
    if recorded.generation == "0.5":
        with pytest.raises(api.UnsupportedFeatureError):
            mock_client.diagnostics.sources()
        assert recorded.sent() == []
        return
    body = recorded.body("/api/diagnostics/sources")
    assert mock_client.diagnostics.sources().default_source == body["defaultSource"]


def test_a_log_is_its_recorded_text(
    recorded: RecordedViewer, mock_client: api.RunicornClient
) -> None:
    if recorded.generation == "0.5":
        with pytest.raises(api.UnsupportedFeatureError):
            mock_client.diagnostics.logs()
        return
    source = recorded.values["source"]
    text = mock_client.diagnostics.logs(source, lines=5)
    assert text == recorded.body("/api/diagnostics/logs", source=source, lines="5")
    assert recorded.calls[-1].params["download"] == "false"


@pytest.mark.parametrize("kwargs", [{"lines": 0}, {"lines": "5"}, {"full": "yes"}], ids=repr)
def test_bad_arguments_are_refused_before_any_request(
    recorded: RecordedViewer, mock_client: api.RunicornClient, kwargs: dict[str, Any]
) -> None:
    with pytest.raises((api.InvalidArgumentError, api.UnsupportedFeatureError)):
        mock_client.diagnostics.logs("viewer", **kwargs)
    assert recorded.sent() == []
