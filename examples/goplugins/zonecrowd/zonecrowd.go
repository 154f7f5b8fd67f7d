// Package zonecrowd is an example out-of-tree scheduler plugin with a cross-pod dependency.
//
// Score spreads an application across zones: a node scores lower the more pods with the pod's
// `app` label already run in the node's zone (topology.kubernetes.io/zone). SignPod signs the
// `app` label, which is everything Score reads from the pod, so two pods with equal signatures
// always get equal scores on one cluster — and yet batching is wrong for it: once a pod of the
// batch is placed, the zone it went to scores lower for the next pod, while the batch still hints
// the next node of the cached order. A plugin whose results depend on other pods must refuse to
// sign. `batchproof check-plugin --go` passes its pair check and fails its placement check,
// reporting a cross-pod dependency.
package zonecrowd

import (
	"context"
	"fmt"

	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	fwk "k8s.io/kube-scheduler/framework"
)

// Name is the plugin name used in KubeSchedulerConfiguration.
const Name = "ZoneCrowd"

const (
	appKey  = "app"
	zoneKey = "topology.kubernetes.io/zone"
	penalty = 50
)

// ZoneCrowd scores nodes by how few pods of the same app run in their zone.
type ZoneCrowd struct {
	handle fwk.Handle
}

var (
	_ fwk.ScorePlugin = &ZoneCrowd{}
	_ fwk.SignPlugin  = &ZoneCrowd{}
)

// New is the plugin factory (registered with app.WithPlugin(Name, New)).
func New(_ context.Context, _ runtime.Object, handle fwk.Handle) (fwk.Plugin, error) {
	return &ZoneCrowd{handle: handle}, nil
}

// Name returns the plugin name.
func (*ZoneCrowd) Name() string { return Name }

func zoneOf(node *v1.Node) string {
	if zone, ok := node.Labels[zoneKey]; ok {
		return zone
	}
	return "node/" + node.Name
}

// Score is MaxNodeScore less 50 per pod of the same app already in the node's zone.
func (z *ZoneCrowd) Score(_ context.Context, _ fwk.CycleState, pod *v1.Pod, nodeInfo fwk.NodeInfo) (int64, *fwk.Status) {
	app, ok := pod.Labels[appKey]
	if !ok {
		return 0, nil
	}
	infos, err := z.handle.SnapshotSharedLister().NodeInfos().List()
	if err != nil {
		return 0, fwk.AsStatus(fmt.Errorf("list nodes: %w", err))
	}
	zone := zoneOf(nodeInfo.Node())
	var crowd int64
	for _, info := range infos {
		if zoneOf(info.Node()) != zone {
			continue
		}
		for _, placed := range info.GetPods() {
			if placed.GetPod().Labels[appKey] == app {
				crowd++
			}
		}
	}
	return max(fwk.MaxNodeScore-penalty*crowd, 0), nil
}

// ScoreExtensions: no normalisation.
func (*ZoneCrowd) ScoreExtensions() fwk.ScoreExtensions { return nil }

// SignPod signs the app label: everything Score reads from the pod itself.
func (*ZoneCrowd) SignPod(_ context.Context, pod *v1.Pod) ([]fwk.SignFragment, *fwk.Status) {
	app, ok := pod.Labels[appKey]
	return []fwk.SignFragment{{Key: "example.com/ZoneCrowd", Value: map[string]any{"set": ok, "app": app}}}, nil
}
