"""The SDK's main job, end to end, on an embedded viewer with demo data.

1. Write the data set the README and the guides show (20 runs in 6 projects, the same
   run ids and values) with the runicorn SDK, as training scripts would.
2. Open it with ``runicorn_api.local()``, which starts ``runicorn viewer`` on a free
   127.0.0.1 port and stops it when the ``with`` block ends.
3. Print what the SDK sees: health, projects, experiments, one run's metrics summary.
4. Save the runs' loss curves as ``demo-loss.png`` in the working folder (kept).

Run it with ``make demo`` (or ``python examples/demo.py [--storage DIR]``).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from importlib.metadata import version
from pathlib import Path

import runicorn_api as api
from runicorn_api.testing import dataset_specs, write_dataset
from runicorn_api.testing.specs import generation_of

EXAMPLE_RUN = "20250101_120000_000000"
"""``run_id`` of the README's examples: vision/resnet, alias resnet-baseline."""
README_PORT = 23300
"""The port the README's examples connect to (the viewer's default)."""


def write_demo_storage(storage: Path, scratch: Path) -> None:
    """Write the docs' data set with this interpreter's runicorn SDK (the ``viewer`` extra).

    One vision/resnet run is logged as a trainer that is still running; the demo stops
    its writer without ``finish()``, as a crashed trainer, so the viewer lists it as failed.
    """
    written = 0
    runicorn = version("runicorn")
    total = len(dataset_specs(generation_of(runicorn)))

    def progress(path: str) -> None:
        nonlocal written
        written += 1
        print(f"  {written:>2}/{total} {path}", flush=True)

    python = Path(sys.executable)
    _, live = write_dataset(python, runicorn, storage, scratch=scratch / "writer",
                            home=scratch, progress=progress)  # fmt: skip
    live.stop()


def show(client: api.RunicornClient) -> None:
    health = client.health_check()
    print(f"Viewer {client.base_url}: status={health.status}, {client.server}, "
          f"generation {client.server.generation}")  # fmt: skip
    print(f"Storage: {client.get_config().user_root}\n")

    print("Projects")
    for project in client.list_projects():
        print(f"  {project.name:<8} {project.experiment_count} runs "
              f"(finished {project.finished}, failed {project.failed}, "
              f"interrupted {project.interrupted}, running {project.running})")  # fmt: skip

    print("\nExperiments")
    experiments = client.list_experiments()
    for exp in experiments:
        best = exp.best_metric
        best_text = f"best {best.name}={best.value:.2f}" if best and best.value else ""
        created = exp.created_at.strftime("%H:%M:%S") if exp.created_at else "?"
        print(f"  {exp.id}  {exp.path:<20} {exp.alias or '':<16} {exp.status:<11} "
              f"{created}  {best_text}")  # fmt: skip

    finished = client.experiments.filter(status="finished").order_by("-best_metric.value")
    print(f"\nFinished runs, best first: {[e.display_name for e in finished]}")
    frame = finished.metrics(["loss"]).to_polars()
    print(f"Their loss as one polars frame: {frame.shape[0]} rows x {frame.columns}")

    run = client.get_experiment(EXAMPLE_RUN)
    metrics = client.get_metrics(run.id)
    print(f"\nMetrics of {run.display_name} ({run.id}): {metrics.total} rows, read from "
          f"{'its folder directly' if metrics.source == 'storage' else 'the viewer'}")  # fmt: skip
    for name, series in metrics.series.items():
        print(f"  {name:<9} {len(series):>4} points  last={series.last_value():.4f}  "
              f"min={series.min_value():.4f}  max={series.max_value():.4f}")  # fmt: skip


def trained_runs(client: api.RunicornClient) -> list[str]:
    """The finished 2,000-step trainings (vision, nlp, rl): the runs a figure compares."""
    runs = client.experiments.filter(status="finished")
    return [e.id for e in runs if e.project in ("vision", "nlp", "rl")]


