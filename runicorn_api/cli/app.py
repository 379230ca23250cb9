"""The commands. Each opens one client, does one job and writes its answer to stdout."""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import signal
import sys
import time
import warnings
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, NoReturn

import click

import runicorn_api as api

from .._frames.metric_tables import metrics_frame
from ..fleet import FleetMetrics, named_viewers
from ..formats import metrics_csv, metrics_parquet
from ..resources.experiments.query import RunFilters
from ..utils import copy_runs
from .output import clean, emit, for_people, plain
from .progress import rich_bar

__all__ = ["cli", "main"]

RUN_COLUMNS = ["id", "path", "status", "alias", "tags", "created_at", "best_metric"]
ART_COLUMNS = ["id", "name", "type", "version", "size_bytes", "created_by_run", "aliases"]
TABLE_FORMATS = ("table", "json", "csv")
COPY_COLUMNS = ["id", "path", "outcome", "target_path", "reason"]


class UsageProblem(click.UsageError):
    """A usage error found after parsing (exit code 2)."""


def url_option(command: Callable[..., Any]) -> Callable[..., Any]:
    """``--url``, accepted by every command after its name; else $RUNICORN_VIEWER_URL."""
    return click.option(
        "--url",
        envvar=api.BASE_URL_ENV,
        show_envvar=True,
        default=None,
        help=f"The viewer (default {api.DEFAULT_BASE_URL}).",
    )(command)


URLS_ENV = "RUNICORN_VIEWER_URLS"
"""Several viewers, comma-separated (``gpu1=http://...,gpu2=http://...``), for commands
that ask several viewers as one."""


def urls_option(command: Callable[..., Any]) -> Callable[..., Any]:
    """``--url``, repeatable: one viewer, or several (``NAME=URL`` or ``URL``) asked as one."""
    return click.option(
        "--url",
        "urls",
        multiple=True,
        help=(
            f"The viewer (default ${api.BASE_URL_ENV}, else {api.DEFAULT_BASE_URL}); repeat "
            f"it, as NAME=URL or URL, to ask several viewers as one (also ${URLS_ENV}, "
            "comma-separated). Rows then name their viewer."
        ),
    )(command)


def _viewers(urls: tuple[str, ...]) -> str | dict[str, str] | list[str] | None:
    """One URL (or ``None``: the default), or the viewers of a fleet."""
    given = list(urls)
    if not given:
        given = [u for u in re.split(r"[,\s]+", os.environ.get(URLS_ENV, "")) if u]
    if not given:
        return None
    if len(given) == 1 and "=" not in given[0]:
        return given[0]
    named = [item.partition("=") for item in given]
    if all(sep for _, sep, _ in named):
        fleet: dict[str, str] = {}
        for name, _, url in named:
            if name in fleet:
                raise UsageProblem(f"two viewers are named {name!r}")
            fleet[name] = url
        return fleet
    if any(sep for _, sep, _ in named):
        raise UsageProblem("name every viewer (NAME=URL) or none")
    return given


@contextlib.contextmanager
def _fleet_warnings() -> Iterator[None]:
    """A viewer of a fleet that fails is one line on stderr, not a Python warning."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", api.FleetWarning)
        yield
    for warning in caught:
        if issubclass(warning.category, api.FleetWarning):
            sys.stderr.write(f"runicorn-api: warning: {clean(str(warning.message))}\n")
        else:
            warnings.warn_explicit(warning.message, warning.category, warning.filename,
                                   warning.lineno)  # fmt: skip


def format_option(*choices: str, default: str | None = None) -> Callable[..., Any]:
    return click.option(
        "--format",
        "-f",
        "fmt",
        type=click.Choice(choices),
        default=default or choices[0],
        show_default=True,
        help="Output format.",
    )


def _tty() -> bool:
    return sys.stderr.isatty()


def _check_binary(fmt: str, out: Path | None) -> None:
    if fmt == "parquet" and out is None and sys.stdout.isatty():
        raise UsageProblem("parquet is binary: give --out FILE, or pipe stdout to a file")


def _write_bytes(data: bytes, out: Path | None) -> None:
    if out is not None:
        out.write_bytes(data)
        click.echo(f"wrote {len(data)} bytes to {out}", err=True)
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()


@click.group(name="runicorn-api", context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(api.__version__, "--version", "-V", prog_name="runicorn-api")
def cli() -> None:
    """Read a Runicorn viewer from the shell: runs, metrics, exports and artifacts.

    Exit codes: 0 done, 1 an API or connection error, 2 a usage error.
    """


@cli.group()
def runs() -> None:
    """List and show runs."""


@cli.group()
def artifacts() -> None:
    """Artifacts (0.5.x) and per-run assets (0.7.x)."""


# -- commands ------------------------------------------------------------------------


@cli.command()
@url_option
@format_option(*TABLE_FORMATS)
def health(url: str | None, fmt: str) -> None:
    """The viewer's health, version and generation (GET /api/health)."""
    with api.connect(url) as client:
        h = client.health_check()
        row = {
            "status": h.status,
            "version": client.server.version,
            "generation": client.server.generation,
            "url": client.base_url,
            "storage": h.storage,
        }
    emit([row], fmt, list(row))


