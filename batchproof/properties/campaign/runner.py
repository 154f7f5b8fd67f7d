"""Run a campaign: split the properties over workers, run them, merge what they wrote, report.

With one worker the properties run in this process. With more, each worker is a process forked
from this one, running a group of properties balanced by weight. Workers write findings and
progress files under the report directory, which this process polls for the live display and
merges at the end; each worker's output goes to ``.campaign/worker-N.log``.
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from multiprocessing.connection import wait
from pathlib import Path
from typing import TextIO

from batchproof.properties.campaign.artifacts import read_findings
from batchproof.properties.campaign.config import CampaignConfig
from batchproof.properties.campaign.detection import read_detection
from batchproof.properties.campaign.engine import PropertyProgress
from batchproof.properties.campaign.exchange import merge
from batchproof.properties.campaign.html_report import write_html
from batchproof.properties.campaign.live_table import LiveTable
from batchproof.properties.campaign.plots import PLOTS_DIR
from batchproof.properties.campaign.progress import (
    CONTROL_DIR,
    PROGRESS_DIR,
    Display,
    ProgressDisplay,
    read_progress,
    totals,
)
from batchproof.properties.campaign.properties import CampaignProperty
from batchproof.properties.campaign.report import Report, write_report
from batchproof.properties.campaign.shared import Board, Outage, default_machine, outage_message
from batchproof.properties.campaign.upstream_check import with_upstream_verdicts
from batchproof.properties.campaign.worker import properties_for, run_group

Clock = Callable[[], float]


def groups(properties: list[CampaignProperty], workers: int) -> list[list[str]]:
    """Property names split into at most ``workers`` groups of about equal weight (deterministic)."""
    count = max(1, min(workers, len(properties)))
    out: list[list[str]] = [[] for _ in range(count)]
    loads = [0] * count
    for prop in sorted(properties, key=lambda p: (-p.weight, p.name)):
        lightest = loads.index(min(loads))
        out[lightest].append(prop.name)
        loads[lightest] += prop.weight
    return [sorted(g, key=lambda n: next(i for i, p in enumerate(properties) if p.name == n)) for g in out]


def prepare(config: CampaignConfig) -> None:
    """Empty the report directory of a previous run's findings, progress and reports."""
    report_dir = config.report_dir
    for name in ("findings", PROGRESS_DIR, CONTROL_DIR, PLOTS_DIR):
        shutil.rmtree(report_dir / name, ignore_errors=True)
    for name in ("report.json", "report.md", "report.html"):
        (report_dir / name).unlink(missing_ok=True)
    report_dir.mkdir(parents=True, exist_ok=True)


@dataclass(slots=True)
class _Live:
    display: ProgressDisplay | None
    config: CampaignConfig
    total: int
    clock: Clock
    outage_told: bool = False

    def tell_outage(self) -> None:
        """Say once that the shared database went away (whichever process noticed it)."""
        if self.display is None or not self.config.shared_db or self.outage_told:
            return
        message = outage_message(self.config.report_dir / CONTROL_DIR)
        if message is not None:
            self.outage_told = True
            self.display.note(outage_notice(self.config.shared_db, message))

    def refresh(self, *, force: bool = False) -> None:
        if self.display is None:
            return
        self.tell_outage()
        left = None if self.config.deadline is None else self.config.deadline - self.clock()
        records = read_progress(self.config.report_dir)
        self.display.show(records, totals(records, self.total), left, force=force)


def _run_in_process(config: CampaignConfig, group: list[str], live: _Live, clock: Clock) -> None:
    run_group(config, group, clock=clock, after_step=live.refresh)


def _worker(config: CampaignConfig, group: list[str], log: Path) -> None:
    """A forked worker: run one group with its output in ``log``."""
    with log.open("w") as output:
        os.dup2(output.fileno(), 1)
        os.dup2(output.fileno(), 2)
        try:
            run_group(config, group)
        except KeyboardInterrupt:
            sys.exit(130)  # the campaign process was interrupted too and says so
        except BaseException:
            traceback.print_exc()
            raise


