"""The serving layer: vLLM model services in restricted inference namespaces."""
