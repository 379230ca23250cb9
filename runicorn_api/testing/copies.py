"""The data set of the test harness, as one module (its parts: :mod:`.specs`,
:mod:`.manifest` and :mod:`.storage_data`). Kept so that ``runicorn_api.testing.copies``
imports go on working."""

from .manifest import Manifest, RunRecord, expected_rows
from .specs import benchmark_specs, dataset_specs, generation_of, reference_files, specs_for
from .storage_data import LiveRun, copy_storage, set_tags, write_dataset, write_runs

__all__ = [
    "LiveRun",
    "Manifest",
    "RunRecord",
    "benchmark_specs",
    "copy_storage",
    "dataset_specs",
    "expected_rows",
    "generation_of",
    "reference_files",
    "set_tags",
    "specs_for",
    "write_dataset",
    "write_runs",
]
