// Package handlers holds one file per request type, each with its parameter and result structs
// beside the handler.
package handlers

import (
	"context"
	"encoding/json"
	"fmt"

	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/batchproof/batchproof/oracle/internal/objects"
	"github.com/batchproof/batchproof/oracle/internal/protocol"
)

// Handler answers one request type.
type Handler func(ctx context.Context, params json.RawMessage) (any, error)

// Registry maps request types to handlers; main wires it.
type Registry map[string]Handler

// World is the cluster part shared by evaluate and schedule: nodes, bound pods, other objects.
type World struct {
	Nodes   []json.RawMessage `json:"nodes"`
	Pods    []json.RawMessage `json:"pods"`
	Objects []json.RawMessage `json:"objects"`
}

// decoded is a World as typed objects.
type decoded struct {
	nodes   []*v1.Node
	pods    []*v1.Pod
	objects []runtime.Object
}

func (w World) decode() (decoded, error) {
	var out decoded
	for i, raw := range w.Nodes {
		node, err := objects.DecodeAs[*v1.Node](fmt.Sprintf("params.nodes[%d]", i), raw)
		if err != nil {
			return out, err
		}
		out.nodes = append(out.nodes, node)
	}
	for i, raw := range w.Pods {
		pod, err := objects.DecodeAs[*v1.Pod](fmt.Sprintf("params.pods[%d]", i), raw)
		if err != nil {
			return out, err
		}
		out.pods = append(out.pods, pod)
	}
	for i, raw := range w.Objects {
		d, err := objects.Decode(fmt.Sprintf("params.objects[%d]", i), raw)
		if err != nil {
			return out, err
		}
		out.objects = append(out.objects, d.Object)
	}
	return out, nil
}

// fieldErr wraps err as a protocol error on field.
func fieldErr(field string, err error) error {
	return &protocol.Error{Field: field, Message: err.Error()}
}
