"""Campaigns and the plugin-author check: the property suite as long-running, reported searches."""

from batchproof.properties.campaign.config import CampaignConfig, PluginRef
from batchproof.properties.campaign.findings import Finding, FindingKey
from batchproof.properties.campaign.replay import ReplayResult, replay
from batchproof.properties.campaign.report import Report
from batchproof.properties.campaign.runner import run_campaign

__all__ = ["CampaignConfig", "Finding", "FindingKey", "PluginRef", "ReplayResult", "Report", "replay", "run_campaign"]
