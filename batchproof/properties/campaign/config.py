"""A campaign's settings as one value: what to run, for how long, and where results go.

Every field is plain data, so the value can be written as JSON and read back.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from batchproof.batched import ALL_VARIANTS, Variant
from batchproof.model.errors import BatchproofError
from batchproof.model.framework.interfaces import SIGNER_MODES, SignerMode

DEFAULT_DB = ".batchproof/db"
DEFAULT_REPORT = ".batchproof/report"
DEFAULT_BUDGET = 60.0


@dataclass(frozen=True, slots=True)
class PluginRef:
    """An out-of-tree plugin named ``MODULE:OBJECT`` with the args it is built with."""

    ref: str
    args: dict[str, Any] = field(default_factory=dict)
    weight: int = 1


@dataclass(frozen=True, slots=True)
class CampaignConfig:
    """Everything a campaign run needs; ``deadline`` is absolute wall-clock time (``time.time()``)."""

    seed: int = 0
    budget: float | None = DEFAULT_BUDGET
    max_examples: int | None = None
    workers: int = 1
    profile: str = "batching"
    config_file: str | None = None
    profile_name: str | None = None  # --profile-name: the config's profile of this schedulerName
    signers: SignerMode = "upstream"
    variant: Variant = "g3"
    db: str | None = DEFAULT_DB
    report: str = DEFAULT_REPORT
    allow: tuple[str, ...] = ()
    properties: tuple[str, ...] = ()
    plugin: PluginRef | None = None
    deadline: float | None = None
    owner_pid: int = 0
    shared_db: str | None = None
    machine: str = ""
    started: float | None = None
    shard: tuple[int, int] | None = None
    allow_unreached: bool = False
    plots: bool = False
    stop_at_first: bool = False  # check-plugin: stop every property once one finding is confirmed

    def __post_init__(self) -> None:
        if self.budget is not None and self.budget <= 0:
            raise BatchproofError(f"--budget must be positive, got {self.budget:g}")
        if self.max_examples is not None and self.max_examples <= 0:
            raise BatchproofError(f"--max-examples must be positive, got {self.max_examples}")
        if self.workers < 1:
            raise BatchproofError(f"--workers must be at least 1, got {self.workers}")
        if self.signers not in SIGNER_MODES:
            raise BatchproofError(f"--signers must be one of {', '.join(SIGNER_MODES)}, got {self.signers!r}")
        if self.variant not in ALL_VARIANTS:
            raise BatchproofError(f"--variant must be one of {', '.join(ALL_VARIANTS)}, got {self.variant!r}")
        if self.shard is not None and not 0 <= self.shard[0] < self.shard[1]:
            raise BatchproofError(f"--shard must be I/N with 0 <= I < N, got {self.shard[0]}/{self.shard[1]}")

    @property
    def report_dir(self) -> Path:
        """The report directory as given (relative paths stay relative to the working directory)."""
        return Path(self.report)

    def database_dir(self) -> Path | None:
        """Where this configuration's example database lives (one subdirectory per configuration)."""
        if self.db is None:
            return None
        return Path(self.db) / self.configuration_name()

    def configuration_name(self) -> str:
        """A readable name for the settings that decide what counts as a failure."""
        source = Path(self.config_file).stem if self.config_file else self.profile
        parts = [self.signers, self.variant, source]
        if self.profile_name is not None:
            parts.append(self.profile_name)
        if self.plugin is not None:
            parts.append(self.plugin.ref.replace(":", "-").replace(".", "-"))
        return "-".join(parts)

    def with_(self, **changes: Any) -> CampaignConfig:
        """A copy with some fields changed."""
        return replace(self, **changes)

    def describe(self) -> dict[str, Any]:
        """The settings that decide a run's results (no timing, no process ids) for reports."""
        out: dict[str, Any] = {
            "seed": self.seed,
            "budget_seconds": self.budget,
            "max_examples": self.max_examples,
            "profile": self.config_file or self.profile,
            **({"profile_name": self.profile_name} if self.profile_name is not None else {}),
            "signers": self.signers,
            "variant": self.variant,
            "allow": list(self.allow),
        }
        if self.plugin is not None:
            out["plugin"] = {"ref": self.plugin.ref, "args": self.plugin.args}
        if self.shard is not None:
            out["shard"] = f"{self.shard[0]}/{self.shard[1]}"
        return out

    def to_json(self) -> str:
        """The whole config as JSON (for worker processes)."""
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> CampaignConfig:
        """The inverse of :meth:`to_json`."""
        data = json.loads(text)
        plugin = data.pop("plugin", None)
        data["allow"] = tuple(data.get("allow", ()))
        data["properties"] = tuple(data.get("properties", ()))
        if data.get("shard") is not None:
            data["shard"] = tuple(data["shard"])
        return cls(**data, plugin=PluginRef(**plugin) if plugin else None)
