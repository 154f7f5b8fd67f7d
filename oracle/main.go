// Command oracle serves the real kube-scheduler code (k8s.io/kubernetes, pinned in go.mod) behind
// the JSON-lines protocol of PROTOCOL.md: requests on stdin, replies on stdout.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"

	"k8s.io/klog/v2"
	"k8s.io/kubernetes/pkg/scheduler/metrics"

	"github.com/batchproof/batchproof/oracle/internal/handlers"
	"github.com/batchproof/batchproof/oracle/internal/server"
)

func main() {
	verbose := flag.Bool("v", false, "keep upstream's klog output on stderr")
	flag.Parse()
	if !*verbose {
		klog.SetOutput(io.Discard)
		klog.LogToStderr(false)
	}
	if *verbose {
		server.Trace = os.Stderr
	}
	metrics.Register()
	registry := handlers.Registry{
		"version":  handlers.Version,
		"evaluate": handlers.Evaluate,
		"decode":   handlers.Decode,
		"schedule": handlers.Schedule,
	}
	if err := server.Serve(context.Background(), registry, os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "oracle:", err)
		os.Exit(1)
	}
}
