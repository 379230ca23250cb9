"""Artifacts (0.5.x) and per-run assets mapped to artifacts (0.7.x), on both real viewers.

Expected versions come from the manifest: on 0.5.x the version ``log_artifact`` returned,
on 0.7.x the rule the mapping documents (a distinct content of a name is a new version,
numbered by first appearance across runs in creation order).
"""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

import pytest

import runicorn_api as api
from runicorn_api.testing.copies import reference_files
from tests.support.examples import run_example
from tests.support.expected import Reference, expected_versions
from tests.support.viewers import ViewerEnv


def expected_references(viewer: ViewerEnv) -> dict[str, Reference]:
    """One version per name: the runs logged the same path (or URI) again."""
    out: dict[str, Reference] = {}
    for run in sorted(viewer.manifest.runs, key=lambda r: r.created_time):
        for ref in run.refs or []:
            kind = "model" if ref["kind"] == "pretrained" else "dataset"
            if ref["name"] in out:
                out[ref["name"]].used_by.append(run.run_id)
                continue
            out[ref["name"]] = Reference(ref["name"], kind, run.run_id, [],
                                         reference_files(ref), ref["save"])  # fmt: skip
    return out


def test_versions_are_distinct_contents(viewer: ViewerEnv) -> None:
    refs = expected_references(viewer)
    if viewer.generation == "0.5":
        assert refs == {}  # assets logged by path exist on 0.7.x only
        return
    assert sorted(refs) == ["bert-base-uncased", "imagenet-val", "resnet50-imagenet"]
    for name, ref in refs.items():
        versions = viewer.client.artifacts.list_versions(name)
        assert [v.version for v in versions] == [1], name  # one content, logged again
        latest = versions[0]
        assert (latest.created_by_run, latest.used_by_runs) == (ref.created_by, ref.used_by)
        assert latest.type == ref.type
        assert latest.size_bytes == ref.size, name
        assert latest.num_files == (len(ref.files) if ref.files else None), name
        assert latest.status == ("ready" if ref.saved else "referenced")
    archived = viewer.client.artifacts.get_artifact("resnet50-imagenet")
    assert archived.fingerprint is not None  # the archive's manifest digest
    assert len(refs["resnet50-imagenet"].used_by) == 2  # re-logged unsaved twice
    unsaved = viewer.client.artifacts.get_artifact("imagenet-val:latest")
    assert unsaved.fingerprint is None
    assert unsaved.fingerprint_stats is not None
    data = refs["imagenet-val"]
    assert (unsaved.fingerprint_stats.file_count, unsaved.fingerprint_stats.total_size_bytes) == (
        len(data.files), data.size)  # fmt: skip
    bare = viewer.client.artifacts.get_artifact("bert-base-uncased")
    assert bare.size_bytes is None  # nothing knows the size of an hf:// reference
    assert bare.metadata["path_or_uri"] == "hf://bert-base-uncased"


def test_list_artifacts_by_type(viewer: ViewerEnv) -> None:
    expected = expected_versions(viewer)
    references = expected_references(viewer)
    kinds = (
        ("model", "dataset")
        if viewer.generation == "0.5"
        else ("model", "dataset", "output", "code")
    )
    for kind in kinds:
        listed = viewer.client.artifacts.list_artifacts(type=kind)
        want = {n: v[-1].version for n, v in expected.items() if v[-1].type == kind}
        want.update({n: 1 for n, r in references.items() if r.type == kind})
        assert {a.name: a.version for a in listed} == want
        assert all(a.type == kind for a in listed)
        assert all("latest" in a.aliases for a in listed)
    everything = viewer.client.artifacts.list_artifacts()
    assert sorted(a.name for a in everything) == sorted([*expected, *references])
    assert viewer.client.artifacts.list_artifacts(limit=1, offset=1) == everything[1:2]
    coll = viewer.client.artifacts.filter(type="model")
    assert sorted(coll.ids()) == sorted(
        [f"{n}:v{v[-1].version}" for n, v in expected.items() if v[-1].type == "model"]
        + [f"{n}:v1" for n, r in references.items() if r.type == "model"]
    )
    frame = coll.to_polars()
    assert sorted(frame["id"].to_list()) == sorted(coll.ids())


