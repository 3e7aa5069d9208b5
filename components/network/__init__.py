"""The network layer: default-deny NetworkPolicies per inference namespace, and the flows the layers declare."""
