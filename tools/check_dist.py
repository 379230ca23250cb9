"""Check the built sdist and wheel beyond what twine and check-wheel-contents look at:
the wheel carries ``py.typed``, the license and every package module, and no tests; the
sdist carries the license, the changelog and the tests. Usage: ``python tools/check_dist.py DIST``.
"""

from __future__ import annotations

import sys
import tarfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main(folder: str) -> int:
    dist = Path(folder)
    (wheel,) = dist.glob("*.whl")
    (sdist,) = dist.glob("*.tar.gz")
    problems: list[str] = []
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
    if "runicorn_api/py.typed" not in names:
        problems.append("the wheel lacks runicorn_api/py.typed")
    if not any(n.endswith(".dist-info/licenses/LICENSE") for n in names):
        problems.append("the wheel lacks LICENSE")
    if any(n.startswith(("tests/", "benchmarks/", "docs/")) for n in names):
        problems.append("the wheel carries tests, benchmarks or docs")
    modules = {p.relative_to(ROOT).as_posix() for p in (ROOT / "runicorn_api").rglob("*.py")}
    missing = sorted(modules - names)
    if missing:
        problems.append(f"the wheel lacks {missing}")
    with tarfile.open(sdist) as tf:
        members = {m.name.split("/", 1)[1] for m in tf.getmembers() if "/" in m.name}
    for needed in ("LICENSE", "CHANGELOG.md", "README.md", "SECURITY.md", "pyproject.toml",
                   "tests/conftest.py"):  # fmt: skip
        if needed not in members:
            problems.append(f"the sdist lacks {needed}")
    for problem in problems:
        print(problem, file=sys.stderr)
    print(f"{wheel.name}: {len(names)} files; {sdist.name}: {len(members)} files")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
