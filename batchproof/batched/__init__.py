"""The KEP-5598 batched scheduler (imports model only)."""

from batchproof.batched.batch import ALL_VARIANTS, DESIGN_VARIANTS, VARIANTS, OpportunisticBatch, Variant
from batchproof.batched.clock import Clock, SystemClock, VirtualClock
from batchproof.batched.metrics import BatchMetrics
from batchproof.batched.scheduler import BatchedScheduler

__all__ = [
    "ALL_VARIANTS",
    "DESIGN_VARIANTS",
    "VARIANTS",
    "BatchMetrics",
    "BatchedScheduler",
    "Clock",
    "OpportunisticBatch",
    "SystemClock",
    "Variant",
    "VirtualClock",
]
