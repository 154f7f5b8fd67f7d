"""PodTopologySpread, split as upstream's pkg/scheduler/framework/plugins/podtopologyspread/.

``common`` (parsed constraints, selectors, node inclusion, pod counting; common.go),
``defaults`` (plugin args, system defaults and the default selector; plugin.go and
helper/spread.go), ``filtering`` (PreFilter/Filter; filtering.go), ``scoring``
(PreScore/Score/NormalizeScore; scoring.go) and ``plugin`` (the plugin object and SignPod).
"""
