package handlers

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"testing"
)

const batchingConfig = `{"apiVersion":"kubescheduler.config.k8s.io/v1","kind":"KubeSchedulerConfiguration",
"profiles":[{"schedulerName":"default-scheduler","pluginConfig":[{"name":"PodTopologySpread",
"args":{"defaultingType":"List","defaultConstraints":[]}}]}]}`

func testNode(name string, cpu string) json.RawMessage {
	return json.RawMessage(fmt.Sprintf(`{"apiVersion":"v1","kind":"Node","metadata":{"name":%q,
"labels":{"kubernetes.io/hostname":%q}},"status":{"allocatable":{"cpu":%q,"memory":"8Gi","pods":"110"},
"capacity":{"cpu":%q,"memory":"8Gi","pods":"110"}}}`, name, name, cpu, cpu))
}

func testPod(name string, cpu string) json.RawMessage {
	return json.RawMessage(fmt.Sprintf(`{"apiVersion":"v1","kind":"Pod","metadata":{"name":%q},
"spec":{"containers":[{"name":"c","image":"x","resources":{"requests":{"cpu":%q}}}]}}`, name, cpu))
}

func pods(n int, cpu string) []json.RawMessage {
	out := []json.RawMessage{}
	for i := 1; i <= n; i++ {
		out = append(out, testPod(fmt.Sprintf("p%d", i), cpu))
	}
	return out
}

func str(s *string) string {
	if s == nil {
		return "-"
	}
	return *s
}

// TestSchedule runs small scenarios through the real scheduler and checks, per pod, whether it
// was hinted, the flush reason and the store result, and the metric counters at the end.
func TestSchedule(t *testing.T) {
	three := []json.RawMessage{testNode("n1", "4"), testNode("n2", "4"), testNode("n3", "4")}
	cases := []struct {
		name    string
		gates   map[string]bool
		config  string
		nodes   []json.RawMessage
		queue   []json.RawMessage
		events  []ScheduleEvent
		hinted  []bool
		flushes []string
		stores  []string
		failed  []bool
		metrics ScheduleMetrics
	}{
		{
			name:    "batching off: no hint, no metric",
			gates:   map[string]bool{"OpportunisticBatching": false},
			config:  batchingConfig,
			nodes:   three,
			queue:   pods(4, "3"),
			hinted:  []bool{false, false, false, false},
			flushes: []string{"-", "-", "-", "-"},
			stores:  []string{"-", "-", "-", "-"},
			failed:  []bool{false, false, false, true},
			metrics: ScheduleMetrics{BatchAttemptsTotal: map[string]int64{}, BatchCacheFlushedTotal: map[string]int64{}},
		},
		{
			name:    "one pod per node: the batch serves the next two pods",
			gates:   map[string]bool{"OpportunisticBatching": true},
			config:  batchingConfig,
			nodes:   three,
			queue:   pods(3, "3"),
			hinted:  []bool{false, true, true},
			flushes: []string{"-", "-", "-"},
			stores:  []string{"stored", "-", "-"},
			failed:  []bool{false, false, false},
			metrics: ScheduleMetrics{BatchAttemptsTotal: map[string]int64{"no_hint": 1, "hint_used": 2}, BatchCacheFlushedTotal: map[string]int64{}},
		},
		{
			name:    "default config: PodTopologySpread System defaulting makes pods unbatchable",
			gates:   map[string]bool{"OpportunisticBatching": true},
			nodes:   three,
			queue:   pods(3, "3"),
			hinted:  []bool{false, false, false},
			flushes: []string{"-", "-", "-"},
			stores:  []string{"pod_not_batchable", "pod_not_batchable", "empty_list"},
			failed:  []bool{false, false, false},
			metrics: ScheduleMetrics{BatchAttemptsTotal: map[string]int64{"no_hint": 3}, BatchCacheFlushedTotal: map[string]int64{"pod_not_batchable": 2, "empty_list": 1}},
		},
		{
			name:    "a clock jump past the batch age expires it",
			gates:   map[string]bool{"OpportunisticBatching": true},
			config:  batchingConfig,
			nodes:   three,
			queue:   pods(3, "3"),
			events:  []ScheduleEvent{{Before: 1, Type: "clockAdvance", Seconds: 0.6}},
			hinted:  []bool{false, false, true},
			flushes: []string{"-", "expired", "-"},
			stores:  []string{"stored", "stored", "-"},
			failed:  []bool{false, false, false},
			metrics: ScheduleMetrics{BatchAttemptsTotal: map[string]int64{"no_hint": 2, "hint_used": 1}, BatchCacheFlushedTotal: map[string]int64{"expired": 1}},
		},
		{
			name:    "the last chosen node removed: node_missing",
			gates:   map[string]bool{"OpportunisticBatching": true},
			config:  batchingConfig,
			nodes:   three,
			queue:   pods(2, "3"),
			events:  []ScheduleEvent{{Before: 1, Type: "nodeRemoval", Name: "n1"}},
			hinted:  []bool{false, false},
			flushes: []string{"-", "node_missing"},
			stores:  []string{"stored", "stored"},
			failed:  []bool{false, false},
			metrics: ScheduleMetrics{BatchAttemptsTotal: map[string]int64{"no_hint": 2}, BatchCacheFlushedTotal: map[string]int64{"node_missing": 1}},
		},
		{
			name:    "a failed pod leaves a cycle gap: pod_skipped, and the flushed state stays",
			gates:   map[string]bool{"OpportunisticBatching": true},
			config:  batchingConfig,
			nodes:   three,
			queue:   []json.RawMessage{testPod("a", "3"), testPod("big", "5"), testPod("b", "3"), testPod("big2", "5"), testPod("c", "3")},
			hinted:  []bool{false, false, false, false, false},
			flushes: []string{"-", "pod_incompatible", "pod_skipped", "pod_incompatible", "pod_skipped"},
			stores:  []string{"stored", "-", "stored", "-", "empty_list"},
			failed:  []bool{false, true, false, true, false},
			metrics: ScheduleMetrics{BatchAttemptsTotal: map[string]int64{"no_hint": 5}, BatchCacheFlushedTotal: map[string]int64{"pod_incompatible": 2, "pod_skipped": 2, "empty_list": 1}},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			params := ScheduleParams{FeatureGates: tc.gates, World: World{Nodes: tc.nodes}, Queue: tc.queue, Events: tc.events, PodInterval: 0.001}
			if tc.config != "" {
				params.Config = json.RawMessage(tc.config)
			}
			raw, err := json.Marshal(params)
			if err != nil {
				t.Fatal(err)
			}
			got, err := Schedule(context.Background(), raw)
			if err != nil {
				t.Fatalf("Schedule: %v", err)
			}
			res := got.(*ScheduleResult)
			var hinted, failed []bool
			var flushes, stores []string
			for _, p := range res.Pods {
				hinted = append(hinted, p.Hinted)
				failed = append(failed, p.Node == nil)
				flushes = append(flushes, str(p.FlushReason))
				stores = append(stores, str(p.StoreResult))
			}
			for name, pair := range map[string][2]any{"hinted": {hinted, tc.hinted}, "failed": {failed, tc.failed},
				"flushes": {flushes, tc.flushes}, "stores": {stores, tc.stores}, "metrics": {res.Metrics, tc.metrics}} {
				if !reflect.DeepEqual(pair[0], pair[1]) {
					t.Errorf("%s: got %v, want %v", name, pair[0], pair[1])
				}
			}
		})
	}
}

