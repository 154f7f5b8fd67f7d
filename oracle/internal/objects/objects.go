// Package objects turns Kubernetes API JSON into typed objects the way the API server stores
// them: decoded through the real scheme, then defaulted (pkg/apis/*/v1*/defaults.go).
package objects

import (
	"encoding/json"
	"fmt"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	"k8s.io/kubernetes/pkg/api/legacyscheme"

	// Register every API group the oracle reads, with its defaulting functions.
	_ "k8s.io/kubernetes/pkg/apis/apps/install"
	_ "k8s.io/kubernetes/pkg/apis/batch/install"
	_ "k8s.io/kubernetes/pkg/apis/core/install"
	_ "k8s.io/kubernetes/pkg/apis/policy/install"
	_ "k8s.io/kubernetes/pkg/apis/resource/install"
	_ "k8s.io/kubernetes/pkg/apis/scheduling/install"
	_ "k8s.io/kubernetes/pkg/apis/storage/install"
)

var (
	lenient = legacyscheme.Codecs.UniversalDeserializer()
	strict  = serializer.NewCodecFactory(legacyscheme.Scheme, serializer.EnableStrict).UniversalDeserializer()
)

// Decoded is one API object: the typed, defaulted external object and any strict-decoding
// complaints (unknown or duplicate fields) the API server would reject it for.
type Decoded struct {
	Object runtime.Object
	Kind   string
	Strict []string
}

// Decode reads one object; field names the request path used in errors.
func Decode(field string, raw json.RawMessage) (Decoded, error) {
	obj, gvk, err := lenient.Decode(raw, nil, nil)
	if err != nil {
		return Decoded{}, fmt.Errorf("%s: %w", field, err)
	}
	var complaints []string
	if _, _, serr := strict.Decode(raw, nil, nil); serr != nil && runtime.IsStrictDecodingError(serr) {
		if se, ok := runtime.AsStrictDecodingError(serr); ok {
			for _, e := range se.Errors() {
				complaints = append(complaints, e.Error())
			}
		}
	}
	legacyscheme.Scheme.Default(obj)
	return Decoded{Object: obj, Kind: gvk.Kind, Strict: complaints}, nil
}

// DecodeAs reads one object that must be of type T (for example *v1.Pod).
func DecodeAs[T runtime.Object](field string, raw json.RawMessage) (T, error) {
	var zero T
	decoded, err := Decode(field, raw)
	if err != nil {
		return zero, err
	}
	typed, ok := decoded.Object.(T)
	if !ok {
		return zero, fmt.Errorf("%s: expected %T, got kind %s", field, zero, decoded.Kind)
	}
	return typed, nil
}

// Encode renders obj as JSON with apiVersion and kind set.
func Encode(obj runtime.Object) (json.RawMessage, error) {
	gvks, _, err := legacyscheme.Scheme.ObjectKinds(obj)
	if err != nil || len(gvks) == 0 {
		return nil, fmt.Errorf("unknown object type %T", obj)
	}
	copied := obj.DeepCopyObject()
	copied.GetObjectKind().SetGroupVersionKind(gvks[0])
	return json.Marshal(copied)
}
