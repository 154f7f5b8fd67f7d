"""``batchproof compare``: every batching design on the workload catalogue, side by side."""

from batchproof.properties.compare.catalogue import SIZES, Family, Size, load_catalogue, scenarios_of, select
from batchproof.properties.compare.cost import counting
from batchproof.properties.compare.report import render_markdown, to_json, write_report
from batchproof.properties.compare.run import REFERENCE, Plan, Row, percentile, run_plan

__all__ = [
    "REFERENCE",
    "SIZES",
    "Family",
    "Plan",
    "Row",
    "Size",
    "counting",
    "load_catalogue",
    "percentile",
    "render_markdown",
    "run_plan",
    "scenarios_of",
    "select",
    "to_json",
    "write_report",
]
