"""Run a campaign: split the properties over workers, run them, merge what they wrote, report.

With one worker the properties run in this process. With more, the campaign is a pytest session
over :mod:`batchproof.properties.campaign.session` with pytest-xdist: one item per worker, each
running a group of properties balanced by weight. Workers write findings and progress files
under the report directory, which this process polls for the live display and merges at the end.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from batchproof.properties.campaign.artifacts import read_findings, write_finding
from batchproof.properties.campaign.config import CampaignConfig
from batchproof.properties.campaign.detection import Detection, read_detection, write_detection
from batchproof.properties.campaign.engine import Limits, PropertyProgress, run_property
from batchproof.properties.campaign.evidence import Candidate
from batchproof.properties.campaign.exchange import merge, publish
from batchproof.properties.campaign.findings import Finding
from batchproof.properties.campaign.loader import plugin_info, registered
from batchproof.properties.campaign.progress import PROGRESS_DIR, Display, read_progress, totals, write_progress
from batchproof.properties.campaign.properties import CampaignProperty, campaign_properties, plugin_properties
from batchproof.properties.campaign.replay import reproduces
from batchproof.properties.campaign.report import Report, write_report
from batchproof.properties.campaign.shards import shard_names
from batchproof.properties.campaign.shared import Board, Outage, default_machine, example_database, outage_message

CONFIG_ENV = "BATCHPROOF_CAMPAIGN_CONFIG"
SESSION = Path(__file__).with_name("session.py")
CONTROL_DIR = ".campaign"
Clock = Callable[[], float]


def properties_for(config: CampaignConfig) -> list[CampaignProperty]:
    """The campaign's properties (this shard's, with ``--shard``), or the plugin-author check's."""
    if config.plugin is not None:
        return plugin_properties(config)[0]
    every = campaign_properties(config)
    mine = shard_names([p.name for p in every], config.shard, config.seed)
    return [p for p in every if p.name in mine]


def seed_for(config: CampaignConfig, name: str) -> int:
    """The seed a property runs with (its replica's, when there are more shards than properties)."""
    if config.plugin is not None or config.shard is None:
        return config.seed
    names = [p.name for p in campaign_properties(config)]
    return shard_names(names, config.shard, config.seed).get(name, config.seed)


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


@contextmanager
def plugin_context(config: CampaignConfig) -> Iterator[None]:
    """Register the out-of-tree plugin (if any) for profiles built during the run."""
    if config.plugin is None:
        with nullcontext():
            yield
        return
    with registered(plugin_info(config.plugin.ref)):
        yield


def run_group_item(
    config: CampaignConfig, group: list[str], position: int, *, clock: Clock = time.time
) -> PropertyProgress:
    """Run the property at ``position`` of ``group`` with its share of the time left, writing as it goes."""
    properties = {p.name: p for p in properties_for(config)}
    prop = properties[group[position]]
    deadline = config.deadline
    if deadline is not None:
        weights = [properties[name].weight for name in group[position:]]
        deadline = clock() + max(deadline - clock(), 0) * prop.weight / sum(weights)
    limits = Limits(config.max_examples, deadline, config.owner_pid, clock)
    report_dir = config.report_dir
    property_started = clock()
    campaign_started = config.started if config.started is not None else property_started
    outage = Outage(report_dir / CONTROL_DIR, config.shared_db) if config.shared_db else None
    board = Board(config.shared_db, config.configuration_name(), outage) if config.shared_db and outage else None

    def record(candidate: Candidate, replayed: bool, examples: int) -> Finding:
        finding = write_finding(candidate, report_dir, replayed=replayed, verify=reproduces)
        others = sum(int(r.get("examples", 0)) for r in read_progress(report_dir) if r.get("name") != prop.name)
        now = clock()
        detection = Detection(
            now - campaign_started, others + examples, now - property_started, examples, replayed, config.machine
        )
        directory = report_dir / finding.directory
        write_detection(directory, detection)
        if board is not None:
            publish(board, directory, config.machine)
        return finding

    def progress(state: PropertyProgress) -> None:
        write_progress(report_dir, _slug(prop.name), state.to_json())

    database = config.database_dir()
    shared = (
        example_database(config.shared_db, config.configuration_name(), outage) if config.shared_db and outage else None
    )
    with plugin_context(config):
        return run_property(
            prop,
            seed_value=seed_for(config, prop.name),
            limits=limits,
            database_dir=database / _slug(prop.name) if database is not None else None,
            record=record,
            progress=progress,
            shared=shared,
        )