def _run_forked(config: CampaignConfig, split: list[list[str]], live: _Live) -> str | None:
    """Run each group in a worker forked from this process; an error line when one failed outside the properties.

    Forked workers start with everything imported and built: a pytest-xdist session spent seconds of
    every campaign's budget starting interpreters and importing pytest and batchproof in each.
    """
    control = config.report_dir / CONTROL_DIR
    control.mkdir(parents=True, exist_ok=True)
    context = multiprocessing.get_context("fork")
    sys.stdout.flush()
    sys.stderr.flush()  # a child would flush a copy of anything still buffered
    workers = []
    for index, group in enumerate(split):
        log = control / f"worker-{index}.log"
        process = context.Process(target=_worker, args=(config, group, log), name=f"batchproof-worker-{index}")
        process.start()
        workers.append((process, log))
    try:
        while any(process.is_alive() for process, _ in workers):
            live.refresh()
            wait([process.sentinel for process, _ in workers if process.is_alive()], timeout=0.5)
    except BaseException:
        for process, _ in workers:
            process.terminate()
        for process, _ in workers:
            process.join(timeout=10)
            if process.is_alive():
                process.kill()
        raise
    for index, (process, log) in enumerate(workers):
        process.join()
        if process.exitcode != 0:
            return f"worker {index} exited with {process.exitcode}; see {log}"
    return None


def _display(stream: TextIO | None, properties: list[CampaignProperty], clock: Clock) -> ProgressDisplay | None:
    """A table with one row per property on a terminal, plain status lines elsewhere, nothing without a stream."""
    if stream is None:
        return None
    if stream.isatty():
        return LiveTable(stream, [p.name for p in properties], clock=clock)
    return Display(stream, clock=clock)


def outage_notice(url: str, message: str) -> str:
    """The one line that says the shared database went away."""
    return f"batchproof: warning: shared database {url} unavailable ({message}); continuing on the local database"


def run_campaign(config: CampaignConfig, *, stream: TextIO | None = None, clock: Clock = time.time) -> Report:
    """Run the campaign described by ``config`` and write report.json and report.md.

    Raises:
        BatchproofError: bad input (profile, configuration file, plugin, property names).

    """
    properties = properties_for(config)  # validates the input before anything is deleted
    started = clock()
    config = config.with_(
        deadline=started + config.budget if config.budget is not None else None,
        started=started,
        owner_pid=os.getpid(),
        machine=config.machine or default_machine(),
        workers=max(1, min(config.workers, len(properties))),
    )
    prepare(config)
    live = _Live(_display(stream, properties, clock), config, len(properties), clock)
    live.refresh(force=True)
    error: str | None = None
    interrupted = False
    try:
        if config.workers == 1:
            _run_in_process(config, [p.name for p in properties], live, clock)
        else:
            error = _run_forked(config, groups(properties, config.workers), live)
    except KeyboardInterrupt:
        interrupted = True
    finally:
        live.refresh(force=True)
        if live.display is not None:
            live.display.close()
    report = assemble(config, properties, started, clock() - started, interrupted=interrupted, failure=error)
    live.tell_outage()  # an outage first met while merging the shared findings is said too
    write_report(report, config.report_dir)
    write_html(report, config.report_dir, plots=config.plots)
    if interrupted:
        raise KeyboardInterrupt
    return report


def assemble(
    config: CampaignConfig,
    properties: list[CampaignProperty],
    started: float,
    elapsed: float,
    *,
    interrupted: bool = False,
    failure: str | None = None,
) -> Report:
    """Merge the progress files and finding directories the run left behind."""
    records = {r["name"]: r for r in read_progress(config.report_dir)}
    ordered = []
    for prop in properties:
        record = records.get(prop.name) or PropertyProgress(prop.name, prop.description).to_json()
        record.setdefault("required_path", prop.required_path)
        ordered.append(record)
    shared = None
    if config.shared_db:
        control = config.report_dir / CONTROL_DIR
        board = Board(config.shared_db, config.configuration_name(), Outage(control, config.shared_db))
        merged = merge(board, config.report_dir, config.machine)
        outage = outage_message(control)
        shared = {"url": config.shared_db, "machine": config.machine, "merged": merged, "outage": outage}
    findings = with_upstream_verdicts(tuple(read_findings(config.report_dir)), config.report_dir)
    detections = {}
    for finding in findings:
        detection = read_detection(config.report_dir / finding.directory)
        if detection is not None:
            detections[finding.id] = detection
    when = datetime.fromtimestamp(started, UTC).isoformat(timespec="seconds")
    return Report(config, tuple(ordered), findings, when, elapsed, interrupted, failure, detections, shared)
