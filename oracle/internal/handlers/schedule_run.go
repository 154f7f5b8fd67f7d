package handlers

import (
	"fmt"
	"sort"
	"time"

	v1 "k8s.io/api/core/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/batchproof/batchproof/oracle/internal/batchstate"
	"github.com/batchproof/batchproof/oracle/internal/objects"
)

// clockMargin keeps the real age of a batch this far from upstream's 500 ms boundary, so the
// real time a cycle takes before GetNodeHint cannot change the virtual clock's verdict.
const clockMargin = time.Second

func (r *scheduleRun) run(queue []*v1.Pod, evts []ScheduleEvent) (*ScheduleResult, error) {
	result := &ScheduleResult{Batching: r.batching, Pods: []PodOutcome{}, Events: []EventOutcome{}}
	start, err := readCounters(r.profileNames())
	if err != nil {
		return nil, err
	}
	due := map[int][]int{}
	for j, e := range evts {
		due[e.Before] = append(due[e.Before], j)
	}
	for i := 0; i <= len(queue); i++ {
		for _, j := range due[i] {
			applied, err := r.apply(evts[j])
			if err != nil {
				return nil, fieldErr(fmt.Sprintf("params.events[%d]", j), err)
			}
			result.Events = append(result.Events, EventOutcome{Before: evts[j].Before, Type: evts[j].Type, Applied: applied})
		}
		if i == len(queue) {
			break
		}
		outcome, err := r.scheduleOne(queue[i])
		if err != nil {
			return nil, fieldErr(fmt.Sprintf("params.queue[%d]", i), err)
		}
		result.Pods = append(result.Pods, outcome)
		r.now += r.interval
	}
	end, err := readCounters(r.profileNames())
	if err != nil {
		return nil, err
	}
	result.Metrics = end.minus(start).summed()
	return result, nil
}

// scheduleOne creates the pod through the client, waits until the informer has queued it, runs
// one ScheduleOne and waits until the binding (or the failure) has settled in the cache.
func (r *scheduleRun) scheduleOne(pod *v1.Pod) (PodOutcome, error) {
	key := podKey(pod)
	out := PodOutcome{Pod: key, Profile: pod.Spec.SchedulerName}
	o, ok := r.observed[pod.Spec.SchedulerName]
	if !ok {
		return out, fmt.Errorf("spec.schedulerName: no profile %q (profiles: %v)", pod.Spec.SchedulerName, r.profileNames())
	}
	if _, err := r.client.CoreV1().Pods(pod.Namespace).Create(r.ctx, pod, metav1.CreateOptions{}); err != nil {
		return out, fmt.Errorf("create pod %s: %w", key, err)
	}
	gated := false
	if err := r.waitFor("pod "+key+" to be queued", func() (bool, error) {
		if containsPod(r.sched.SchedulingQueue.PodsInActiveQ(), pod) {
			return true, nil
		}
		gated = containsPod(r.sched.SchedulingQueue.UnschedulablePods(), pod)
		return gated, nil
	}); err != nil {
		return out, err
	}
	if gated {
		out.Status = &FailureStatus{Code: "Gated", Reasons: []string{}, Message: "pod has scheduling gates: PreEnqueue kept it out of the active queue"}
		return out, r.remove(pod)
	}
	if err := r.syncClock(); err != nil {
		return out, err
	}
	before, err := readCounters([]string{out.Profile})
	if err != nil {
		return out, err
	}
	o.reset()
	r.mu.Lock()
	r.failure, r.failedPod = nil, ""
	r.mu.Unlock()
	r.sched.ScheduleOne(r.ctx)
	out.Cycle = r.sched.CurrentCycle()
	if o.err != nil {
		return out, o.err
	}
	r.mu.Lock()
	failure, failedPod := r.failure, r.failedPod
	r.mu.Unlock()
	if failure != nil && failedPod == key {
		reasons := failure.Reasons()
		if reasons == nil {
			reasons = []string{}
		}
		out.Status = &FailureStatus{Code: failure.Code().String(), Reasons: reasons, Message: failure.Message()}
		if err := r.remove(pod); err != nil {
			return out, err
		}
	} else {
		if err := r.waitFor("pod "+key+" to be bound", func() (bool, error) {
			r.mu.Lock()
			_, done := r.bound[key]
			r.mu.Unlock()
			if !done {
				return false, nil
			}
			assumed, err := r.sched.Cache.IsAssumedPod(pod)
			return err == nil && !assumed, nil
		}); err != nil {
			return out, err
		}
		r.mu.Lock()
		out.Node = ptr(r.bound[key])
		r.mu.Unlock()
	}
	after, err := readCounters([]string{out.Profile})
	if err != nil {
		return out, err
	}
	r.describe(&out, o, after.minus(before))
	return out, r.noteStored()
}

