"""What one worker does: run its group of properties, wired to the report directory and the shared database.

A count-bounded campaign runs the group's properties one after the other, each to its count, so
its report is a function of the seed. A campaign with a budget shares the worker's time between
the group's properties adaptively (:mod:`batchproof.properties.campaign.budget`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import replace

from batchproof.properties.campaign.artifacts import write_finding
from batchproof.properties.campaign.budget import run_adaptive
from batchproof.properties.campaign.config import CampaignConfig
from batchproof.properties.campaign.detection import Detection, write_detection
from batchproof.properties.campaign.engine import Limits, PropertyProgress
from batchproof.properties.campaign.evidence import Candidate
from batchproof.properties.campaign.exchange import publish
from batchproof.properties.campaign.findings import Finding
from batchproof.properties.campaign.loader import plugin_info, registered
from batchproof.properties.campaign.progress import CONTROL_DIR, read_progress, write_progress
from batchproof.properties.campaign.properties import CampaignProperty, campaign_properties, plugin_properties
from batchproof.properties.campaign.property_run import PropertyRun
from batchproof.properties.campaign.replay import reproduces
from batchproof.properties.campaign.shards import shard_names
from batchproof.properties.campaign.shared import Board, Outage, example_database

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


@contextmanager
def plugin_context(config: CampaignConfig) -> Iterator[None]:
    """Register the out-of-tree plugin (if any) for profiles built during the run."""
    if config.plugin is None:
        with nullcontext():
            yield
        return
    with registered(plugin_info(config.plugin.ref)):
        yield


def slug(name: str) -> str:
    """A property name as a file name."""
    return name.replace("/", "-")


def property_run(config: CampaignConfig, prop: CampaignProperty, *, clock: Clock = time.time) -> PropertyRun:
    """A run of ``prop`` that writes findings, detections and progress under the report directory."""
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
        write_progress(report_dir, slug(prop.name), state.to_json())

    database = config.database_dir()
    shared = (
        example_database(config.shared_db, config.configuration_name(), outage) if config.shared_db and outage else None
    )
    return PropertyRun(
        prop,
        seed_value=seed_for(config, prop.name),
        database_dir=database / slug(prop.name) if database is not None else None,
        record=record,
        progress=progress,
        shared=shared,
    )


def _run_to_end(run: PropertyRun, limits: Limits) -> PropertyProgress:
    started = limits.clock()
    run.start()
    while not run.done(limits):
        run.step(limits)
    run.state.seconds = limits.clock() - started
    return run.finish()


def run_group(
    config: CampaignConfig,
    group: list[str],
    *,
    clock: Clock = time.time,
    after_step: Callable[[], None] | None = None,
) -> list[PropertyProgress]:
    """Run the named properties: one after the other to their counts, or sharing a budget adaptively."""
    properties = {p.name: p for p in properties_for(config)}
    chosen = [properties[name] for name in group]
    runs: list[PropertyRun] = []

    def found() -> bool:
        return any(run.found for run in runs)

    stop = found if config.stop_at_first else None
    with plugin_context(config):
        if config.deadline is None:
            out = []
            for prop in chosen:
                runs.append(property_run(config, prop, clock=clock))
                out.append(_run_to_end(runs[-1], replace(_limits(config, None, clock), stop=stop)))
                if after_step is not None:
                    after_step()
            return out
        runs += [property_run(config, prop, clock=clock) for prop in chosen]
        limits = replace(_limits(config, config.deadline, clock), stop=stop)
        for run in runs:  # every machine's saved failures come back before anything is generated
            run.start()
        run_adaptive(runs, [p.weight for p in chosen], limits, after_step=after_step)
        return [run.finish() for run in runs]


def _limits(config: CampaignConfig, deadline: float | None, clock: Clock) -> Limits:
    return Limits(config.max_examples, deadline, config.owner_pid, clock)
