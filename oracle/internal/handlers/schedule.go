package handlers

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"sync"
	"time"

	v1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	utilfeature "k8s.io/apiserver/pkg/util/feature"
	"k8s.io/client-go/kubernetes/fake"
	clienttesting "k8s.io/client-go/testing"
	"k8s.io/client-go/tools/events"
	"k8s.io/klog/v2"
	fwk "k8s.io/kube-scheduler/framework"
	"k8s.io/kubernetes/pkg/features"
	"k8s.io/kubernetes/pkg/scheduler"
	"k8s.io/kubernetes/pkg/scheduler/apis/config"
	"k8s.io/kubernetes/pkg/scheduler/framework"
	"k8s.io/kubernetes/pkg/scheduler/metrics"
	"k8s.io/kubernetes/pkg/scheduler/profile"

	"github.com/batchproof/batchproof/oracle/internal/batchstate"
	"github.com/batchproof/batchproof/oracle/internal/cluster"
	"github.com/batchproof/batchproof/oracle/internal/featuregates"
	"github.com/batchproof/batchproof/oracle/internal/objects"
	"github.com/batchproof/batchproof/oracle/internal/schedconfig"
)

// ScheduleParams: a config, gates, a cluster, a pod sequence, events between pods and the
// virtual clock's settings.
type ScheduleParams struct {
	// Config is a kubescheduler.config.k8s.io/v1 KubeSchedulerConfiguration; null means the v1 defaults.
	Config       json.RawMessage `json:"config"`
	FeatureGates map[string]bool `json:"featureGates"`
	World
	// Queue is the pod sequence, scheduled one pod per cycle in this order.
	Queue  []json.RawMessage `json:"queue"`
	Events []ScheduleEvent   `json:"events"`
	// MaxBatchAge is the batch age limit in seconds of virtual time (null: upstream's 0.5).
	MaxBatchAge *float64 `json:"maxBatchAge"`
	// PodInterval is the virtual time in seconds that passes after each pod.
	PodInterval float64 `json:"podInterval"`
}

// ScheduleEvent is a cluster change (or a clock jump) applied before the pod at index Before.
type ScheduleEvent struct {
	Before int `json:"before"`
	// Type: nodeUpdate | nodeAddition | nodeRemoval | podDeletion | clockAdvance.
	Type string `json:"type"`
	// Node is the new Node object (nodeUpdate, nodeAddition).
	Node json.RawMessage `json:"node,omitempty"`
	// Name is the node (nodeRemoval) or "namespace/name" of the pod (podDeletion).
	Name string `json:"name,omitempty"`
	// Seconds is the clock jump (clockAdvance).
	Seconds float64 `json:"seconds,omitempty"`
}

// FailureStatus is the status the scheduling cycle handed to the FailureHandler.
type FailureStatus struct {
	Code    string   `json:"code"`
	Reasons []string `json:"reasons"`
	// Message is status.Message(), the text upstream writes into the PodScheduled condition.
	Message string `json:"message"`
}

// PodOutcome is one pod's scheduling cycle.
type PodOutcome struct {
	Pod     string `json:"pod"`
	Profile string `json:"profile"`
	// Cycle is SchedulingQueue.SchedulingCycle() after the pod was popped (0: never popped).
	Cycle int64 `json:"cycle"`
	// Node is the node the pod was bound to (null: it failed; see Status).
	Node   *string        `json:"node"`
	Status *FailureStatus `json:"status"`
	// Hint is GetNodeHint's answer (null: no hint); Hinted says the pod was bound to it (hint_used).
	Hint   *string `json:"hint"`
	Hinted bool    `json:"hinted"`
	// Attempt is the batch_attempts_total result this cycle wrote ("" with batching off).
	Attempt string `json:"attempt"`
	// FlushReason is the batch_cache_flushed_total reason GetNodeHint wrote, if any.
	FlushReason *string `json:"flushReason"`
	// StoreResult is what StoreScheduleResults did: stored, empty_list or pod_not_batchable
	// (the last two are flushes in v1.37); null when no node was chosen or the hint was used.
	StoreResult *string `json:"storeResult"`
	Rescored    bool    `json:"rescored"`
	// Scores are the total scores of the full pipeline's feasible nodes (absent: not scored).
	Scores map[string]int64 `json:"scores,omitempty"`
	// Tied are the nodes whose total score equals the chosen node's, the chosen node included,
	// sorted by name; null when the pod failed.
	Tied []string `json:"tied"`
	// HintTied are the nodes the batch's heap held with the hint's total when it was popped, the
	// hint included, sorted by name (null: no hint): any of them could have been the hint.
	HintTied []string `json:"hintTied"`
}

