"""Every batching design ``compare`` knows is also a ``--variant`` of ``schedule`` and ``campaign``."""

from __future__ import annotations

from pathlib import Path

import pytest

from batchproof.batched import ALL_VARIANTS
from batchproof.model.errors import BatchproofError
from batchproof.properties.campaign.config import CampaignConfig
from batchproof.properties.cli.main import main

CLUSTER = Path(__file__).resolve().parents[2] / "examples" / "cluster"


@pytest.mark.parametrize("variant", ALL_VARIANTS)
def test_schedule_runs_every_design(variant: str, capsys: pytest.CaptureFixture[str]) -> None:
    argv = [
        "schedule",
        "--variant",
        variant,
        "--nodes",
        str(CLUSTER / "nodes.yaml"),
        "--pods",
        str(CLUSTER / "pods.yaml"),
    ]
    assert main(argv) == 0
    assert "pods placed" in capsys.readouterr().out


@pytest.mark.parametrize("variant", ALL_VARIANTS)
def test_a_campaign_accepts_every_design(variant: str) -> None:
    assert CampaignConfig(variant=variant).variant == variant  # type: ignore[arg-type]


def test_an_unknown_design_is_one_line() -> None:
    with pytest.raises(BatchproofError, match=r"--variant must be one of g1, g3, renormalize, draft"):
        CampaignConfig(variant="g2")  # type: ignore[arg-type]
