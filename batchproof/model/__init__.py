"""The shared world: Kubernetes objects, manifests, snapshot, framework, plugins and profiles."""
