"""Pure builders: typed input in, plain Kubernetes manifest dicts (or Helm values) out."""
