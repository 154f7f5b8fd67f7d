// Package schedconfig decodes a KubeSchedulerConfiguration the way kube-scheduler does
// (cmd/kube-scheduler/app/options/configfile.go: strict decoding with defaulting, then
// pkg/scheduler/apis/config/validation).
package schedconfig

import (
	"encoding/json"
	"fmt"

	configv1 "k8s.io/kube-scheduler/config/v1"
	"k8s.io/kubernetes/pkg/scheduler/apis/config"
	"k8s.io/kubernetes/pkg/scheduler/apis/config/scheme"
	"k8s.io/kubernetes/pkg/scheduler/apis/config/validation"
)

// Load decodes raw (JSON of a kubescheduler.config.k8s.io/v1 document), or the v1 defaults when
// raw is empty or null, and validates it.
func Load(raw json.RawMessage) (*config.KubeSchedulerConfiguration, error) {
	cfg := &config.KubeSchedulerConfiguration{}
	if len(raw) == 0 || string(raw) == "null" {
		var versioned configv1.KubeSchedulerConfiguration
		scheme.Scheme.Default(&versioned)
		if err := scheme.Scheme.Convert(&versioned, cfg, nil); err != nil {
			return nil, fmt.Errorf("config: default configuration: %w", err)
		}
	} else {
		obj, gvk, err := scheme.Codecs.UniversalDecoder().Decode(raw, nil, nil)
		if err != nil {
			return nil, fmt.Errorf("config: %w", err)
		}
		decoded, ok := obj.(*config.KubeSchedulerConfiguration)
		if !ok {
			return nil, fmt.Errorf("config: expected KubeSchedulerConfiguration, got %s", gvk)
		}
		decoded.TypeMeta.APIVersion = gvk.GroupVersion().String()
		cfg = decoded
	}
	if err := validation.ValidateKubeSchedulerConfiguration(cfg); err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	return cfg, nil
}

// Profile picks the profile whose schedulerName is name.
func Profile(cfg *config.KubeSchedulerConfiguration, name string) (*config.KubeSchedulerProfile, error) {
	for i := range cfg.Profiles {
		if cfg.Profiles[i].SchedulerName == name {
			return &cfg.Profiles[i], nil
		}
	}
	names := make([]string, 0, len(cfg.Profiles))
	for _, p := range cfg.Profiles {
		names = append(names, p.SchedulerName)
	}
	return nil, fmt.Errorf("no profile with schedulerName %q (profiles: %v)", name, names)
}
