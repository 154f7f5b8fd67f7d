package handlers

import (
	"context"
	"encoding/json"
	"fmt"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/kubernetes/pkg/api/legacyscheme"
	podutil "k8s.io/kubernetes/pkg/api/pod"
	"k8s.io/kubernetes/pkg/apis/apps"
	appsvalidation "k8s.io/kubernetes/pkg/apis/apps/validation"
	"k8s.io/kubernetes/pkg/apis/batch"
	batchvalidation "k8s.io/kubernetes/pkg/apis/batch/validation"
	"k8s.io/kubernetes/pkg/apis/core"
	corevalidation "k8s.io/kubernetes/pkg/apis/core/validation"
	"k8s.io/kubernetes/pkg/apis/scheduling"
	schedulingvalidation "k8s.io/kubernetes/pkg/apis/scheduling/validation"
	"k8s.io/kubernetes/pkg/apis/storage"
	storagevalidation "k8s.io/kubernetes/pkg/apis/storage/validation"

	"github.com/batchproof/batchproof/oracle/internal/featuregates"
	"github.com/batchproof/batchproof/oracle/internal/objects"
	"github.com/batchproof/batchproof/oracle/internal/schedconfig"
)

// DecodeParams: API documents (JSON objects) to default and validate.
type DecodeParams struct {
	Documents    []json.RawMessage `json:"documents"`
	FeatureGates map[string]bool   `json:"featureGates"`
}

// FieldProblem is one validation error as the API server reports it.
type FieldProblem struct {
	Field   string `json:"field"`
	Type    string `json:"type"`
	Detail  string `json:"detail"`
	Message string `json:"message"`
}

// DecodedDocument is one document after defaulting, with every reason the API server would
// reject it on create (strict-decoding errors and validation errors).
type DecodedDocument struct {
	Index     int             `json:"index"`
	Kind      string          `json:"kind"`
	Name      string          `json:"name"`
	Object    json.RawMessage `json:"object,omitempty"`
	Errors    []FieldProblem  `json:"errors"`
	Validated bool            `json:"validated"`
}

// DecodeResult lists the documents in request order.
type DecodeResult struct {
	Documents []DecodedDocument `json:"documents"`
}

// generatedSuffix stands in for the random suffix names.SimpleNameGenerator appends, so
// validation sees a name of the length the API server would (apiserver's BeforeCreate).
const generatedSuffix = "x7k2q"

// Decode defaults every document and validates it as the API server does on create.
func Decode(_ context.Context, raw json.RawMessage) (any, error) {
	var p DecodeParams
	if err := decodeParams(raw, &p); err != nil {
		return nil, err
	}
	if err := featuregates.Apply(p.FeatureGates); err != nil {
		return nil, fieldErr("params", err)
	}
	out := DecodeResult{Documents: []DecodedDocument{}}
	for i, doc := range p.Documents {
		out.Documents = append(out.Documents, decodeOne(i, doc))
	}
	return out, nil
}

func decodeOne(i int, raw json.RawMessage) DecodedDocument {
	result := DecodedDocument{Index: i, Errors: []FieldProblem{}}
	var head metav1.TypeMeta
	_ = json.Unmarshal(raw, &head)
	result.Kind = head.Kind
	if head.Kind == "KubeSchedulerConfiguration" {
		result.Validated = true
		if _, err := schedconfig.Load(raw); err != nil {
			result.Errors = append(result.Errors, FieldProblem{Field: "", Type: "Invalid", Message: err.Error()})
		}
		return result
	}
	decoded, err := objects.Decode("", raw)
	if err != nil {
		result.Errors = append(result.Errors, FieldProblem{Type: "DecodeError", Message: err.Error()})
		return result
	}
	for _, complaint := range decoded.Strict {
		result.Errors = append(result.Errors, FieldProblem{Type: "FieldValueUnknown", Message: complaint, Detail: complaint})
	}
	obj := decoded.Object
	if accessor, err := meta.Accessor(obj); err == nil {
		if accessor.GetName() == "" && accessor.GetGenerateName() != "" {
			accessor.SetName(accessor.GetGenerateName() + generatedSuffix)
		}
		if accessor.GetNamespace() == "" && namespaced(decoded.Kind) {
			accessor.SetNamespace(metav1.NamespaceDefault)
		}
		result.Name = accessor.GetName()
	}
	if encoded, err := objects.Encode(obj); err == nil {
		result.Object = encoded
	}
	problems, validated, err := validate(obj)
	if err != nil {
		result.Errors = append(result.Errors, FieldProblem{Type: "InternalError", Message: err.Error()})
		return result
	}
	result.Validated = validated
	for _, e := range problems {
		result.Errors = append(result.Errors, FieldProblem{Field: e.Field, Type: string(e.Type), Detail: e.Detail, Message: e.Error()})
	}
	return result
}

