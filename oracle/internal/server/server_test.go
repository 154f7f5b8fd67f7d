package server

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/batchproof/batchproof/oracle/internal/handlers"
)

func registry() handlers.Registry {
	return handlers.Registry{
		"version":  handlers.Version,
		"evaluate": handlers.Evaluate,
		"decode":   handlers.Decode,
		"panics": func(context.Context, json.RawMessage) (any, error) {
			var m map[string]int
			m["x"] = 1
			return nil, nil
		},
	}
}

func TestMalformedRequestsGetErrorReplies(t *testing.T) {
	cases := []struct {
		name, line, wantField, wantMessage string
		wantID                             string
	}{
		{"not json", `garbage`, "", "malformed request", "null"},
		{"unknown type", `{"id": 7, "type": "frobnicate"}`, "type", "unknown request type", "7"},
		{"wrong protocol", `{"id": "a", "protocol": 99, "type": "version"}`, "protocol", "oracle speaks 1", `"a"`},
		{"unknown param", `{"id": 1, "type": "evaluate", "params": {"nodez": []}}`, "params", "unknown field", "1"},
		{"missing pod", `{"id": 2, "type": "evaluate", "params": {}}`, "params.pod", "required", "2"},
		{"bad node", `{"id": 3, "type": "evaluate", "params": {"pod": {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}}, "nodes": [{"kind": "Nope"}]}}`, "", "params.nodes[0]", "3"},
		{"panic", `{"id": 4, "type": "panics"}`, "", "panicked", "4"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			reply := Handle(context.Background(), registry(), []byte(tc.line))
			if reply.OK {
				t.Fatalf("want an error reply, got ok")
			}
			if string(reply.ID) != tc.wantID {
				t.Errorf("id = %s, want %s", reply.ID, tc.wantID)
			}
			if reply.Error.Field != tc.wantField {
				t.Errorf("field = %q, want %q", reply.Error.Field, tc.wantField)
			}
			if !strings.Contains(reply.Error.Error(), tc.wantMessage) {
				t.Errorf("message %q does not contain %q", reply.Error.Error(), tc.wantMessage)
			}
		})
	}
}

func TestServeAnswersEveryLineInOrder(t *testing.T) {
	in := strings.NewReader("{\"id\": 1, \"type\": \"version\"}\nbad\n\n{\"id\": 2, \"type\": \"version\"}\n")
	var out bytes.Buffer
	if err := Serve(context.Background(), registry(), in, &out); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 3 {
		t.Fatalf("want 3 replies, got %d: %q", len(lines), lines)
	}
	var first, last struct {
		ID     int  `json:"id"`
		OK     bool `json:"ok"`
		Result struct {
			KubernetesVersion string `json:"kubernetesVersion"`
		} `json:"result"`
	}
	if err := json.Unmarshal([]byte(lines[0]), &first); err != nil || !first.OK || first.ID != 1 {
		t.Errorf("first reply %s", lines[0])
	}
	if err := json.Unmarshal([]byte(lines[2]), &last); err != nil || !last.OK || last.ID != 2 {
		t.Errorf("last reply %s", lines[2])
	}
}
