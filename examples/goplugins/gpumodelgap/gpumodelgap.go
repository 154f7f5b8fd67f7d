// Package gpumodelgap is an example out-of-tree scheduler plugin in the scheduler-plugins layout.
//
// A pod asks for a GPU model with the annotation gpu.example.com/model; nodes advertise theirs
// with the label of the same name. Filter keeps nodes with the requested model; Score prefers
// nodes with more allocatable example.com/gpu devices. SignPod signs the requested model, so two
// pods with equal signatures get equal Filter and Score results — in ../gpumodel. This copy has
// a deliberate gap: SignPod signs nothing, so `batchproof check-plugin --go` fails naming
// metadata.annotations["gpu.example.com/model"].
package gpumodelgap

import (
	"context"
	"fmt"

	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	fwk "k8s.io/kube-scheduler/framework"
)

// Name is the plugin name used in KubeSchedulerConfiguration.
const Name = "GPUModel"

const (
	modelKey = "gpu.example.com/model"
	gpu      = v1.ResourceName("example.com/gpu")
)

// GPUModel filters on the requested GPU model and scores by allocatable GPUs.
type GPUModel struct{}

var (
	_ fwk.FilterPlugin = &GPUModel{}
	_ fwk.ScorePlugin  = &GPUModel{}
	_ fwk.SignPlugin   = &GPUModel{}
)

// New is the plugin factory (registered with app.WithPlugin(Name, New)).
func New(_ context.Context, _ runtime.Object, _ fwk.Handle) (fwk.Plugin, error) {
	return &GPUModel{}, nil
}

// Name returns the plugin name.
func (*GPUModel) Name() string { return Name }

// Filter keeps nodes whose model label equals the pod's requested model.
func (*GPUModel) Filter(_ context.Context, _ fwk.CycleState, pod *v1.Pod, nodeInfo fwk.NodeInfo) *fwk.Status {
	wanted, ok := pod.Annotations[modelKey]
	if !ok || nodeInfo.Node().Labels[modelKey] == wanted {
		return nil
	}
	return fwk.NewStatus(fwk.Unschedulable, fmt.Sprintf("node has no %s GPU", wanted))
}

// Score is ten points per allocatable GPU, capped at 100; pods asking for no model score 0.
func (*GPUModel) Score(_ context.Context, _ fwk.CycleState, pod *v1.Pod, nodeInfo fwk.NodeInfo) (int64, *fwk.Status) {
	if _, ok := pod.Annotations[modelKey]; !ok {
		return 0, nil
	}
	count := nodeInfo.Node().Status.Allocatable[gpu]
	return min(count.Value()*10, fwk.MaxNodeScore), nil
}

// ScoreExtensions: no normalisation.
func (*GPUModel) ScoreExtensions() fwk.ScoreExtensions { return nil }

// SignPod forgets the annotation Filter and Score read: the gap the check must find.
func (*GPUModel) SignPod(_ context.Context, _ *v1.Pod) ([]fwk.SignFragment, *fwk.Status) {
	return nil, nil
}
