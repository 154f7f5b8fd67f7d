"""Example out-of-tree plugins for ``batchproof check-plugin`` (see the README's Workflows)."""
