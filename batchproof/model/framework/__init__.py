"""The scheduler framework: statuses, cycle state, plugin protocols, the runtime and evaluation."""
