"""Client of the upstream oracle: the real kube-scheduler code behind a JSON-lines protocol."""

from batchproof.upstream.build import OracleBinary, build_oracle, existing_binary, find_go
from batchproof.upstream.client import Oracle
from batchproof.upstream.evaluate import UpstreamEvaluation, evaluate
from batchproof.upstream.protocol import PROTOCOL_VERSION, OracleError, OracleRequestError

__all__ = [
    "PROTOCOL_VERSION",
    "Oracle",
    "OracleBinary",
    "OracleError",
    "OracleRequestError",
    "UpstreamEvaluation",
    "build_oracle",
    "evaluate",
    "existing_binary",
    "find_go",
]
