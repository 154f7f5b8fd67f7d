// Package server runs the request loop: one JSON request per line in, one reply per line out.
// A malformed line or a failing handler gets an error reply; a panic inside upstream code is
// recovered into an error reply too, so the process never dies on a request.
package server

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"runtime/debug"

	"github.com/batchproof/batchproof/oracle/internal/handlers"
	"github.com/batchproof/batchproof/oracle/internal/protocol"
)

// maxLine bounds one request (a 5,000-node scenario is a few MB).
const maxLine = 512 << 20

// Trace, when set, receives the stack of every recovered panic (main sets it with -v).
var Trace io.Writer

// Serve answers every request line of in on out until in ends.
func Serve(ctx context.Context, registry handlers.Registry, in io.Reader, out io.Writer) error {
	scanner := bufio.NewScanner(in)
	scanner.Buffer(make([]byte, 1<<20), maxLine)
	writer := bufio.NewWriter(out)
	encoder := json.NewEncoder(writer)
	for scanner.Scan() {
		line := scanner.Bytes()
		if len(line) == 0 {
			continue
		}
		reply := Handle(ctx, registry, line)
		if err := encoder.Encode(reply); err != nil {
			return fmt.Errorf("write reply: %w", err)
		}
		if err := writer.Flush(); err != nil {
			return fmt.Errorf("flush reply: %w", err)
		}
	}
	if err := scanner.Err(); err != nil {
		return fmt.Errorf("read request: %w", err)
	}
	return nil
}

// Handle answers one request line.
func Handle(ctx context.Context, registry handlers.Registry, line []byte) (reply protocol.Reply) {
	reply.Protocol = protocol.Version
	var req protocol.Request
	if err := json.Unmarshal(line, &req); err != nil {
		reply.Error = &protocol.Error{Message: fmt.Sprintf("malformed request: %v", err)}
		reply.ID = json.RawMessage("null")
		return reply
	}
	reply.ID = req.ID
	if len(reply.ID) == 0 {
		reply.ID = json.RawMessage("null")
	}
	if req.Protocol != 0 && req.Protocol != protocol.Version {
		reply.Error = protocol.FieldError("protocol", "client speaks protocol %d, oracle speaks %d: rebuild the oracle (batchproof upstream build)", req.Protocol, protocol.Version)
		return reply
	}
	handler, ok := registry[req.Type]
	if !ok {
		reply.Error = protocol.FieldError("type", "unknown request type %q", req.Type)
		return reply
	}
	defer func() {
		if r := recover(); r != nil {
			reply.OK = false
			reply.Result = nil
			reply.Error = &protocol.Error{Message: fmt.Sprintf("upstream code panicked in %s: %v", req.Type, r)}
			if Trace != nil {
				fmt.Fprintf(Trace, "panic in %s: %v\n%s\n", req.Type, r, debug.Stack())
			}
		}
	}()
	result, err := handler(ctx, req.Params)
	if err != nil {
		var perr *protocol.Error
		if pe, ok := err.(*protocol.Error); ok {
			perr = pe
		} else {
			perr = &protocol.Error{Message: err.Error()}
		}
		reply.Error = perr
		return reply
	}
	reply.OK = true
	reply.Result = result
	return reply
}
