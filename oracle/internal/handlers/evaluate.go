package handlers

import (
	"context"
	"encoding/json"
	"fmt"

	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/sets"
	fwk "k8s.io/kube-scheduler/framework"
	"k8s.io/kubernetes/pkg/scheduler/apis/config"
	"k8s.io/kubernetes/pkg/scheduler/framework"
	frameworkruntime "k8s.io/kubernetes/pkg/scheduler/framework/runtime"

	"github.com/batchproof/batchproof/oracle/internal/cluster"
	"github.com/batchproof/batchproof/oracle/internal/featuregates"
	"github.com/batchproof/batchproof/oracle/internal/objects"
	"github.com/batchproof/batchproof/oracle/internal/schedconfig"
)

// EvaluateParams: a config, gates, a cluster and one pod.
type EvaluateParams struct {
	// Config is a kubescheduler.config.k8s.io/v1 KubeSchedulerConfiguration; null means the v1 defaults.
	Config json.RawMessage `json:"config"`
	// Profile is the schedulerName of the profile to use; empty means the pod's schedulerName.
	Profile      string          `json:"profile"`
	FeatureGates map[string]bool `json:"featureGates"`
	World
	Pod json.RawMessage `json:"pod"`
	// ScoredNodes restricts PreScore and Score to these nodes; null means every node.
	ScoredNodes []string `json:"scoredNodes"`
	// Plugins restricts the answer to these plugins; null means every plugin of the profile.
	Plugins []string `json:"plugins"`
	// SkipPreFilter / SkipPreScore call Filter / Score on a CycleState the earlier point never filled.
	SkipPreFilter bool `json:"skipPreFilter"`
	SkipPreScore  bool `json:"skipPreScore"`
}

// PreFilterAnswer is a PreFilter status and its node-name result (null: all nodes).
type PreFilterAnswer struct {
	Status
	Result *struct {
		NodeNames []string `json:"nodeNames"`
	} `json:"result"`
}

// ScoreAnswer holds raw and normalised scores per node and any non-Success Score status.
type ScoreAnswer struct {
	Raw             map[string]int64  `json:"raw"`
	Normalized      map[string]int64  `json:"normalized"`
	Statuses        map[string]Status `json:"statuses,omitempty"`
	NormalizeStatus *Status           `json:"normalizeStatus,omitempty"`
}

// SignAnswer holds SignPod's status and fragments (key -> JSON value; null when not Success).
type SignAnswer struct {
	Status
	Fragments map[string]json.RawMessage `json:"fragments"`
}

// PluginAnswer is everything one plugin said, in the shape of `batchproof eval --format json`.
type PluginAnswer struct {
	Plugin    string            `json:"plugin"`
	Points    []string          `json:"points"`
	PreFilter *PreFilterAnswer  `json:"preFilter,omitempty"`
	Filter    map[string]Status `json:"filter"`
	PreScore  *Status           `json:"preScore,omitempty"`
	Score     ScoreAnswer       `json:"score"`
	Sign      *SignAnswer       `json:"sign,omitempty"`
}

// EvaluateResult is the per-plugin answers, the profile's extension points and its signature.
type EvaluateResult struct {
	Profile         string              `json:"profile"`
	ExtensionPoints map[string][]Plugin `json:"extensionPoints"`
	Plugins         []PluginAnswer      `json:"plugins"`
	// Signature is frameworkImpl.SignPod's JSON, or null.
	Signature *string `json:"signature"`
	// Pod is the pod after API defaulting, as the plugins saw it.
	Pod json.RawMessage `json:"pod"`
}

// Plugin is a plugin enabled at an extension point, with its weight at Score.
type Plugin struct {
	Name   string `json:"name"`
	Weight int32  `json:"weight,omitempty"`
}

// profileSetup is a framework built for one request, with its registry and plugin args.
type profileSetup struct {
	framework framework.Framework
	registry  frameworkruntime.Registry
	profile   *config.KubeSchedulerProfile
	cluster   *cluster.Cluster
}

// buildProfile applies gates, loads the config, builds the cluster and the profile's framework.
func buildProfile(ctx context.Context, gates map[string]bool, rawConfig json.RawMessage, world World, schedulerName string) (*profileSetup, error) {
	if err := featuregates.Apply(gates); err != nil {
		return nil, fieldErr("params", err)
	}
	cfg, err := schedconfig.Load(rawConfig)
	if err != nil {
		return nil, fieldErr("params.config", err)
	}
	profile, err := schedconfig.Profile(cfg, schedulerName)
	if err != nil {
		return nil, fieldErr("params.profile", err)
	}
	w, err := world.decode()
	if err != nil {
		return nil, fieldErr("", err)
	}
	c, err := cluster.New(ctx, w.nodes, w.pods, w.objects)
	if err != nil {
		return nil, fieldErr("params", err)
	}
	registry, err := NewRegistry()
	if err != nil {
		c.Stop()
		return nil, fieldErr("params", err)
	}
	fw, err := frameworkruntime.NewFramework(ctx, registry, profile, c.FrameworkOptions()...)
	if err != nil {
		c.Stop()
		return nil, fieldErr("params.config", err)
	}
	return &profileSetup{framework: fw, registry: registry, profile: profile, cluster: c}, nil
}

