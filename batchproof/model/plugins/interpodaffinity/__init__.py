"""InterPodAffinity, split as upstream's pkg/scheduler/framework/plugins/interpodaffinity/.

``selectors`` (LabelSelectorAsSelector with apimachinery's messages), ``terms`` (parsed terms and
namespace resolution), ``filtering`` (PreFilter/Filter), ``scoring`` (PreScore/Score/
NormalizeScore) and ``plugin`` (the plugin object, its args and SignPod).
"""
