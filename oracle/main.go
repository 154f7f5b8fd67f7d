// Command oracle serves the real kube-scheduler code (k8s.io/kubernetes, pinned in go.mod) behind
// the JSON-lines protocol of PROTOCOL.md: requests on stdin, replies on stdout.
package main

import "github.com/batchproof/batchproof/oracle/app"

func main() {
	app.Main()
}
