"""The plain scheduler (imports model only)."""

from batchproof.reference.scheduler import ReferenceScheduler

__all__ = ["ReferenceScheduler"]
