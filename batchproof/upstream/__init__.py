"""Client of the upstream oracle: the real kube-scheduler code behind a JSON-lines protocol."""

from batchproof.upstream.build import OracleBinary, build_oracle, existing_binary, find_go
from batchproof.upstream.client import Oracle
from batchproof.upstream.evaluate import UpstreamEvaluation, evaluate
from batchproof.upstream.protocol import PROTOCOL_VERSION, OracleError, OracleRequestError
from batchproof.upstream.schedule import ScheduleEvent, UpstreamPlacement, UpstreamSchedule, schedule

__all__ = [
    "PROTOCOL_VERSION",
    "Oracle",
    "OracleBinary",
    "OracleError",
    "OracleRequestError",
    "ScheduleEvent",
    "UpstreamEvaluation",
    "UpstreamPlacement",
    "UpstreamSchedule",
    "build_oracle",
    "evaluate",
    "existing_binary",
    "find_go",
    "schedule",
]
