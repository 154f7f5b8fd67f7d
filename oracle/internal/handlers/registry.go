package handlers

import (
	"fmt"

	"k8s.io/kubernetes/pkg/scheduler/framework/plugins"
	frameworkruntime "k8s.io/kubernetes/pkg/scheduler/framework/runtime"
)

// OutOfTree holds plugins registered with app.WithPlugin; it joins the in-tree registry.
var OutOfTree = frameworkruntime.Registry{}

// NewRegistry is upstream's in-tree registry (built now, so it sees the request's feature gates)
// merged with the out-of-tree plugins.
func NewRegistry() (frameworkruntime.Registry, error) {
	registry := plugins.NewInTreeRegistry()
	if err := registry.Merge(OutOfTree); err != nil {
		return nil, fmt.Errorf("out-of-tree plugins: %w", err)
	}
	return registry, nil
}
