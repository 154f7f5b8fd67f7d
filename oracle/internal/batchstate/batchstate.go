// Package batchstate reads and shifts the unexported batch state of a profile's framework
// (pkg/scheduler/framework/runtime/batch.go: frameworkImpl.batch.state) so the schedule request
// can run upstream's OpportunisticBatch on a virtual clock.
//
// Upstream reads time.Now() and a 500 ms constant; nothing is injectable. The only time the batch
// keeps is batchState.creationTime, so moving that instant is equivalent to moving the clock:
// upstream's own comparison `time.Now().After(creationTime.Add(maxBatchAge))` still decides.
// Nothing else of the batch is written.
package batchstate

import (
	"fmt"
	"reflect"
	"time"
	"unsafe"

	fwk "k8s.io/kube-scheduler/framework"
	"k8s.io/kubernetes/pkg/scheduler/framework"
)

// UpstreamMaxBatchAge is the constant maxBatchAge of runtime/batch.go in the linked release.
const UpstreamMaxBatchAge = 500 * time.Millisecond

// State is a view of one framework's batch state; the zero value means "no batch state".
type State struct {
	// ID identifies the stored batchState (its address): a new ID means StoreScheduleResults
	// stored a new batch.
	ID uintptr
	// CreationTime is batchState.creationTime.
	CreationTime time.Time
	// Nodes are the cached scored nodes in heap-internal order.
	Nodes []fwk.NodePluginScores
	// SortedNodes identifies the cached heap (rescoring replaces it).
	SortedNodes uintptr
}

// Present says whether the framework holds a batch state.
func (s State) Present() bool { return s.ID != 0 }

// field returns the named field of the struct v points to, readable and writable.
func field(v reflect.Value, name string) (reflect.Value, error) {
	if v.Kind() != reflect.Pointer || v.IsNil() {
		return reflect.Value{}, fmt.Errorf("batchstate: %s: nil or not a pointer", name)
	}
	s := v.Elem()
	if s.Kind() != reflect.Struct {
		return reflect.Value{}, fmt.Errorf("batchstate: %s: %s is not a struct", name, s.Type())
	}
	f := s.FieldByName(name)
	if !f.IsValid() {
		return reflect.Value{}, fmt.Errorf("batchstate: %s has no field %q (upstream changed batch.go)", s.Type(), name)
	}
	return reflect.NewAt(f.Type(), unsafe.Pointer(f.UnsafeAddr())).Elem(), nil
}

// statePointer is frameworkImpl.batch.state (a *batchState), invalid when batching is off.
func statePointer(fw framework.Framework) (reflect.Value, error) {
	batch, err := field(reflect.ValueOf(fw), "batch")
	if err != nil {
		return reflect.Value{}, err
	}
	if batch.IsNil() {
		return reflect.Value{}, nil
	}
	return field(batch, "state")
}

// Read returns the framework's batch state (zero when there is none or batching is off).
func Read(fw framework.Framework) (State, error) {
	ptr, err := statePointer(fw)
	if err != nil || !ptr.IsValid() || ptr.IsNil() {
		return State{}, err
	}
	created, err := field(ptr, "creationTime")
	if err != nil {
		return State{}, err
	}
	sorted, err := field(ptr, "sortedNodes")
	if err != nil {
		return State{}, err
	}
	out := State{ID: ptr.Pointer(), CreationTime: created.Interface().(time.Time)}
	if !sorted.IsNil() {
		nodes := sorted.Interface().(framework.SortedScoredNodes)
		out.Nodes = nodes.UnorderedList()
		out.SortedNodes = sorted.Elem().Pointer()
	}
	return out, nil
}

// SetCreationTime moves batchState.creationTime; false when there is no batch state.
func SetCreationTime(fw framework.Framework, at time.Time) (bool, error) {
	ptr, err := statePointer(fw)
	if err != nil || !ptr.IsValid() || ptr.IsNil() {
		return false, err
	}
	created, err := field(ptr, "creationTime")
	if err != nil {
		return false, err
	}
	created.Set(reflect.ValueOf(at))
	return true, nil
}

// LastPopped is the entry the heap's last Pop removed: container/heap moves it to the end of
// the backing array before shrinking the slice, so it is still there, one past the length.
// False when the heap has no such slot or the slot holds another node than name.
func LastPopped(fw framework.Framework, name string) (fwk.NodePluginScores, bool, error) {
	ptr, err := statePointer(fw)
	if err != nil || !ptr.IsValid() || ptr.IsNil() {
		return fwk.NodePluginScores{}, false, err
	}
	sorted, err := field(ptr, "sortedNodes")
	if err != nil || sorted.IsNil() {
		return fwk.NodePluginScores{}, false, err
	}
	heap, err := field(sorted.Elem(), "nodes")
	if err != nil {
		return fwk.NodePluginScores{}, false, err
	}
	if heap.Cap() <= heap.Len() {
		return fwk.NodePluginScores{}, false, nil
	}
	entry, ok := heap.Slice(0, heap.Len()+1).Index(heap.Len()).Interface().(fwk.NodePluginScores)
	if !ok || entry.Name != name {
		return fwk.NodePluginScores{}, false, nil
	}
	return entry, true, nil
}
