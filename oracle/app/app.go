// Package app runs the oracle. Out-of-tree plugins join upstream's in-tree registry the way
// kube-scheduler's own app.WithPlugin does it, so an author's main is three lines:
//
//	func main() { app.Main(app.WithPlugin(myplugin.Name, myplugin.New)) }
package app

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"

	"k8s.io/klog/v2"
	frameworkruntime "k8s.io/kubernetes/pkg/scheduler/framework/runtime"
	"k8s.io/kubernetes/pkg/scheduler/metrics"

	"github.com/batchproof/batchproof/oracle/internal/handlers"
	"github.com/batchproof/batchproof/oracle/internal/server"
)

// Option adds something to the oracle, such as an out-of-tree plugin.
type Option func(frameworkruntime.Registry) error

// WithPlugin registers an out-of-tree plugin factory under name.
func WithPlugin(name string, factory frameworkruntime.PluginFactory) Option {
	return func(registry frameworkruntime.Registry) error {
		return registry.Register(name, factory)
	}
}

// Requests are the request types the oracle answers.
func Requests() handlers.Registry {
	return handlers.Registry{
		"version":  handlers.Version,
		"evaluate": handlers.Evaluate,
		"decode":   handlers.Decode,
		"schedule": handlers.Schedule,
	}
}

// Main parses flags, applies the options and serves stdin/stdout until stdin ends.
func Main(opts ...Option) {
	verbose := flag.Bool("v", false, "keep upstream's klog output on stderr")
	flag.Parse()
	if !*verbose {
		klog.SetOutput(io.Discard)
		klog.LogToStderr(false)
	} else {
		server.Trace = os.Stderr
	}
	for _, opt := range opts {
		if err := opt(handlers.OutOfTree); err != nil {
			fmt.Fprintln(os.Stderr, "oracle: register out-of-tree plugin:", err)
			os.Exit(2)
		}
	}
	metrics.Register()
	if err := server.Serve(context.Background(), Requests(), os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "oracle:", err)
		os.Exit(1)
	}
}
