"""One recorded viewer per runicorn version (see ``tests/support/recorded.py``): every
test here runs against both generations' recorded answers, in milliseconds."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import runicorn_api as api
from tests.support.recorded import VERSIONS, RecordedViewer


@pytest.fixture(params=VERSIONS, ids=lambda v: f"recorded-{v}")
def recorded(request: pytest.FixtureRequest) -> RecordedViewer:
    return RecordedViewer(request.param)


@pytest.fixture
def mock_client(recorded: RecordedViewer) -> Iterator[api.RunicornClient]:
    with recorded.client() as client:
        yield client
