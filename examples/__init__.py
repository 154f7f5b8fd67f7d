"""Examples: a cluster, pods, scheduler configurations and out-of-tree plugins."""
