package handlers

import (
	"fmt"

	"k8s.io/component-base/metrics/testutil"
	"k8s.io/kubernetes/pkg/scheduler/metrics"
)

// counters are the batching counters of pkg/scheduler/metrics, summed over the profiles read.
type counters struct {
	attempts map[string]int64
	flushed  map[string]int64
	rescores int64
}

// readCounters reads the registered counters for the profiles.
func readCounters(profiles []string) (counters, error) {
	c := counters{attempts: map[string]int64{}, flushed: map[string]int64{}}
	for _, p := range profiles {
		for _, result := range attemptResults {
			v, err := testutil.GetCounterMetricValue(metrics.BatchAttemptStats.WithLabelValues(p, result))
			if err != nil {
				return c, fmt.Errorf("read batch_attempts_total: %w", err)
			}
			c.attempts[result] += int64(v)
		}
		for _, reason := range flushReasons {
			v, err := testutil.GetCounterMetricValue(metrics.BatchCacheFlushed.WithLabelValues(p, reason))
			if err != nil {
				return c, fmt.Errorf("read batch_cache_flushed_total: %w", err)
			}
			c.flushed[reason] += int64(v)
		}
		v, err := testutil.GetCounterMetricValue(metrics.BatchRescoreAttempts.WithLabelValues(p))
		if err != nil {
			return c, fmt.Errorf("read batch_rescore_attempts_total: %w", err)
		}
		c.rescores += int64(v)
	}
	return c, nil
}

func (c counters) minus(o counters) counters {
	out := counters{attempts: map[string]int64{}, flushed: map[string]int64{}, rescores: c.rescores - o.rescores}
	for k, v := range c.attempts {
		out.attempts[k] = v - o.attempts[k]
	}
	for k, v := range c.flushed {
		out.flushed[k] = v - o.flushed[k]
	}
	return out
}

// summed drops zero counters, like a Prometheus scrape of series that were never incremented.
func (c counters) summed() ScheduleMetrics {
	out := ScheduleMetrics{BatchAttemptsTotal: map[string]int64{}, BatchCacheFlushedTotal: map[string]int64{}, BatchRescoreAttemptsTotal: c.rescores}
	for k, v := range c.attempts {
		if v != 0 {
			out.BatchAttemptsTotal[k] = v
		}
	}
	for k, v := range c.flushed {
		if v != 0 {
			out.BatchCacheFlushedTotal[k] = v
		}
	}
	return out
}