// EventOutcome says whether an event applied (false: unknown node or pod, duplicate node).
type EventOutcome struct {
	Before  int    `json:"before"`
	Type    string `json:"type"`
	Applied bool   `json:"applied"`
}

// ScheduleMetrics are the batching counters of pkg/scheduler/metrics accumulated during the
// request, summed over profiles.
type ScheduleMetrics struct {
	BatchAttemptsTotal        map[string]int64 `json:"batch_attempts_total"`
	BatchCacheFlushedTotal    map[string]int64 `json:"batch_cache_flushed_total"`
	BatchRescoreAttemptsTotal int64            `json:"batch_rescore_attempts_total"`
}

// ScheduleResult is every pod's outcome, every event's and the metric counters.
type ScheduleResult struct {
	Batching bool            `json:"batching"`
	Pods     []PodOutcome    `json:"pods"`
	Events   []EventOutcome  `json:"events"`
	Metrics  ScheduleMetrics `json:"metrics"`
}

var (
	attemptResults = []string{metrics.BatchAttemptNoHint, metrics.BatchAttemptHintUsed, metrics.BatchAttemptHintNotUsed}
	flushReasons   = []string{
		metrics.BatchFlushPodFailed, metrics.BatchFlushPodSkipped, metrics.BatchFlushPodNominated,
		metrics.BatchFlushNodeMissing, metrics.BatchFlushEmptyList, metrics.BatchFlushExpired,
		metrics.BatchFlushPodIncompatible, metrics.BatchFlushPodNotBatchable, metrics.BatchFlushFilterError,
		metrics.BatchFlushPreScoreError, metrics.BatchFlushRescoreError, metrics.BatchFlushNormalizeError,
	}
	storeFlushes = map[string]bool{metrics.BatchFlushEmptyList: true, metrics.BatchFlushPodNotBatchable: true}
	podsResource = v1.SchemeGroupVersion.WithResource("pods")
)

// settle bounds every wait for the informers to deliver a change to the scheduler.
const settle = 30 * time.Second

// observed wraps a profile's framework to see what schedulePod asked of it: the full
// pipeline's scores and GetNodeHint's answer. Every call is passed on unchanged.
type observed struct {
	framework.Framework
	scores   []fwk.NodePluginScores
	hint     string
	hintTied []string
	rescored bool
	err      error
}

func (o *observed) RunScorePlugins(ctx context.Context, state fwk.CycleState, pod *v1.Pod, nodes []fwk.NodeInfo) ([]fwk.NodePluginScores, *fwk.Status) {
	scores, status := o.Framework.RunScorePlugins(ctx, state, pod, nodes)
	o.scores = scores
	return scores, status
}

func (o *observed) GetNodeHint(ctx context.Context, pod *v1.Pod, signature fwk.PodSignature, state fwk.CycleState, cycleCount int64) string {
	before, err := batchstate.Read(o.Framework)
	hint := o.Framework.GetNodeHint(ctx, pod, signature, state, cycleCount)
	after, err2 := batchstate.Read(o.Framework)
	if err == nil {
		err = err2
	}
	o.err, o.hint = err, hint
	if hint == "" || err != nil {
		return hint
	}
	o.rescored = before.SortedNodes != after.SortedNodes
	popped, ok, err := batchstate.LastPopped(o.Framework, hint)
	if err != nil || !ok {
		o.err = err
		return hint
	}
	total := popped.TotalScore
	o.hintTied = []string{hint}
	for _, n := range after.Nodes {
		if n.TotalScore == total {
			o.hintTied = append(o.hintTied, n.Name)
		}
	}
	sort.Strings(o.hintTied)
	return hint
}

func (o *observed) reset() {
	o.scores, o.hint, o.hintTied, o.rescored, o.err = nil, "", nil, false, nil
}

