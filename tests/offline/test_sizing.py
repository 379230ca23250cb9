"""The next batch of a long read, sized from the last one (scans and multi-run reads)."""

from __future__ import annotations

from runicorn_api._common.sizing import next_size


def test_the_next_batch_holds_about_the_target() -> None:
    # 4 runs of 6,000 values each; 12,000 values a batch -> 2 runs.
    assert next_size(12_000, 4, 24_000, low=1, high=64) == 2
    # 64 runs of 32 KB; 32 MB a window -> 1,024 runs, within the bounds.
    assert next_size(32 << 20, 64, 64 * (32 << 10), low=64, high=1024) == 1024


def test_the_size_stays_within_its_bounds() -> None:
    assert next_size(12_000, 1, 10**9, low=1, high=64) == 1  # one huge run
    assert next_size(12_000, 8, 8, low=1, high=64) == 64  # tiny runs
    assert next_size(12_000, 8, 0, low=1, high=64) == 64  # nothing measured