@cli.command()
@url_option
@format_option(*TABLE_FORMATS)
def projects(url: str | None, fmt: str) -> None:
    """Projects (0.7.x: top-level paths) with their run counts."""
    with api.connect(url) as client:
        rows = [p.to_dict() for p in client.list_projects()]
    columns = ["name", "experiment_count", "running", "finished", "failed", "interrupted"]
    emit(rows, fmt, columns, title="projects")


@runs.command("ls")
@urls_option
@click.option("--project", help="Only this project.")
@click.option("--path-prefix", help="Only runs under this path (whole segments).")
@click.option(
    "--status", multiple=True, help="running, finished, failed, interrupted (repeatable: any)."
)
@click.option("--tag", multiple=True, help="Has this tag (repeatable: all of them).")
@click.option("--created-after", help="An ISO date or time (UTC unless it has an offset).")
@click.option("--limit", type=click.IntRange(min=1), help="At most this many runs.")
@format_option(*TABLE_FORMATS)
def runs_ls(
    urls: tuple[str, ...],
    project: str | None,
    path_prefix: str | None,
    status: tuple[str, ...],
    tag: tuple[str, ...],
    created_after: str | None,
    limit: int | None,
    fmt: str,
) -> None:
    """Runs, newest first, filtered as asked (of several viewers: a viewer column)."""
    after = _utc(created_after, "--created-after") if created_after else None
    chosen: RunFilters = {
        "project": project,
        "path_prefix": path_prefix,
        "status": list(status) or None,
        "tags": list(tag) or None,
        "created_after": after,
    }
    target = _viewers(urls)
    if isinstance(target, str | None):
        with api.connect(target) as client:
            found = client.experiments.filter(**chosen).order_by("-created_at")
            rows = [_run_row(e) for e in (found[:limit] if limit else found)]
        emit(rows, fmt, RUN_COLUMNS, title="runs")
        return
    with _fleet_warnings(), api.connect_many(target) as fleet:
        many = fleet.experiments.filter(**chosen).order_by("-created_at")
        rows = [{"viewer": e.viewer, **_run_row(e)} for e in (many[:limit] if limit else many)]
    emit(rows, fmt, ["viewer", *RUN_COLUMNS], title="runs")


def _utc(text: str, option: str) -> datetime:
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise UsageProblem(f"{option} takes an ISO date or time, got {text!r}") from None
    return when if when.tzinfo else when.replace(tzinfo=timezone.utc)


def _run_row(exp: api.Experiment) -> dict[str, Any]:
    best = exp.best_metric
    return {
        "id": exp.id,
        "path": exp.path,
        "status": exp.status,
        "alias": exp.alias,
        "tags": list(exp.tags),
        "created_at": exp.created_at,
        "best_metric": f"{best.name}={best.value:.6g}" if best and best.value is not None else None,
    }


@runs.command("show")
@click.argument("run_id")
@url_option
@format_option("table", "json")
def runs_show(run_id: str, url: str | None, fmt: str) -> None:
    """One run with its summary and config."""
    with api.connect(url) as client:
        record = client.experiments.get(run_id).to_dict()
    if fmt == "json":
        emit([record], "json", list(record))
    else:  # times as ISO 8601, a duration with its units (JSON keeps the raw numbers)
        rows = [{"field": k, "value": for_people(k, v)} for k, v in record.items()]
        emit(rows, "table", ["field", "value"], title=run_id)