// scheduleRun is one request's scheduler and virtual clock.
type scheduleRun struct {
	ctx       context.Context
	client    *fake.Clientset
	sched     *scheduler.Scheduler
	observed  map[string]*observed
	batching  bool
	now       float64
	interval  float64
	maxAge    float64
	created   map[string]float64
	lastID    map[string]uintptr
	lastSet   map[string]time.Time
	mu        sync.Mutex
	bound     map[string]string
	failure   *fwk.Status
	failedPod string
}

// Schedule runs a scenario through the real scheduler: scheduler.New over a fake clientset and
// informers, one ScheduleOne per pod, binding through the fake client (see PROTOCOL.md).
func Schedule(ctx context.Context, raw json.RawMessage) (any, error) {
	var p ScheduleParams
	if err := decodeParams(raw, &p); err != nil {
		return nil, err
	}
	if err := featuregates.Apply(p.FeatureGates); err != nil {
		return nil, fieldErr("params", err)
	}
	cfg, err := schedconfig.Load(p.Config)
	if err != nil {
		return nil, fieldErr("params.config", err)
	}
	w, err := p.World.decode()
	if err != nil {
		return nil, fieldErr("", err)
	}
	queue := make([]*v1.Pod, 0, len(p.Queue))
	for i, rawPod := range p.Queue {
		field := fmt.Sprintf("params.queue[%d]", i)
		pod, err := objects.DecodeAs[*v1.Pod](field, rawPod)
		if err != nil {
			return nil, fieldErr("", err)
		}
		if pod.Spec.NodeName != "" {
			return nil, fieldErr(field+".spec.nodeName", fmt.Errorf("a pod to schedule must not be bound (it is on %q)", pod.Spec.NodeName))
		}
		if pod.Namespace == "" {
			pod.Namespace = metav1.NamespaceDefault
		}
		cluster.EnsureUID(pod)
		queue = append(queue, pod)
	}
	for i, e := range p.Events {
		if e.Before < 0 || e.Before > len(queue) {
			return nil, fieldErr(fmt.Sprintf("params.events[%d].before", i), fmt.Errorf("%d is outside 0..%d", e.Before, len(queue)))
		}
	}
	maxAge := batchstate.UpstreamMaxBatchAge.Seconds()
	if p.MaxBatchAge != nil {
		maxAge = *p.MaxBatchAge
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	r, err := newScheduleRun(ctx, cfg.Profiles, cfg.PercentageOfNodesToScore, w)
	if err != nil {
		return nil, err
	}
	defer r.stop()
	r.maxAge, r.interval = maxAge, p.PodInterval
	return r.run(queue, p.Events)
}

func newScheduleRun(ctx context.Context, profiles []config.KubeSchedulerProfile, percentage *int32, w decoded) (*scheduleRun, error) {
	// Nodes and bound pods are created one by one after the informers have started, so the
	// cache adds them in request order (the tracker's initial list has no order): node order
	// decides the node tree, ties, and which node's size an image's cluster-wide summary keeps.
	// The simple tracker stores objects as sent: field management (NewClientset) costs ~10 ms per
	// object, a minute for 5,000 nodes, and the scheduler reads no managed fields.
	client := fake.NewSimpleClientset(w.objects...)
	r := &scheduleRun{ctx: ctx, client: client, observed: map[string]*observed{}, created: map[string]float64{},
		lastID: map[string]uintptr{}, lastSet: map[string]time.Time{}, bound: map[string]string{}}
	client.PrependReactor("create", "pods", r.bind)
	informerFactory := scheduler.NewInformerFactory(client, 0, nil)
	broadcaster := events.NewBroadcaster(&events.EventSinkImpl{Interface: client.EventsV1()})
	sched, err := scheduler.New(ctx, client, informerFactory, nil, profile.NewRecorderFactory(broadcaster),
		scheduler.WithProfiles(profiles...),
		scheduler.WithPercentageOfNodesToScore(percentage),
		// One filter goroutine: feasible nodes, and so score ties, come in snapshot order.
		scheduler.WithParallelism(1),
		// Plugins registered with app.WithPlugin, as kube-scheduler's app.NewSchedulerCommand
		// passes them (cmd/kube-scheduler/app/server.go).
		scheduler.WithFrameworkOutOfTreeRegistry(OutOfTree),
	)
	if err != nil {
		return nil, fieldErr("params.config", err)
	}
	r.sched = sched
	for name, fw := range sched.Profiles {
		o := &observed{Framework: fw}
		r.observed[name] = o
		sched.Profiles[name] = o
	}
	handler := sched.FailureHandler
	sched.FailureHandler = func(ctx context.Context, fw framework.Framework, podInfo *framework.QueuedPodInfo, status *fwk.Status, nominatingInfo *fwk.NominatingInfo, start time.Time) {
		r.mu.Lock()
		r.failure, r.failedPod = status, podKey(podInfo.Pod)
		r.mu.Unlock()
		handler(ctx, fw, podInfo, status, nominatingInfo, start)
	}
	logger := klog.FromContext(ctx)
	if sched.APIDispatcher != nil {
		sched.APIDispatcher.Run(logger)
	}
	informerFactory.Start(ctx.Done())
	for typ, synced := range informerFactory.WaitForCacheSync(ctx.Done()) {
		if !synced {
			return nil, fmt.Errorf("informer for %v did not sync", typ)
		}
	}
	if err := sched.WaitForHandlersSync(ctx); err != nil {
		return nil, fmt.Errorf("scheduler event handlers did not sync: %w", err)
	}
	r.batching = utilfeature.DefaultFeatureGate.Enabled(features.OpportunisticBatching)
	for i, n := range w.nodes {
		if _, err := client.CoreV1().Nodes().Create(ctx, n, metav1.CreateOptions{}); err != nil {
			return nil, fieldErr("params.nodes", fmt.Errorf("create node %s: %w", n.Name, err))
		}
		// NodeCount, not Dump: Dump clones every node, which is quadratic over a large cluster.
		if err := r.waitFor("node "+n.Name+" in the cache", func() (bool, error) {
			return sched.Cache.NodeCount() > i, nil
		}); err != nil {
			return nil, err
		}
	}
	for i, pod := range w.pods {
		if pod.Name == "" {
			pod.Name = fmt.Sprintf("batchproof-unnamed-%d", i)
		}
		if pod.Namespace == "" {
			pod.Namespace = metav1.NamespaceDefault
		}
		if pod.Spec.NodeName == "" {
			return nil, fieldErr(fmt.Sprintf("params.pods[%d].spec.nodeName", i), fmt.Errorf("required: a pod of the cluster is bound (pods to schedule go in queue)"))
		}
		cluster.EnsureUID(pod)
		if _, err := client.CoreV1().Pods(pod.Namespace).Create(ctx, pod, metav1.CreateOptions{}); err != nil {
			return nil, fieldErr("params.pods", fmt.Errorf("create pod %s: %w", podKey(pod), err))
		}
		if err := r.waitFor("pod "+podKey(pod)+" in the cache", func() (bool, error) {
			_, err := sched.Cache.GetPod(pod)
			return err == nil, nil
		}); err != nil {
			return nil, err
		}
	}
	return r, nil
}

func (r *scheduleRun) stop() {
	if r.sched == nil {
		return
	}
	if r.sched.APIDispatcher != nil {
		r.sched.APIDispatcher.Close()
	}
	r.sched.SchedulingQueue.Close()
}

// bind is the fake API server's pods/binding: it sets spec.nodeName, as the real one does.
func (r *scheduleRun) bind(action clienttesting.Action) (bool, runtime.Object, error) {
	if action.GetSubresource() != "binding" {
		return false, nil, nil
	}
	b, ok := action.(clienttesting.CreateAction).GetObject().(*v1.Binding)
	if !ok {
		return true, nil, fmt.Errorf("binding: unexpected object %T", action.(clienttesting.CreateAction).GetObject())
	}
	obj, err := r.client.Tracker().Get(podsResource, b.Namespace, b.Name)
	if err != nil {
		return true, nil, err
	}
	pod := obj.(*v1.Pod).DeepCopy()
	pod.Spec.NodeName = b.Target.Name
	if err := r.client.Tracker().Update(podsResource, pod, b.Namespace); err != nil {
		return true, nil, err
	}
	r.mu.Lock()
	r.bound[b.Namespace+"/"+b.Name] = b.Target.Name
	r.mu.Unlock()
	return true, b, nil
}
