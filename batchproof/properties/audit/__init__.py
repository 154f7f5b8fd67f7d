"""The read-set audit: what a plugin reads of a pod against what its SignPod reads."""