@cli.command()
@click.argument("run_ids", nargs=-1, required=True)
@urls_option
@click.option("--metric", multiple=True, help="Only this metric (repeatable).")
@format_option("csv", "json", "parquet")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Write to this file.")
def metrics(
    run_ids: tuple[str, ...],
    urls: tuple[str, ...],
    metric: tuple[str, ...],
    fmt: str,
    out: Path | None,
) -> None:
    """Metrics of one or more runs as a long table: run_id, step, metric, value, timestamp.
    Of several viewers, a viewer column comes first, and a run is VIEWER:RUN_ID (or a
    run id that one viewer has)."""
    _check_binary(fmt, out)
    target = _viewers(urls)
    names = list(metric) or None
    if isinstance(target, str | None):
        with api.connect(target) as client:
            bar = rich_bar if _tty() and len(run_ids) > 1 else False
            runs = client.metrics.many(list(run_ids), names, progress=bar).to_list()
        if fmt == "parquet":
            _write_bytes(metrics_parquet(runs), out)
        elif fmt == "csv":
            _write_bytes(metrics_csv(runs), out)
        else:
            rows = [plain(r) for r in metrics_frame(runs).to_polars().iter_rows(named=True)]
            _write_bytes((json.dumps(rows, indent=2) + "\n").encode("utf-8"), out)
        return
    with _fleet_warnings(), api.connect_many(target) as fleet:
        found = [(fleet.locate(r)[0], fleet.get_metrics(r, names)) for r in run_ids]
    frame = FleetMetrics(found).to_polars()
    if fmt == "parquet":
        buffer = io.BytesIO()
        frame.write_parquet(buffer)
        _write_bytes(buffer.getvalue(), out)
    elif fmt == "csv":
        _write_bytes(frame.write_csv().encode("utf-8"), out)
    else:
        rows = [plain(r) for r in frame.iter_rows(named=True)]
        _write_bytes((json.dumps(rows, indent=2) + "\n").encode("utf-8"), out)


@cli.command()
@click.argument("run_id")
@url_option
@format_option("json", "csv", "parquet")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Write to this file.")
def export(run_id: str, url: str | None, fmt: str, out: Path | None) -> None:
    """A run exported as client.export_experiment builds it."""
    _check_binary(fmt, out)
    with api.connect(url) as client:
        data = client.export_experiment(run_id, format=fmt)
    _write_bytes(data, out)


@artifacts.command("ls")
@url_option
@click.option("--type", "kind", help="model, dataset, code, ...")
@format_option(*TABLE_FORMATS)
def artifacts_ls(url: str | None, kind: str | None, fmt: str) -> None:
    """The latest version of every artifact."""
    with api.connect(url) as client:
        rows = [a.to_dict() for a in client.artifacts.list_artifacts(type=kind)]
    emit(rows, fmt, ART_COLUMNS, title="artifacts")


@artifacts.command("versions")
@click.argument("name")
@url_option
@format_option(*TABLE_FORMATS)
def artifacts_versions(name: str, url: str | None, fmt: str) -> None:
    """Every version of one artifact, newest first."""
    with api.connect(url) as client:
        rows = [v.to_dict() for v in client.artifacts.list_versions(name)]
    emit(rows, fmt, ART_COLUMNS, title=name)


@artifacts.command("download")
@click.argument("spec")
@click.argument("dest", type=click.Path(file_okay=False, path_type=Path))
@url_option
def artifacts_download(spec: str, dest: Path, url: str | None) -> None:
    """Download SPEC (name, name:vN, name:alias or an id) into DEST, verified; prints
    the paths of its files."""
    with api.connect(url) as client:
        paths = client.artifacts.download(spec, dest, progress=rich_bar if _tty() else False)
    for path in paths:
        click.echo(clean(str(path)))


