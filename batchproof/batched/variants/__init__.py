"""Design variants of the batched scheduler beside g1/g3/renormalize (issue 13); options of OpportunisticBatch."""

from batchproof.batched.variants.draft import DRAFT_INFEASIBLE_PLUGINS, RescoreAnswer, draft_answers
from batchproof.batched.variants.failure_cache import FailureCache
from batchproof.batched.variants.refresh import EXTENDED_VARIANTS, Refresh, refresh
from batchproof.batched.variants.rescore_plugin import NODE_LOCAL_SCORE_PLUGINS, affected_nodes

__all__ = [
    "DRAFT_INFEASIBLE_PLUGINS",
    "EXTENDED_VARIANTS",
    "NODE_LOCAL_SCORE_PLUGINS",
    "FailureCache",
    "Refresh",
    "RescoreAnswer",
    "affected_nodes",
    "draft_answers",
    "refresh",
]
