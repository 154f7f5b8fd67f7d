// Package cluster builds what kube-scheduler sees of a cluster from a request's objects: a fake
// clientset holding them, the shared informers the plugins list from, the DRA and CSI managers,
// and a node snapshot taken from the scheduler's own cache (pkg/scheduler/backend/cache), exactly
// as scheduler.New wires them (pkg/scheduler/scheduler.go).
package cluster

import (
	"context"
	"fmt"

	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	utilfeature "k8s.io/apiserver/pkg/util/feature"
	"k8s.io/client-go/informers"
	clientset "k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/fake"
	resourceslicetracker "k8s.io/dynamic-resource-allocation/resourceslice/tracker"
	"k8s.io/klog/v2"
	fwk "k8s.io/kube-scheduler/framework"
	"k8s.io/kubernetes/pkg/features"
	internalcache "k8s.io/kubernetes/pkg/scheduler/backend/cache"
	"k8s.io/kubernetes/pkg/scheduler/framework/plugins/dynamicresources"
	"k8s.io/kubernetes/pkg/scheduler/framework/plugins/nodevolumelimits"
	frameworkruntime "k8s.io/kubernetes/pkg/scheduler/framework/runtime"
	"k8s.io/kubernetes/pkg/scheduler/util/assumecache"
)

// Cluster is the scheduler's view of one request's objects.
type Cluster struct {
	Client    clientset.Interface
	Informers informers.SharedInformerFactory
	Cache     internalcache.Cache
	Snapshot  *internalcache.Snapshot
	DRA       fwk.SharedDRAManager
	CSI       fwk.CSIManager
	cancel    context.CancelFunc
	ctx       context.Context
}

// EnsureUID gives a pod without a UID a stable one derived from its namespace and name: the
// scheduler cache keys pods by UID, and the API server would have set one.
func EnsureUID(pod *v1.Pod) {
	if pod.UID == "" {
		pod.UID = types.UID("batchproof-" + pod.Namespace + "-" + pod.Name)
	}
}

// New builds the clientset, informers, managers and cache for nodes, bound pods and objects.
func New(parent context.Context, nodes []*v1.Node, pods []*v1.Pod, objects []runtime.Object) (*Cluster, error) {
	ctx, cancel := context.WithCancel(parent)
	logger := klog.FromContext(ctx)
	all := make([]runtime.Object, 0, len(nodes)+len(pods)+len(objects))
	for _, n := range nodes {
		all = append(all, n)
	}
	for i, p := range pods {
		if p.Name == "" {
			// Upstream plugin tests bind unnamed pods (st.MakePod()); the clientset needs names.
			p.Name = fmt.Sprintf("batchproof-unnamed-%d", i)
		}
		EnsureUID(p)
		all = append(all, p)
	}
	all = append(all, objects...)
	client := fake.NewClientset(all...)
	factory := informers.NewSharedInformerFactory(client, 0)
	c := &Cluster{Client: client, Informers: factory, cancel: cancel, ctx: ctx}

	if utilfeature.DefaultFeatureGate.Enabled(features.DynamicResourceAllocation) {
		claims := assumecache.NewAssumeCache(logger, factory.Resource().V1().ResourceClaims().Informer(), "ResourceClaim", "", nil)
		opts := resourceslicetracker.Options{
			EnableDeviceTaintRules:   utilfeature.DefaultFeatureGate.Enabled(features.DRADeviceTaintRules),
			EnableConsumableCapacity: utilfeature.DefaultFeatureGate.Enabled(features.DRAConsumableCapacity),
			SliceInformer:            factory.Resource().V1().ResourceSlices(),
			KubeClient:               client,
		}
		if opts.EnableDeviceTaintRules {
			opts.TaintInformer = factory.Resource().V1().DeviceTaintRules()
		}
		tracker, err := resourceslicetracker.StartTracker(ctx, opts)
		if err != nil {
			cancel()
			return nil, fmt.Errorf("start resource slice tracker: %w", err)
		}
		c.DRA = dynamicresources.NewDRAManager(ctx, claims, tracker, factory)
	}
	c.CSI = nodevolumelimits.NewCSIManager(factory.Storage().V1().CSINodes().Lister())

	c.Cache = internalcache.New(ctx, nil,
		utilfeature.DefaultFeatureGate.Enabled(features.GenericWorkload),
		utilfeature.DefaultFeatureGate.Enabled(features.CompositePodGroup))
	for _, n := range nodes {
		c.Cache.AddNode(logger, n)
	}
	for _, p := range pods {
		if err := c.Cache.AddPod(logger, p); err != nil {
			cancel()
			return nil, fmt.Errorf("add pod %s/%s to the cache: %w", p.Namespace, p.Name, err)
		}
	}
	c.Snapshot = internalcache.NewEmptySnapshot()
	if err := c.Cache.UpdateSnapshot(logger, c.Snapshot); err != nil {
		cancel()
		return nil, fmt.Errorf("update snapshot: %w", err)
	}
	return c, nil
}

// FrameworkOptions are the options scheduler.New passes to every profile's framework.
func (c *Cluster) FrameworkOptions() []frameworkruntime.Option {
	return []frameworkruntime.Option{
		frameworkruntime.WithClientSet(c.Client),
		frameworkruntime.WithInformerFactory(c.Informers),
		frameworkruntime.WithSharedDRAManager(c.DRA),
		frameworkruntime.WithSnapshotSharedLister(c.Snapshot),
		frameworkruntime.WithMutableSnapshotLister(c.Snapshot),
		frameworkruntime.WithSharedCSIManager(c.CSI),
		frameworkruntime.WithPodGroupManager(c.Cache),
		frameworkruntime.WithParallelism(1),
	}
}

// Start starts the informers the plugins registered and waits until they have synced.
func (c *Cluster) Start() error {
	c.Informers.Start(c.ctx.Done())
	for typ, synced := range c.Informers.WaitForCacheSync(c.ctx.Done()) {
		if !synced {
			return fmt.Errorf("informer for %v did not sync", typ)
		}
	}
	return nil
}

// Stop ends the informers.
func (c *Cluster) Stop() {
	c.cancel()
	c.Informers.Shutdown()
}
