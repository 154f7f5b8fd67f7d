"""batchproof: property-based verification of kube-scheduler opportunistic batching (KEP-5598)."""

__version__ = "0.1.0"