def _slug(name: str) -> str:
    return name.replace("/", "-")


def prepare(config: CampaignConfig) -> None:
    """Empty the report directory of a previous run's findings, progress and reports."""
    report_dir = config.report_dir
    for name in ("findings", PROGRESS_DIR, CONTROL_DIR):
        shutil.rmtree(report_dir / name, ignore_errors=True)
    for name in ("report.json", "report.md"):
        (report_dir / name).unlink(missing_ok=True)
    report_dir.mkdir(parents=True, exist_ok=True)


@dataclass(slots=True)
class _Live:
    display: Display | None
    config: CampaignConfig
    total: int
    clock: Clock
    outage_told: bool = False

    def refresh(self, *, force: bool = False) -> None:
        if self.display is None:
            return
        if self.config.shared_db and not self.outage_told:
            message = outage_message(self.config.report_dir / CONTROL_DIR)
            if message is not None:
                self.outage_told = True
                self.display.note(outage_notice(self.config.shared_db, message))
        left = None if self.config.deadline is None else self.config.deadline - self.clock()
        self.display.show(totals(read_progress(self.config.report_dir), self.total), left, force=force)


def _run_in_process(config: CampaignConfig, group: list[str], live: _Live, clock: Clock) -> None:
    for position in range(len(group)):
        run_group_item(config, group, position, clock=clock)
        live.refresh()


def _pytest_command(config: CampaignConfig, control: Path) -> list[str]:
    ini = control / "pytest.ini"
    ini.write_text("[pytest]\naddopts =\n")
    return [
        sys.executable,
        "-m",
        "pytest",
        str(SESSION),
        "-n",
        str(config.workers),
        "--dist",
        "load",
        "-c",
        str(ini),
        "--rootdir",
        str(control),
        "--confcutdir",
        str(SESSION.parent),
        "-p",
        "no:cacheprovider",
        "-q",
    ]


def _run_with_xdist(config: CampaignConfig, live: _Live) -> str | None:
    """Run the pytest-xdist session; returns an error line when it failed outside the properties."""
    control = config.report_dir / CONTROL_DIR
    control.mkdir(parents=True, exist_ok=True)
    config_file = control / "config.json"
    config_file.write_text(config.to_json())
    log = control / "pytest.log"
    env = {**os.environ, CONFIG_ENV: str(config_file.resolve())}
    with log.open("w") as output:
        process = subprocess.Popen(_pytest_command(config, control), stdout=output, stderr=subprocess.STDOUT, env=env)
        try:
            while process.poll() is None:
                live.refresh()
                time.sleep(0.5)
        except BaseException:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
            raise
    if process.returncode != 0:
        return f"the pytest-xdist session exited with {process.returncode}; see {log}"
    return None


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
    live = _Live(Display(stream, clock=clock) if stream is not None else None, config, len(properties), clock)
    live.refresh(force=True)
    error: str | None = None
    interrupted = False
    try:
        if config.workers == 1:
            _run_in_process(config, [p.name for p in properties], live, clock)
        else:
            error = _run_with_xdist(config, live)
    except KeyboardInterrupt:
        interrupted = True
    finally:
        live.refresh(force=True)
        if live.display is not None:
            live.display.close()
    report = assemble(config, properties, started, clock() - started, interrupted=interrupted, failure=error)
    write_report(report, config.report_dir)
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
    findings = tuple(read_findings(config.report_dir))
    detections = {}
    for finding in findings:
        detection = read_detection(config.report_dir / finding.directory)
        if detection is not None:
            detections[finding.id] = detection
    when = datetime.fromtimestamp(started, UTC).isoformat(timespec="seconds")
    return Report(config, tuple(ordered), findings, when, elapsed, interrupted, failure, detections, shared)