// pluginArgs is the profile's defaulted args for name (nil when it has none).
func (s *profileSetup) pluginArgs(name string) runtime.Object {
	for _, pc := range s.profile.PluginConfig {
		if pc.Name == name {
			return pc.Args
		}
	}
	return nil
}

// Evaluate runs every extension point of every plugin of the profile on one pod, as upstream's
// plugin unit tests do, with plugins built by upstream's in-tree registry over the framework's
// handle, plus the framework's own SignPod.
func Evaluate(ctx context.Context, raw json.RawMessage) (any, error) {
	var p EvaluateParams
	if err := decodeParams(raw, &p); err != nil {
		return nil, err
	}
	if len(p.Pod) == 0 {
		return nil, fieldErr("params.pod", fmt.Errorf("required"))
	}
	pod, err := objects.DecodeAs[*v1.Pod]("params.pod", p.Pod)
	if err != nil {
		return nil, fieldErr("", err)
	}
	cluster.EnsureUID(pod)
	name := p.Profile
	if name == "" {
		name = pod.Spec.SchedulerName
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	setup, err := buildProfile(ctx, p.FeatureGates, p.Config, p.World, name)
	if err != nil {
		return nil, err
	}
	defer setup.cluster.Stop()

	listed := setup.framework.ListPlugins()
	points := map[string][]Plugin{
		"preFilter": pluginsOf(listed.PreFilter), "filter": pluginsOf(listed.Filter),
		"preScore": pluginsOf(listed.PreScore), "score": pluginsOf(listed.Score),
	}
	order, where := byPoint(points)
	wanted := map[string]bool{}
	for _, n := range p.Plugins {
		if _, ok := where[n]; !ok {
			return nil, fieldErr("params.plugins", fmt.Errorf("plugin %q is not enabled at PreFilter, Filter, PreScore or Score in profile %q", n, name))
		}
		wanted[n] = true
	}
	// The plugins under test get a cluster of their own: a plugin may register informer indexers
	// (DynamicResources does), and the profile's framework has registered them on its cluster.
	w, err := p.World.decode()
	if err != nil {
		return nil, fieldErr("", err)
	}
	own, err := cluster.New(ctx, w.nodes, w.pods, w.objects)
	if err != nil {
		return nil, fieldErr("params", err)
	}
	defer own.Stop()
	handle, err := frameworkruntime.NewFramework(ctx, setup.registry, nil, own.FrameworkOptions()...)
	if err != nil {
		return nil, fieldErr("params", err)
	}
	instances := map[string]fwk.Plugin{}
	for _, n := range order {
		if len(wanted) > 0 && !wanted[n] {
			continue
		}
		factory, ok := setup.registry[n]
		if !ok {
			return nil, fieldErr("params.plugins", fmt.Errorf("plugin %q is not in the in-tree registry", n))
		}
		pl, err := factory(ctx, setup.pluginArgs(n), handle)
		if err != nil {
			return nil, fieldErr("params.config", fmt.Errorf("initializing plugin %q: %w", n, err))
		}
		instances[n] = pl
	}
	for _, c := range []*cluster.Cluster{setup.cluster, own} {
		if err := c.Start(); err != nil {
			return nil, fieldErr("params", err)
		}
	}
	nodeInfos, err := own.Snapshot.NodeInfos().List()
	if err != nil {
		return nil, fieldErr("params.nodes", err)
	}
	scored, err := scoredSubset(nodeInfos, p.ScoredNodes)
	if err != nil {
		return nil, err
	}
	result := EvaluateResult{Profile: name, ExtensionPoints: points, Plugins: []PluginAnswer{}}
	for _, n := range order {
		pl, ok := instances[n]
		if !ok {
			continue
		}
		answer, err := evaluatePlugin(ctx, pl, pod, nodeInfos, scored, p.SkipPreFilter, p.SkipPreScore)
		if err != nil {
			return nil, fieldErr("params.plugins", fmt.Errorf("plugin %q: %w", n, err))
		}
		answer.Points = where[n]
		result.Plugins = append(result.Plugins, answer)
	}
	if sig := setup.framework.SignPod(ctx, pod); sig != nil {
		s := string(sig)
		result.Signature = &s
	}
	if result.Pod, err = objects.Encode(pod); err != nil {
		return nil, err
	}
	return result, nil
}

func pluginsOf(set config.PluginSet) []Plugin {
	out := []Plugin{}
	for _, p := range set.Enabled {
		out = append(out, Plugin{Name: p.Name, Weight: p.Weight})
	}
	return out
}

// byPoint orders the plugins of the four points by first mention and says where each runs.
func byPoint(points map[string][]Plugin) ([]string, map[string][]string) {
	var order []string
	where := map[string][]string{}
	for _, point := range []string{"preFilter", "filter", "preScore", "score"} {
		for _, p := range points[point] {
			if _, seen := where[p.Name]; !seen {
				order = append(order, p.Name)
			}
			where[p.Name] = append(where[p.Name], point)
		}
	}
	return order, where
}

func scoredSubset(all []fwk.NodeInfo, names []string) ([]fwk.NodeInfo, error) {
	if names == nil {
		return all, nil
	}
	byName := map[string]fwk.NodeInfo{}
	for _, ni := range all {
		byName[ni.Node().Name] = ni
	}
	out := make([]fwk.NodeInfo, 0, len(names))
	for i, n := range names {
		ni, ok := byName[n]
		if !ok {
			return nil, fieldErr(fmt.Sprintf("params.scoredNodes[%d]", i), fmt.Errorf("unknown node %q", n))
		}
		out = append(out, ni)
	}
	return out, nil
}

func evaluatePlugin(ctx context.Context, pl fwk.Plugin, pod *v1.Pod, nodes, scored []fwk.NodeInfo, skipPreFilter, skipPreScore bool) (PluginAnswer, error) {
	answer := PluginAnswer{Plugin: pl.Name(), Filter: map[string]Status{},
		Score: ScoreAnswer{Raw: map[string]int64{}, Normalized: map[string]int64{}}}
	state := framework.NewCycleState()
	filterPl, runFilter := pl.(fwk.FilterPlugin)
	if pre, ok := pl.(fwk.PreFilterPlugin); ok && !skipPreFilter {
		res, status := pre.PreFilter(ctx, state, pod, nodes)
		answer.PreFilter = &PreFilterAnswer{Status: statusOf(status)}
		if res != nil && !res.AllNodes() {
			names := sets.List(res.NodeNames)
			answer.PreFilter.Result = &struct {
				NodeNames []string `json:"nodeNames"`
			}{NodeNames: names}
		}
		if !status.IsSuccess() {
			runFilter = false
		}
	}
	if runFilter {
		for _, ni := range nodes {
			answer.Filter[ni.Node().Name] = statusOf(filterPl.Filter(ctx, state, pod, ni))
		}
	}
	scorePl, runScore := pl.(fwk.ScorePlugin)
	if pre, ok := pl.(fwk.PreScorePlugin); ok && !skipPreScore {
		status := statusOf(pre.PreScore(ctx, state, pod, scored))
		answer.PreScore = &status
		if status.Code != fwk.Success.String() {
			runScore = false
		}
	}
	if runScore {
		scores := make(fwk.NodeScoreList, 0, len(scored))
		allOK := true
		for _, ni := range scored {
			value, status := scorePl.Score(ctx, state, pod, ni)
			name := ni.Node().Name
			answer.Score.Raw[name] = value
			if !status.IsSuccess() {
				allOK = false
				if answer.Score.Statuses == nil {
					answer.Score.Statuses = map[string]Status{}
				}
				answer.Score.Statuses[name] = statusOf(status)
			}
			scores = append(scores, fwk.NodeScore{Name: name, Score: value})
		}
		if ext := scorePl.ScoreExtensions(); ext != nil && allOK {
			status := statusOf(ext.NormalizeScore(ctx, state, pod, scores))
			answer.Score.NormalizeStatus = &status
		}
		for _, s := range scores {
			answer.Score.Normalized[s.Name] = s.Score
		}
	}
	if signer, ok := pl.(fwk.SignPlugin); ok {
		fragments, status := signer.SignPod(ctx, pod)
		answer.Sign = &SignAnswer{Status: statusOf(status)}
		if status.IsSuccess() && fragments != nil {
			answer.Sign.Fragments = map[string]json.RawMessage{}
			for _, f := range fragments {
				value, err := json.Marshal(f.Value)
				if err != nil {
					return answer, fmt.Errorf("marshal fragment %q: %w", f.Key, err)
				}
				answer.Sign.Fragments[f.Key] = value
			}
		}
	}
	return answer, nil
}