// describe fills the batching fields of out from the cycle's metric deltas and observations.
func (r *scheduleRun) describe(out *PodOutcome, o *observed, delta counters) {
	if o.hint != "" {
		out.Hint = ptr(o.hint)
		out.HintTied = o.hintTied
	}
	for _, result := range attemptResults {
		if delta.attempts[result] > 0 {
			out.Attempt = result
		}
	}
	out.Hinted = out.Attempt == "hint_used"
	out.Rescored = delta.rescores > 0
	var storeFlush string
	for _, reason := range flushReasons {
		if delta.flushed[reason] == 0 {
			continue
		}
		if storeFlushes[reason] {
			storeFlush = reason
		} else {
			out.FlushReason = ptr(reason)
		}
	}
	if r.batching && out.Node != nil && !out.Hinted {
		if storeFlush != "" {
			out.StoreResult = ptr(storeFlush)
		} else {
			out.StoreResult = ptr("stored")
		}
	}
	if out.Node == nil {
		return
	}
	switch {
	case out.Hinted:
		out.Tied = o.hintTied
	case o.scores != nil:
		out.Scores = map[string]int64{}
		for _, s := range o.scores {
			out.Scores[s.Name] = s.TotalScore
		}
		best := out.Scores[*out.Node]
		for name, total := range out.Scores {
			if total == best {
				out.Tied = append(out.Tied, name)
			}
		}
		sort.Strings(out.Tied)
	default:
		out.Tied = []string{*out.Node}
	}
}

// syncClock maps the virtual clock onto upstream's real-time age check before a cycle: a batch
// the virtual clock calls expired (now > creation + maxBatchAge, the model's comparison) gets a
// creationTime more than 500 ms in the past, any other batch one well within it.
func (r *scheduleRun) syncClock() error {
	for name, o := range r.observed {
		st, err := batchstate.Read(o.Framework)
		if err != nil || !st.Present() {
			return err
		}
		at := time.Now().Add(-batchstate.UpstreamMaxBatchAge + clockMargin)
		if r.now > r.created[name]+r.maxAge {
			at = time.Now().Add(-batchstate.UpstreamMaxBatchAge - clockMargin)
		}
		if _, err := batchstate.SetCreationTime(o.Framework, at); err != nil {
			return err
		}
		r.lastSet[name] = at
	}
	return nil
}

// noteStored records the virtual creation time of a batch stored in the cycle just run.
func (r *scheduleRun) noteStored() error {
	for name, o := range r.observed {
		st, err := batchstate.Read(o.Framework)
		if err != nil {
			return err
		}
		if !st.Present() {
			delete(r.lastSet, name)
			r.lastID[name] = 0
			continue
		}
		if st.ID != r.lastID[name] || !st.CreationTime.Equal(r.lastSet[name]) {
			r.created[name] = r.now
			r.lastID[name] = st.ID
			r.lastSet[name] = st.CreationTime
		}
	}
	return nil
}