def test_versions_newest_first_with_aliases(viewer: ViewerEnv) -> None:
    for name, versions in expected_versions(viewer).items():
        listed = viewer.client.artifacts.list_versions(name)
        assert [v.version for v in listed] == [v.version for v in reversed(versions)]
        assert listed[0].aliases == ["latest"]
        assert all("latest" not in v.aliases for v in listed[1:])
        assert [v.created_by_run for v in listed] == [v.created_by for v in reversed(versions)]


def test_get_artifact_every_id_form(viewer: ViewerEnv) -> None:
    for name, versions in expected_versions(viewer).items():
        latest = versions[-1]
        for spec in (f"{name}:v{latest.version}", f"{name}:{latest.version}",
                     f"{name}:latest", name):  # fmt: skip
            artifact = viewer.client.artifacts.get_artifact(spec)
            assert artifact.id == f"{name}:v{latest.version}", spec
            assert artifact["type"] == latest.type
            if latest.size is not None:
                assert artifact.size_bytes == latest.size
                assert artifact.size_mb == latest.size / 1024 / 1024
            assert artifact.created_by_run == latest.created_by
        for old in versions[:-1]:
            assert viewer.client.artifacts.get_artifact(f"{name}:v{old.version}").version == (
                old.version
            )
    with pytest.raises(api.NotFoundError, match="nope"):
        viewer.client.artifacts.get_artifact("nope:v1")
    with pytest.raises(api.NotFoundError, match="resnet-model:99"):
        viewer.client.artifacts.get_artifact("resnet-model:v99")
    with pytest.raises(ValueError, match="Not an artifact id"):
        viewer.client.artifacts.get_artifact("a/b:v1")


def test_files_lineage_and_run_artifacts(viewer: ViewerEnv) -> None:
    expected = expected_versions(viewer)
    for name, versions in expected.items():
        for v in versions:
            files = viewer.client.artifacts.files(f"{name}:v{v.version}")
            if v.files is None:  # the code snapshot
                assert [f.path for f in files] == ["code.zip"]
                assert files[0].size > 0
                assert files[0].digest is not None
            else:
                assert {f.path: f.size for f in files} == {
                    p: len(t.encode()) for p, t in v.files.items()
                }
                for f in files:
                    digest = hashlib.sha256(v.files[f.path].encode()).hexdigest()
                    assert f.digest == f"sha256:{digest}"
            lineage = viewer.client.artifacts.lineage(f"{name}:v{v.version}")
            assert lineage.root_artifact == f"{name}:v{v.version}"
            assert lineage.producers == [v.created_by]
            if viewer.generation == "0.7":
                assert lineage.consumers == v.logged_by[1:]
    run = viewer.manifest["resnet-s0"]
    mine = viewer.client.get_run(run.run_id).artifacts()
    assert sorted(a.name for a in mine.created) == sorted(a["name"] for a in run.artifacts)
    # Many runs at once: what for_run answers for each, in order (0.7.x: one index).
    ids = [r.run_id for r in viewer.manifest.runs]
    together = viewer.client.artifacts.for_runs(ids)
    assert [t.run_id for t in together] == ids
    for record, both in zip(viewer.manifest.runs, together, strict=True):
        alone = viewer.client.artifacts.for_run(record.run_id)
        for kind in ("created", "used"):
            assert [(a.id, a.fingerprint) for a in getattr(both, kind)] == [
                (a.id, a.fingerprint) for a in getattr(alone, kind)
            ], (record.key, kind)
        # Every artifact the writer logged is one the run created or used.
        logged = {a["name"] for a in record.artifacts}
        assert logged <= {a.name for a in [*both.created, *both.used]}, record.key
    assert sum(len(t.created) for t in together) > 0
    with pytest.raises(api.InvalidArgumentTypeError):
        viewer.client.artifacts.for_runs(run.run_id)  # type: ignore[arg-type]
    if viewer.generation == "0.5":
        user = viewer.manifest["resnet-s2"]
        used = viewer.client.artifacts.for_run(user.run_id).used
        assert [a.name for a in used] == [u.split(":")[0] for u in user.uses]
        # "cifar10:latest" resolves, for each user, to the newest version logged so far.
        runs = sorted(viewer.manifest.runs, key=lambda r: r.created_time)
        users: dict[int, list[str]] = {}
        newest = 0
        for run in runs:
            newest = max([newest, *(a["version"] for a in run.artifacts
                                    if a["name"] == "cifar10")])  # fmt: skip
            if "cifar10:latest" in run.uses:
                users.setdefault(newest, []).append(run.run_id)
        for version, ids in users.items():
            got = viewer.client.artifacts.get_artifact(f"cifar10:v{version}").used_by_runs
            assert got == ids


