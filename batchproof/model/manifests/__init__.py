"""Manifest loading: YAML/JSON files into frozen Kubernetes objects with precise error paths."""

from batchproof.model.manifests.load import (
    KNOWN_KINDS,
    ClusterObjects,
    Manifests,
    load_files,
    load_objects,
    read_documents,
)
from batchproof.model.manifests.reader import Reader, freeze_json, thaw_json

__all__ = [
    "KNOWN_KINDS",
    "ClusterObjects",
    "Manifests",
    "Reader",
    "freeze_json",
    "load_files",
    "load_objects",
    "read_documents",
    "thaw_json",
]
