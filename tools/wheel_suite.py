"""The built wheel on another Python, tested as a user installs it.

Makes a venv with ``--python``, installs ``dist/*.whl`` with the SDK's extras (and the
test tools), and runs the suite's offline tier and its main feature tests against one
real viewer version. The tests run from a copy of ``tests/`` in a scratch folder, so the
package under test is the installed wheel, never this checkout; the script checks that.

``--lower-bounds`` pins every ``name>=X`` of the dependencies and extras to ``==X`` (see
``tools/lower_bounds.py``), through a uv constraints file.

Usage: ``python tools/wheel_suite.py --python 3.10 [--lower-bounds]`` (a version that
pyenv installed, or an interpreter's path)
Exits with pytest's code; "no tests collected" (5) is a failure too.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

from lower_bounds import pins  # noqa: E402

EXTRAS = "pandas,polars,arrow,progress,logs,images,plot,cli"
TEST_TOOLS = ["pytest>=8", "pytest-timeout>=2.3", "hypothesis>=6.100", "pyarrow>=14", "duckdb>=1.0"]
SUITE = [
    "tests/offline",
    "tests/viewer/test_experiments.py",
    "tests/viewer/test_metrics.py",
    "tests/viewer/test_dataset.py",
    "tests/viewer/test_plots.py",
    "tests/viewer/test_reprs.py",
    "tests/viewer/test_cli.py",
]
"""The offline tier and the features the design card names (collections, metrics,
frames in pandas and polars, datasets, plots, notebook reprs, the CLI)."""
NOT_HERE = [
    "tests/viewer/test_cli.py::test_local_serves_until_interrupted",
    "tests/viewer/test_cli.py::test_local_stops_its_viewer_on_sigterm_and_sighup",
    "tests/offline/test_generated_keys.py",
]
"""The first two need runicorn installed beside the SDK (``runicorn-api local``), which
these venvs leave out: the viewers run from their own pinned venvs, and runicorn's
fastapi asks for typing-extensions>=4.8, above the SDK's own lower bound. The last
checks the source tree's code generator (``tools/``), which a wheel does not hold. The
main suite runs them all."""


def run(*args: str, **kw: object) -> None:
    subprocess.run(args, check=True, **kw)  # type: ignore[call-overload]


def interpreter(wanted: str) -> str:
    """``wanted`` as a path, or ``3.X``: pyenv's ``versions/3.X.*/bin/python3.X``."""
    if os.sep in wanted:
        return wanted
    root = subprocess.run(["pyenv", "root"], check=True, capture_output=True, text=True)
    found = sorted(Path(root.stdout.strip(), "versions").glob(f"{wanted}.*/bin/python{wanted}"))
    if not found:
        sys.exit(f"no Python {wanted} under pyenv's versions")
    return str(found[-1])


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--python", required=True)
    parser.add_argument("--lower-bounds", action="store_true")
    parser.add_argument("--versions", default="0.7.2")
    args = parser.parse_args()
    args.python = interpreter(args.python)
    version = subprocess.run(
        [args.python, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
        check=True, capture_output=True, text=True,
    ).stdout.strip()  # fmt: skip
    name = f"py{version}" + ("-lower" if args.lower_bounds else "")
    home = ROOT / ".cache" / "wheel-suite" / name
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    wheels = sorted((ROOT / "dist").glob("*.whl"))
    if len(wheels) != 1:
        sys.exit("build the wheel first (make dist): dist/ must hold exactly one wheel")
    run(args.python, "-m", "venv", str(home / "venv"))
    python = home / "venv" / "bin" / "python"
    uv = shutil.which("uv", path=str(Path(sys.executable).parent)) or "uv"
    command = [uv, "pip", "install", "--quiet", "--python", str(python)]
    if args.lower_bounds:
        constraints = home / "lower-bounds.txt"
        constraints.write_text("".join(f"{k}=={v}\n" for k, v in sorted(pins(version).items())))
        command += ["--constraint", str(constraints)]
        print(f"{name}: {constraints.read_text().replace(chr(10), ' ')}", flush=True)
    run(*command, f"{wheels[0]}[{EXTRAS}]", *TEST_TOOLS)
    scratch = home / "run"
    scratch.mkdir()
    shutil.copytree(ROOT / "tests", scratch / "tests")
    shutil.copy(ROOT / "pyproject.toml", scratch / "pyproject.toml")  # pytest's settings
    where = subprocess.run(
        [str(python), "-c", "import runicorn_api, sys; print(runicorn_api.__file__)"],
        cwd=scratch, check=True, capture_output=True, text=True,
    ).stdout.strip()  # fmt: skip
    if "site-packages" not in where:
        sys.exit(f"runicorn_api imports from {where}, not the installed wheel")
    env = {
        **os.environ,
        "RUNICORN_VERSIONS": args.versions,
        "RUNICORN_API_CACHE": str(ROOT / ".cache"),
        "PYTHONPATH": str(scratch),
    }
    # Old releases warn of each other's deprecations (matplotlib 3.8 of pyparsing 3.3's
    # names); the main suite turns every warning into an error, these jobs not those.
    quiet = ["-W", "ignore::DeprecationWarning", "-W", "ignore::PendingDeprecationWarning"]
    done = subprocess.run(
        [str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider", *quiet, *SUITE,
         *(f"--deselect={test}" for test in NOT_HERE)],
        cwd=scratch, env=env, check=False,
    )  # fmt: skip
    print(f"{name}: pytest exited {done.returncode}", flush=True)
    return done.returncode or 0


if __name__ == "__main__":
    sys.exit(main())