def test_download_byte_for_byte(viewer: ViewerEnv, tmp_path: Path) -> None:
    for name, versions in expected_versions(viewer).items():
        for v in versions:
            dest = tmp_path / f"{name}-v{v.version}"
            spec = f"{name}:v{v.version}"
            # By id, or by the version itself (every other one, so both ways are used).
            given = viewer.client.artifacts.get_artifact(spec) if v.version % 2 else spec
            written = viewer.client.artifacts.download(given, dest)
            if v.files is None:  # the code snapshot: a zip of the files the run had
                run = next(r for r in viewer.manifest.runs if r.run_id == v.created_by)
                with zipfile.ZipFile(written[0]) as archive:
                    for rel, text in (run.code or {}).items():
                        assert archive.read(rel) == text.encode()
                continue
            assert sorted(p.relative_to(dest.resolve()).as_posix() for p in written) == sorted(
                v.files
            )
            for rel, text in v.files.items():
                assert (dest / rel).read_bytes() == text.encode()


EXAMPLE_4 = """
import runicorn_api as api

with api.connect() as client:
    # List all models
    models = client.artifacts.list_artifacts(type="model")

    for model in models:
        print(f"\\nModel: {model['name']}")

        # Get all versions
        versions = client.artifacts.list_versions(model['name'])
        print(f"  Versions: {len(versions)}")

        # Show latest version
        latest = versions[0]
        print(f"  Latest: v{latest['version']}")
        print(f"  Size: {latest['size_bytes'] / 1024 / 1024:.2f} MB")
        print(f"  Created: {latest['created_at']}")
"""


GUARD = """        if latest['size_bytes'] is not None:
            print(f"  Size: {latest['size_bytes'] / 1024 / 1024:.2f} MB")
        else:
            print("  Size: unknown (only referenced, nothing archived)")
"""


def test_seed_example_4(viewer: ViewerEnv) -> None:
    """The seed's code as is on 0.5.x. On 0.7.x the data set has a bare hf:// reference,
    whose size nobody knows: the example runs with the guard the artifacts guide shows."""
    code = EXAMPLE_4
    references = expected_references(viewer)
    if references:
        line = """        print(f"  Size: {latest['size_bytes'] / 1024 / 1024:.2f} MB")\n"""
        with pytest.raises(TypeError):
            run_example(viewer, code)
        code = code.replace(line, GUARD)
    output = run_example(viewer, code)
    models = {n: (len(v), v[-1].version, v[-1].size or 0)
              for n, v in expected_versions(viewer).items() if v[-1].type == "model"}  # fmt: skip
    models.update({n: (1, 1, r.size) for n, r in references.items() if r.type == "model"})
    blocks = [b for b in output.split("\n\n") if b.strip()]
    assert len(blocks) == len(models)
    for block in blocks:
        lines = block.strip().splitlines()
        name = lines[0].removeprefix("Model: ")
        count, version, size = models[name]
        shown = ("  Size: unknown (only referenced, nothing archived)" if size is None
                 else f"  Size: {size / 1024 / 1024:.2f} MB")  # fmt: skip
        assert lines[1:4] == [f"  Versions: {count}", f"  Latest: v{version}", shown]
        assert lines[4].startswith("  Created: 20")
