from pathlib import Path

import pytest

from batchproof.model.config import load_config
from batchproof.model.errors import ManifestError
from batchproof.model.profiles import batching_profile, default_profile

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "config"


def test_example_configs_match_built_in_profiles() -> None:
    assert load_config(EXAMPLES / "default.yaml")[0] == default_profile()
    assert load_config(EXAMPLES / "batching.yaml")[0] == batching_profile()


def test_plugins_weights_args_and_percentage(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(
        """
apiVersion: kubescheduler.config.k8s.io/v1
kind: KubeSchedulerConfiguration
percentageOfNodesToScore: 40
profiles:
- schedulerName: a
  plugins:
    multiPoint:
      enabled: [{name: TaintToleration, weight: 7}]
      disabled: [{name: ImageLocality}]
    score:
      disabled: [{name: NodeResourcesBalancedAllocation}]
  pluginConfig:
  - name: NodeResourcesFit
    args: {scoringStrategy: {type: MostAllocated}}
- schedulerName: b
  percentageOfNodesToScore: 100
  plugins:
    multiPoint:
      disabled: [{name: "*"}]
      enabled: [{name: NodeName}]
"""
    )
    first, second = load_config(path)
    assert first.scheduler_name == "a"
    assert first.percentage_of_nodes_to_score == 40
    weights = {s.name: s.weight for s in first.multi_point}
    assert weights["TaintToleration"] == 7
    assert "ImageLocality" not in weights
    assert first.disabled["score"] == frozenset({"NodeResourcesBalancedAllocation"})
    assert first.plugin_args["NodeResourcesFit"] == {"scoringStrategy": {"type": "MostAllocated"}}
    assert [s.name for s in second.multi_point] == ["NodeName"]
    assert second.percentage_of_nodes_to_score == 100


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("kind: Pod\n", "document 1: kind: expected KubeSchedulerConfiguration"),
        (
            "kind: KubeSchedulerConfiguration\napiVersion: v1beta3\n",
            "apiVersion: expected kubescheduler.config.k8s.io/v1",
        ),
        (
            "kind: KubeSchedulerConfiguration\napiVersion: kubescheduler.config.k8s.io/v1\nprofiles: [{plugins: {score: {enabled: [{weight: 2}]}}}]\n",
            "profiles[0].plugins.score.enabled[0].name: a plugin needs a name",
        ),
        (
            "kind: KubeSchedulerConfiguration\napiVersion: kubescheduler.config.k8s.io/v1\npercentageOfNodesToScore: 140\n",
            "must be between 0 and 100",
        ),
    ],
)
def test_bad_config_names_the_field(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(ManifestError, match=message.replace("[", r"\[").replace("]", r"\]")):
        load_config(path)
