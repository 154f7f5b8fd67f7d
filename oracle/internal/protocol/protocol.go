// Package protocol holds the oracle's wire format: one JSON request per line on stdin, one JSON
// reply per line on stdout. PROTOCOL.md beside go.mod documents it; batchproof/upstream/protocol.py
// is its Python twin, and both carry Version so they cannot drift silently.
package protocol

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// Version is bumped on every incompatible change of a request or reply shape.
const Version = 1

// Request is one line of input.
type Request struct {
	// ID is echoed verbatim in the reply (any JSON value).
	ID json.RawMessage `json:"id"`
	// Protocol, when set, must equal Version.
	Protocol int `json:"protocol,omitempty"`
	// Type names the handler: "evaluate", "decode", "schedule" or "version".
	Type string `json:"type"`
	// Params are the handler's parameters.
	Params json.RawMessage `json:"params,omitempty"`
}

// Reply is one line of output.
type Reply struct {
	ID       json.RawMessage `json:"id"`
	Protocol int             `json:"protocol"`
	OK       bool            `json:"ok"`
	Result   any             `json:"result,omitempty"`
	Error    *Error          `json:"error,omitempty"`
}

// Error is a failed request: the JSON path of the offending field (empty when the request as a
// whole is at fault) and a one-line message.
type Error struct {
	Field   string `json:"field,omitempty"`
	Message string `json:"message"`
}

// Error implements error.
func (e *Error) Error() string {
	if e.Field == "" {
		return e.Message
	}
	return e.Field + ": " + e.Message
}

// FieldError builds an *Error for field.
func FieldError(field string, format string, args ...any) *Error {
	return &Error{Field: field, Message: fmt.Sprintf(format, args...)}
}

// Decode unmarshals params strictly (unknown fields are errors) into out.
func Decode(params json.RawMessage, out any) error {
	if len(params) == 0 {
		params = []byte("{}")
	}
	dec := json.NewDecoder(bytes.NewReader(params))
	dec.DisallowUnknownFields()
	if err := dec.Decode(out); err != nil {
		return FieldError("params", "%v", err)
	}
	return nil
}
