// Package featuregates applies a request's feature gates to the process-wide gate that the
// scheduler and its plugins read (k8s.io/apiserver/pkg/util/feature), resetting every gate an
// earlier request changed, so requests never leak gates into each other.
package featuregates

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	utilerrors "k8s.io/apimachinery/pkg/util/errors"

	"k8s.io/component-base/featuregate"

	utilfeature "k8s.io/apiserver/pkg/util/feature"
	// Registers the kube features (pkg/features/kube_features.go) with the default gate.
	_ "k8s.io/kubernetes/pkg/features"
)

var overridden = map[string]bool{}

// Apply sets gates (name -> enabled) on top of the release defaults.
func Apply(gates map[string]bool) error {
	known := utilfeature.DefaultMutableFeatureGate.GetAll()
	set := map[string]bool{}
	for name := range overridden {
		if _, again := gates[name]; !again {
			set[name] = known[featuregate.Feature(name)].Default
		}
	}
	names := make([]string, 0, len(gates))
	for name := range gates {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		spec, ok := known[featuregate.Feature(name)]
		if !ok {
			return fmt.Errorf("featureGates.%s: unknown feature gate", name)
		}
		if spec.LockToDefault && gates[name] != spec.Default {
			return fmt.Errorf("featureGates.%s: locked to %t in this release", name, spec.Default)
		}
		set[name] = gates[name]
	}
	prior := map[string]bool{}
	for name := range set {
		prior[name] = utilfeature.DefaultFeatureGate.Enabled(featuregate.Feature(name))
	}
	if err := utilfeature.DefaultMutableFeatureGate.SetFromMap(set); err != nil {
		// SetFromMap keeps the raw values even when it fails; put the previous ones back.
		_ = utilfeature.DefaultMutableFeatureGate.SetFromMap(prior)
		return fmt.Errorf("featureGates: %s", sortedMessage(err))
	}
	overridden = map[string]bool{}
	for name, value := range gates {
		if value != known[featuregate.Feature(name)].Default {
			overridden[name] = value
		}
	}
	return nil
}

// Enabled lists every known gate and whether it is on now, sorted by name.
func Enabled() map[string]bool {
	out := map[string]bool{}
	for name := range utilfeature.DefaultMutableFeatureGate.GetAll() {
		out[string(name)] = utilfeature.DefaultFeatureGate.Enabled(name)
	}
	return out
}

// sortedMessage renders an aggregate error with its parts sorted, so the reply is deterministic.
func sortedMessage(err error) string {
	var agg utilerrors.Aggregate
	if !errors.As(err, &agg) {
		return err.Error()
	}
	parts := make([]string, 0, len(agg.Errors()))
	for _, e := range agg.Errors() {
		parts = append(parts, e.Error())
	}
	sort.Strings(parts)
	return strings.Join(parts, "; ")
}
