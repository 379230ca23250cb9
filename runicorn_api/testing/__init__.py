"""Test helpers: real Runicorn viewers (pinned versions, deterministic data, a manifest)
and a mock transport that answers from a function (:mod:`.mock`).

Our own test suite runs on this, and so can yours: it installs a pinned ``runicorn`` in
a cached venv, writes a data set with that version's own SDK, and starts the viewer with
:func:`runicorn_api.local`. Expected values come from the :class:`Manifest` of what was
written, never from the client under test.

    from runicorn_api.testing import viewer_python, write_dataset

    python = viewer_python("0.7.2")
    manifest = write_dataset(python, storage, scratch=tmp)
"""

from .envs import DEFAULT_VERSIONS, viewer_python
from .manifest import Manifest, RunRecord
from .mock import MockRequest, MockResponse, MockTransport
from .specs import dataset_specs
from .storage_data import LiveRun, set_tags, write_dataset

__all__ = [
    "DEFAULT_VERSIONS",
    "LiveRun",
    "Manifest",
    "MockRequest",
    "MockResponse",
    "MockTransport",
    "RunRecord",
    "dataset_specs",
    "set_tags",
    "viewer_python",
    "write_dataset",
]