def save_loss_plot(client: api.RunicornClient, out: Path) -> Path:
    """The trainings' loss (EMA-smoothed), and the mean ± std of the resnet seeds."""
    import matplotlib

    matplotlib.use("Agg")  # files only: no window, also without a display
    import matplotlib.pyplot as plt

    from runicorn_api import utils

    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
    utils.plot_runs(client, trained_runs(client), "loss", smooth=0.6, ax=left)
    left.set_title("loss of the finished trainings (EMA 0.6)")
    resnet = client.experiments.filter(path="vision/resnet", status="finished").ids()
    utils.plot_runs(client, resnet, "loss", group_by="path", ax=right)
    right.set_title("vision/resnet: mean ± std over seeds")
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    plt.close(fig)
    return out


def save_figures(client: api.RunicornClient, folder: Path) -> list[Path]:
    """The figures the docs show, drawn from the demo runs."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from runicorn_api import utils

    folder.mkdir(parents=True, exist_ok=True)
    saved = [save_loss_plot(client, folder / "loss-curves.png")]
    run = client.experiments.filter(path="vision/resnet").order_by("created_at").first()
    assert run is not None
    fig = run.metrics().plot(["loss", "val_loss"])  # as the plots guide draws it
    fig.savefig(folder / "run-metrics.png", dpi=100)
    saved.append(folder / "run-metrics.png")
    fig, ax = plt.subplots(figsize=(6, 3.2))
    run.metrics()["loss"].plot(ax, smooth=0.9)
    ax.set_title("MetricSeries.plot(smooth=0.9)")
    fig.tight_layout()
    fig.savefig(folder / "smoothing.png", dpi=100)
    saved.append(folder / "smoothing.png")
    ax = utils.plot_runs(client, trained_runs(client), "loss", group_by="config.seed", smooth=0.8)
    ax.set_title('utils.plot_runs(..., group_by="config.seed", smooth=0.8)')
    ax.figure.tight_layout()
    ax.figure.savefig(folder / "grouped.png", dpi=100)
    saved.append(folder / "grouped.png")
    plt.close("all")
    return saved


def _here(path: Path) -> str:
    """``path`` as typed from the current folder (this venv's commands need no activation)."""
    try:
        return str(path.absolute().relative_to(Path.cwd()))
    except ValueError:
        return str(path.absolute())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--storage", type=Path, help="keep the demo storage in this folder")
    parser.add_argument("--figures", type=Path, help="only draw the docs' figures into this folder")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="runicorn-demo-") as scratch:
        storage = args.storage or Path(scratch) / "storage"
        storage.mkdir(parents=True, exist_ok=True)
        # The SDK logs under $HOME and reads $XDG_CONFIG_HOME; keep both out of the user's.
        os.environ.update(HOME=scratch, XDG_CONFIG_HOME=str(Path(scratch) / ".config"))
        print("Writing the docs' data set with the runicorn SDK (about a minute) ...")
        write_demo_storage(storage, Path(scratch))
        with api.local(storage) as client:
            if args.figures:
                for path in save_figures(client, args.figures):
                    print(f"Saved {path}")
                return
            show(client)
            png = save_loss_plot(client, Path.cwd() / "demo-loss.png")
    python, cli = _here(Path(sys.executable)), _here(Path(sys.executable).parent / "runicorn-api")
    if args.storage:
        print(f"\nThe demo runs stay in {storage}. Serve them where the README's examples "
              f"look (they print the output the README shows):\n"
              f"  {cli} local {storage} --port {README_PORT}")  # fmt: skip
    else:
        print("\nThe demo's storage was removed. To keep it, and serve it where the README's "
              "examples look (they print the output the README shows):\n"
              f"  {python} examples/demo.py --storage ./demo-storage\n"
              f"  {cli} local ./demo-storage --port {README_PORT}")  # fmt: skip
    print(f"\nSaved the loss curves to {png}")


if __name__ == "__main__":
    main()