// apply performs one event through the client and waits until the scheduler's cache shows it.
func (r *scheduleRun) apply(e ScheduleEvent) (bool, error) {
	nodes := r.client.CoreV1().Nodes()
	switch e.Type {
	case "clockAdvance":
		if e.Seconds < 0 {
			return false, fmt.Errorf("seconds: a clock cannot go backwards")
		}
		r.now += e.Seconds
		return true, nil
	case "nodeUpdate", "nodeAddition":
		node, err := objects.DecodeAs[*v1.Node]("node", e.Node)
		if err != nil {
			return false, err
		}
		_, getErr := nodes.Get(r.ctx, node.Name, metav1.GetOptions{})
		exists := getErr == nil
		if exists != (e.Type == "nodeUpdate") {
			return false, nil
		}
		if exists {
			_, err = nodes.Update(r.ctx, node, metav1.UpdateOptions{})
		} else {
			_, err = nodes.Create(r.ctx, node, metav1.CreateOptions{})
		}
		if err != nil {
			return false, fmt.Errorf("%s %s: %w", e.Type, node.Name, err)
		}
		return true, r.waitFor("node "+node.Name+" in the cache", func() (bool, error) {
			info, ok := r.sched.Cache.Dump().Nodes[node.Name]
			return ok && info.Node() != nil && sameNode(info.Node(), node), nil
		})
	case "nodeRemoval":
		if _, err := nodes.Get(r.ctx, e.Name, metav1.GetOptions{}); err != nil {
			return false, nil
		}
		if err := nodes.Delete(r.ctx, e.Name, metav1.DeleteOptions{}); err != nil {
			return false, fmt.Errorf("delete node %s: %w", e.Name, err)
		}
		// The pods go with the node, as the pod garbage collector would remove them.
		pods, err := r.client.CoreV1().Pods("").List(r.ctx, metav1.ListOptions{})
		if err != nil {
			return false, err
		}
		for i := range pods.Items {
			if pods.Items[i].Spec.NodeName == e.Name {
				if err := r.remove(&pods.Items[i]); err != nil {
					return false, err
				}
			}
		}
		return true, r.waitFor("node "+e.Name+" to leave the cache", func() (bool, error) {
			info, ok := r.sched.Cache.Dump().Nodes[e.Name]
			return !ok || info.Node() == nil, nil
		})
	case "podDeletion":
		namespace, name, ok := splitKey(e.Name)
		if !ok {
			return false, fmt.Errorf("name: %q is not namespace/name", e.Name)
		}
		pod, err := r.client.CoreV1().Pods(namespace).Get(r.ctx, name, metav1.GetOptions{})
		if err != nil {
			return false, nil
		}
		return true, r.remove(pod)
	}
	return false, fmt.Errorf("type: unknown event type %q (nodeUpdate, nodeAddition, nodeRemoval, podDeletion, clockAdvance)", e.Type)
}

// remove deletes a pod through the client and waits until neither the queue nor the cache holds it.
func (r *scheduleRun) remove(pod *v1.Pod) error {
	err := r.client.CoreV1().Pods(pod.Namespace).Delete(r.ctx, pod.Name, metav1.DeleteOptions{})
	if err != nil && !apierrors.IsNotFound(err) {
		return fmt.Errorf("delete pod %s: %w", podKey(pod), err)
	}
	return r.waitFor("pod "+podKey(pod)+" to be deleted", func() (bool, error) {
		pending, _ := r.sched.SchedulingQueue.PendingPods()
		if containsPod(pending, pod) || containsPod(r.sched.SchedulingQueue.InFlightPods(), pod) {
			return false, nil
		}
		_, err := r.sched.Cache.GetPod(pod)
		return err != nil, nil
	})
}

// waitFor polls cond until it holds, fails or settle passes.
func (r *scheduleRun) waitFor(what string, cond func() (bool, error)) error {
	deadline := time.Now().Add(settle)
	for {
		ok, err := cond()
		if err != nil {
			return err
		}
		if ok {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("timed out after %s waiting for %s", settle, what)
		}
		select {
		case <-r.ctx.Done():
			return r.ctx.Err()
		case <-time.After(200 * time.Microsecond):
		}
	}
}

func (r *scheduleRun) profileNames() []string {
	names := make([]string, 0, len(r.observed))
	for name := range r.observed {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

func containsPod(pods []*v1.Pod, pod *v1.Pod) bool {
	for _, p := range pods {
		if p.UID == pod.UID {
			return true
		}
	}
	return false
}

// sameNode compares the fields a node event changes, ignoring what the API server adds.
func sameNode(a, b *v1.Node) bool {
	x, y := a.DeepCopy(), b.DeepCopy()
	for _, n := range []*v1.Node{x, y} {
		n.ResourceVersion, n.ManagedFields, n.UID, n.Generation = "", nil, "", 0
		n.CreationTimestamp = metav1.Time{}
	}
	return apiequality.Semantic.DeepEqual(x, y)
}

func splitKey(key string) (string, string, bool) {
	for i := 0; i < len(key); i++ {
		if key[i] == '/' {
			return key[:i], key[i+1:], i > 0 && i < len(key)-1
		}
	}
	return "", "", false
}

func podKey(pod *v1.Pod) string { return pod.Namespace + "/" + pod.Name }

func ptr[T any](v T) *T { return &v }
