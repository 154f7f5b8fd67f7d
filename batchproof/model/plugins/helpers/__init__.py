"""Shared plugin helpers: label and node selectors, taints, score normalisation, signers."""
