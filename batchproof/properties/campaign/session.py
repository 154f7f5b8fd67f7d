"""The pytest-xdist session of a multi-worker campaign: one test item per worker.

Run by :mod:`batchproof.properties.campaign.runner` as ``pytest session.py -n N`` with the
campaign's configuration in ``BATCHPROOF_CAMPAIGN_CONFIG``. The properties are split into N
groups of about equal weight; each item runs one group in order, each property with its share of
the time left, so the N items run side by side on the N workers.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from batchproof.properties.campaign.config import CampaignConfig
from batchproof.properties.campaign.runner import CONFIG_ENV, groups
from batchproof.properties.campaign.worker import properties_for, run_group


def _config() -> CampaignConfig:
    path = os.environ.get(CONFIG_ENV)
    if not path:
        raise pytest.UsageError(f"{CONFIG_ENV} is not set: this module is run by `batchproof campaign`")
    return CampaignConfig.from_json(Path(path).read_text())


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """One item per group of properties (one group per worker)."""
    if "group" not in metafunc.fixturenames:
        return
    config = _config()
    split = groups(properties_for(config), config.workers)
    metafunc.parametrize("group", split, ids=[f"worker-{i}" for i in range(len(split))])


def test_group(group: list[str]) -> None:
    """Run one group of campaign properties; findings and progress go to the report directory."""
    run_group(_config(), group)