@cli.command()
@click.option("--from", "source", required=True, help="The viewer to copy from (any generation).")
@click.option("--to", "target", required=True, help="The 0.7.x viewer to copy into.")
@click.option("--path", "path_prefix", help="Only runs under this path (whole segments).")
@click.option(
    "--status", multiple=True, help="running, finished, failed, interrupted (repeatable: any)."
)
@click.option(
    "--mode",
    type=click.Choice(["merge", "isolate"]),
    default="merge",
    show_default=True,
    help="merge: the runs' own paths; isolate: under imports/<timestamp>/ on the target.",
)
@format_option(*TABLE_FORMATS)
def copy(
    source: str,
    target: str,
    path_prefix: str | None,
    status: tuple[str, ...],
    mode: str,
    fmt: str,
) -> None:
    """Copy runs from one viewer into another and compare each on both; a summary goes
    to stderr. Exits 1 if any run was not copied (each row says why)."""
    with api.connect(source) as src, api.connect(target) as dst:
        chosen = src.experiments.filter(path_prefix=path_prefix, status=list(status) or None)
        if not chosen.ids():
            _fail(f"no run on {src.base_url} matches the selection; nothing was copied", 1)
        report = copy_runs(
            src,
            dst,
            chosen,
            mode="isolate" if mode == "isolate" else "merge",
            progress=rich_bar if _tty() else False,
        )
    rows = [
        {
            "id": r.run_id,
            "path": r.path,
            "outcome": r.outcome,
            "target_path": r.target_path,
            "reason": r.reason,
            "differences": r.differences,
            "not_carried": r.not_carried,
        }
        for r in report.runs
    ]
    wide = [*COPY_COLUMNS, "differences", "not_carried"] if fmt == "json" else COPY_COLUMNS
    emit(rows, fmt, wide, title="copy")
    click.echo(clean(str(report), keep_newlines=True), err=True)
    if not report.ok:
        raise SystemExit(1)


@cli.command()
@click.argument("storage", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--port", type=click.IntRange(1, 65535), help="The port (default: a free one).")
def local(storage: Path, port: int | None) -> None:
    """Serve STORAGE (a runicorn storage folder) with an embedded viewer on 127.0.0.1
    until Ctrl-C, SIGTERM or SIGHUP; the viewer stops with it."""
    # SIGTERM and SIGHUP end the command the way Ctrl-C does, so the viewer it started
    # is stopped on the way out instead of being left behind as an orphan.
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _interrupt)
    with api.local(storage, port=port) as client:
        click.echo(
            f"Serving {storage} at {client.base_url} (runicorn {client.server.version}); "
            "Ctrl-C stops it."
        )
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            click.echo("Stopped.", err=True)


@cli.command()
@urls_option
@click.option(
    "--allow-writes",
    is_flag=True,
    help="Also offer the tools that change runs (tags, alias, delete to the recycle bin).",
)
def mcp(urls: tuple[str, ...], allow_writes: bool) -> None:
    """Serve the viewer(s) to an AI assistant: a Model Context Protocol server on stdin
    and stdout, read-only unless --allow-writes. Needs the mcp extra, in an environment
    of its own: pipx install 'runicorn-api[mcp]'."""
    from ..mcp_server.server import serve

    target = _viewers(urls)
    if target is None or isinstance(target, str):
        target = [target or os.environ.get(api.BASE_URL_ENV) or api.DEFAULT_BASE_URL]
    serve({n: str(url) for n, url in named_viewers(target).items()}, allow_writes=allow_writes)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt(signal.Signals(signum).name)


def _fail(message: str, code: int) -> NoReturn:
    first = clean(" ".join(str(message).split()))
    sys.stderr.write(f"runicorn-api: error: {first}\n")
    raise SystemExit(code)


def main(argv: list[str] | None = None) -> None:
    """Run the CLI; exit 0, 1 (API or connection error) or 2 (usage)."""
    try:
        cli.main(args=argv, prog_name="runicorn-api", standalone_mode=False)
    except click.exceptions.Exit as done:
        raise SystemExit(done.exit_code) from None
    except click.exceptions.Abort:
        _fail("aborted", 1)
    except click.UsageError as err:
        _fail(err.format_message(), 2)
    except api.InvalidArgumentError as err:
        _fail(str(err), 2)
    except api.RunicornAPIError as err:
        _fail(str(err), 1)
    except KeyError as err:  # an unknown metric or key: the SDK's message is its argument
        _fail(str(err.args[0]) if err.args else repr(err), 2)
    except (ValueError, TypeError) as err:  # a bad argument the SDK refused
        _fail(str(err), 2)
    except OSError as err:  # e.g. --out in a folder that does not exist
        _fail(str(err), 1)