func namespaced(kind string) bool {
	switch kind {
	case "Node", "Namespace", "PersistentVolume", "StorageClass", "PriorityClass", "CSINode", "DeviceClass", "ResourceSlice":
		return false
	}
	return true
}

// validate converts obj to its internal version and runs the kind's create validation
// (pkg/apis/<group>/validation). validated is false for kinds the oracle does not validate.
func validate(obj runtime.Object) (field.ErrorList, bool, error) {
	internal, err := legacyscheme.Scheme.UnsafeConvertToVersion(obj.DeepCopyObject(), runtime.InternalGroupVersioner)
	if err != nil {
		return nil, false, fmt.Errorf("convert to internal version: %w", err)
	}
	switch o := internal.(type) {
	case *core.Pod:
		return corevalidation.ValidatePodCreate(o, podutil.GetValidationOptionsFromPodSpecAndMeta(&o.Spec, nil, &o.ObjectMeta, nil)), true, nil
	case *core.Node:
		return corevalidation.ValidateNode(o), true, nil
	case *core.Namespace:
		return corevalidation.ValidateNamespace(o), true, nil
	case *core.Service:
		return corevalidation.ValidateServiceCreate(o), true, nil
	case *core.PersistentVolumeClaim:
		return corevalidation.ValidatePersistentVolumeClaim(o, corevalidation.ValidationOptionsForPersistentVolumeClaimCreate()), true, nil
	case *core.PersistentVolume:
		return corevalidation.ValidatePersistentVolume(o, corevalidation.ValidationOptionsForPersistentVolume(o, nil)), true, nil
	case *core.ReplicationController:
		return corevalidation.ValidateReplicationController(o, podutil.GetValidationOptionsFromPodTemplate(o.Spec.Template, nil)), true, nil
	case *apps.Deployment:
		return appsvalidation.ValidateDeployment(o, podutil.GetValidationOptionsFromPodTemplate(&o.Spec.Template, nil)), true, nil
	case *apps.ReplicaSet:
		return appsvalidation.ValidateReplicaSet(o, podutil.GetValidationOptionsFromPodTemplate(&o.Spec.Template, nil)), true, nil
	case *apps.StatefulSet:
		return appsvalidation.ValidateStatefulSet(o, appsvalidation.StatefulSetValidationOptions{}, podutil.GetValidationOptionsFromPodTemplate(&o.Spec.Template, nil)), true, nil
	case *apps.DaemonSet:
		return appsvalidation.ValidateDaemonSet(o, podutil.GetValidationOptionsFromPodTemplate(&o.Spec.Template, nil)), true, nil
	case *batch.Job:
		generateJobSelector(o)
		opts := batchvalidation.JobValidationOptions{
			PodValidationOptions:  podutil.GetValidationOptionsFromPodTemplate(&o.Spec.Template, nil),
			RequirePrefixedLabels: true, // pkg/registry/batch/job/strategy.go for a new Job
		}
		return batchvalidation.ValidateJobCreate(o, opts), true, nil
	case *scheduling.PriorityClass:
		return schedulingvalidation.ValidatePriorityClass(o), true, nil
	case *storage.StorageClass:
		return storagevalidation.ValidateStorageClass(o), true, nil
	}
	return nil, false, nil
}

// generateJobSelector does what the Job strategy's PrepareForCreate does before validation
// (pkg/registry/batch/job/strategy.go generateSelectorIfNeeded), with a stable stand-in UID.
func generateJobSelector(job *batch.Job) {
	if job.Spec.ManualSelector != nil && *job.Spec.ManualSelector {
		return
	}
	if job.UID == "" {
		job.UID = types.UID("batchproof-" + job.Namespace + "-" + job.Name)
	}
	if job.Spec.Template.Labels == nil {
		job.Spec.Template.Labels = map[string]string{}
	}
	for _, key := range []string{batch.LegacyJobNameLabel, batch.JobNameLabel} {
		if _, found := job.Spec.Template.Labels[key]; !found {
			job.Spec.Template.Labels[key] = job.Name
		}
	}
	for _, key := range []string{batch.LegacyControllerUidLabel, batch.ControllerUidLabel} {
		if _, found := job.Spec.Template.Labels[key]; !found {
			job.Spec.Template.Labels[key] = string(job.UID)
		}
	}
	if job.Spec.Selector == nil {
		job.Spec.Selector = &metav1.LabelSelector{}
	}
	if job.Spec.Selector.MatchLabels == nil {
		job.Spec.Selector.MatchLabels = map[string]string{}
	}
	if _, found := job.Spec.Selector.MatchLabels[batch.ControllerUidLabel]; !found {
		job.Spec.Selector.MatchLabels[batch.ControllerUidLabel] = string(job.UID)
	}
}
