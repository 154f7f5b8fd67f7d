"""``pytest --batchproof-plugin MODULE:OBJECT`` (or ``go:DIR``): the plugin-author check as a test item.

The check runs in the test process, count-bounded and seeded, so a plugin author's CI gets the
same verdict on every run: ``max(300, Hypothesis max_examples)`` examples per property under the
loaded Hypothesis profile (``--batchproof-profile``), with a time budget only under ``fuzz``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

from batchproof.model.errors import BatchproofError
from batchproof.properties.campaign.config import CampaignConfig, PluginRef
from batchproof.properties.campaign.plugin_check import check_plugin, render_check

MIN_EXAMPLES = 300
FUZZ_BUDGET = 60.0


class PluginCheckFailed(Exception):
    """The plugin failed its check; the message is the rendered verdict."""


class PluginCheckItem(pytest.Item):
    """One plugin's check."""

    def __init__(self, *, ref: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.ref = ref

    def runtest(self) -> None:
        """Run the check; fail with the rendered verdict."""
        profile = self.config.getoption("--batchproof-profile")
        slug = re.sub(r"[^A-Za-z0-9._-]+", "-", self.ref)
        config = CampaignConfig(
            seed=0,
            budget=FUZZ_BUDGET if profile == "fuzz" else None,
            max_examples=None if profile == "fuzz" else max(MIN_EXAMPLES, settings().max_examples),
            workers=1,
            db=".batchproof/db" if profile == "fuzz" else None,
            report=str(Path(self.config.rootpath) / ".batchproof" / "check-plugin" / slug),
            signers="strict",
            variant="renormalize",
            plugin=PluginRef(self.ref),
        )
        if self.ref.startswith("go:"):
            self._run_go(self.ref[len("go:") :], profile)
            return
        try:
            result = check_plugin(config)
        except BatchproofError as error:
            raise PluginCheckFailed(f"batchproof: error: {error}") from None
        if not result.passed:
            raise PluginCheckFailed(render_check(result))

    def _run_go(self, directory: str, profile: str) -> None:
        from batchproof.properties.upstream.go_check import check_go_plugin, render_go_check  # noqa: PLC0415
        from batchproof.upstream.client import Oracle  # noqa: PLC0415
        from batchproof.upstream.goplugin import build_with_plugin, inspect  # noqa: PLC0415

        try:
            plugin = inspect(directory)
            with Oracle(build_with_plugin(plugin)) as oracle:
                result = check_go_plugin(
                    oracle,
                    plugin,
                    examples=max(MIN_EXAMPLES, settings().max_examples),
                    budget=FUZZ_BUDGET if profile == "fuzz" else None,
                )
        except BatchproofError as error:
            raise PluginCheckFailed(f"batchproof: error: {error}") from None
        if not result.passed:
            raise PluginCheckFailed(render_go_check(result))

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        """The verdict, without a traceback."""
        if isinstance(excinfo.value, PluginCheckFailed):
            return str(excinfo.value)
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Path, int, str]:
        """Where the item comes from (the option) and its name."""
        return Path(self.config.rootpath), 0, f"batchproof check-plugin {self.ref}"


def plugin_check_items(session: pytest.Session, refs: list[str]) -> list[pytest.Item]:
    """One item per ``--batchproof-plugin`` value."""
    return [PluginCheckItem.from_parent(session, name=f"batchproof-check-plugin[{ref}]", ref=ref) for ref in refs]
