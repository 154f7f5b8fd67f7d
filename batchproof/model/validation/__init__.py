"""API-server validation of pods and nodes, with upstream's field paths and messages."""

from batchproof.model.validation.field import FieldError
from batchproof.model.validation.node import validate_node
from batchproof.model.validation.pod import validate_pod

__all__ = ["FieldError", "validate_node", "validate_pod"]
