package handlers

import (
	"context"
	"encoding/json"
	"runtime/debug"

	"github.com/batchproof/batchproof/oracle/internal/featuregates"
	"github.com/batchproof/batchproof/oracle/internal/protocol"
)

// VersionResult names the Kubernetes release the oracle links and the gates it has on.
type VersionResult struct {
	Protocol          int             `json:"protocol"`
	KubernetesVersion string          `json:"kubernetesVersion"`
	GoVersion         string          `json:"goVersion"`
	FeatureGates      map[string]bool `json:"featureGates"`
}

// KubernetesModule is the module whose version the oracle reports.
const KubernetesModule = "k8s.io/kubernetes"

// Version reports the linked k8s.io/kubernetes module version, read from the build info.
func Version(_ context.Context, raw json.RawMessage) (any, error) {
	var p struct{}
	if err := decodeParams(raw, &p); err != nil {
		return nil, err
	}
	result := VersionResult{Protocol: protocol.Version, KubernetesVersion: "unknown", FeatureGates: featuregates.Enabled()}
	if info, ok := debug.ReadBuildInfo(); ok {
		result.GoVersion = info.GoVersion
		for _, dep := range info.Deps {
			if dep.Path == KubernetesModule {
				result.KubernetesVersion = dep.Version
			}
		}
	}
	return result, nil
}
