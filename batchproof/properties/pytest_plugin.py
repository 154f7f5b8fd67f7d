"""batchproof's pytest plugin: Hypothesis profiles and the suite's options, in one place.

Imports nothing heavy so that loading it costs nothing for other projects.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis.database import DirectoryBasedExampleDatabase

settings.register_profile(
    "ci",
    derandomize=True,
    max_examples=60,
    deadline=None,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile("dev", max_examples=150, deadline=None, print_blob=True)
settings.register_profile(
    "fuzz",
    max_examples=20_000,
    deadline=None,
    database=DirectoryBasedExampleDatabase(os.environ.get("BATCHPROOF_DB", ".batchproof/db")),
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink],
    suppress_health_check=list(HealthCheck),
    print_blob=True,
)


def pytest_addoption(parser: pytest.Parser) -> None:
    """Register batchproof's options in one group."""
    group = parser.getgroup("batchproof", "batchproof verification suite")
    group.addoption(
        "--batchproof-profile",
        default=os.environ.get("BATCHPROOF_PROFILE", "ci"),
        choices=["ci", "dev", "fuzz"],
        help="Hypothesis profile for the property suite (default: ci)",
    )
    group.addoption(
        "--batchproof-plugin",
        action="append",
        default=[],
        metavar="MODULE:OBJECT",
        help="check an out-of-tree plugin's signature fragments (repeatable)",
    )


def pytest_configure(config: pytest.Config) -> None:
    """Load the chosen Hypothesis profile; under ``ci`` also pin what generation draws from.

    ``ci`` is derandomised, so its examples must depend on the test alone: the constants Hypothesis
    would mix in from whichever modules happen to be loaded are switched off (``determinism.py``).
    """
    profile = config.getoption("--batchproof-profile")
    settings.load_profile(profile)
    from batchproof.properties.determinism import pin_local_constants  # noqa: PLC0415 (keeps loading light)

    if profile == "ci":
        pin_local_constants()


def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list[pytest.Item]) -> None:
    """Add one plugin-author check item per ``--batchproof-plugin MODULE:OBJECT``."""
    refs = config.getoption("--batchproof-plugin")
    if not refs:
        return
    from batchproof.properties.campaign.pytest_item import plugin_check_items  # noqa: PLC0415 (keeps loading light)

    items.extend(plugin_check_items(session, refs))
