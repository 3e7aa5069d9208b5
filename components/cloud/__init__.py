"""The cloud layer: a GKE or EKS cluster with its GPU pools, or an existing cluster.

Every cluster component exposes the same `values.ClusterOutputs`, which is all the layers above use.
"""
