"""Shared pieces of NodeResourcesFit and NodeResourcesBalancedAllocation.

Mirrors pkg/scheduler/framework/plugins/noderesources/: plugin args and their validation
(``args``), the Fit filter (``fit_filter``), the resource allocation scorer
(``allocation``), the scoring strategies (``scorers``) and the shared SignPod (``signing``).
"""