// TestScheduleIsDeterministic runs one scenario twice: same answer, ties included.
func TestScheduleIsDeterministic(t *testing.T) {
	nodes := []json.RawMessage{testNode("n1", "4"), testNode("n2", "4"), testNode("n3", "4"), testNode("n4", "4")}
	raw, err := json.Marshal(ScheduleParams{Config: json.RawMessage(batchingConfig), World: World{Nodes: nodes}, Queue: pods(6, "1")})
	if err != nil {
		t.Fatal(err)
	}
	var answers []string
	for range 2 {
		got, err := Schedule(context.Background(), raw)
		if err != nil {
			t.Fatal(err)
		}
		out, err := json.Marshal(got)
		if err != nil {
			t.Fatal(err)
		}
		answers = append(answers, string(out))
	}
	if answers[0] != answers[1] {
		t.Errorf("two runs differ:\n%s\n%s", answers[0], answers[1])
	}
}

// TestScheduleRejects names the offending field.
func TestScheduleRejects(t *testing.T) {
	cases := map[string]string{
		`{"queue":[{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"nodeName":"n1","containers":[{"name":"c","image":"x"}]}}]}`: "params.queue[0].spec.nodeName",
		`{"queue":[],"events":[{"before":3,"type":"clockAdvance"}]}`:                                                                            "params.events[0].before",
		`{"queue":[],"events":[{"before":0,"type":"explode"}]}`:                                                                                 "params.events[0]",
	}
	for raw, field := range cases {
		_, err := Schedule(context.Background(), json.RawMessage(raw))
		if err == nil {
			t.Errorf("%s: no error", raw)
			continue
		}
		if got := err.Error(); len(got) < len(field) || got[:len(field)] != field {
			t.Errorf("%s: error %q does not name %s", raw, got, field)
		}
	}
}
