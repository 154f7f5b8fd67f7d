package handlers

import (
	fwk "k8s.io/kube-scheduler/framework"
)

// Status is a framework status as batchproof prints it: code name and reasons.
type Status struct {
	Code    string   `json:"code"`
	Reasons []string `json:"reasons"`
}

func statusOf(s *fwk.Status) Status {
	if s == nil {
		return Status{Code: fwk.Success.String(), Reasons: []string{}}
	}
	reasons := s.Reasons()
	if reasons == nil {
		reasons = []string{}
	}
	return Status{Code: s.Code().String(), Reasons: reasons}
}
