"""The scheduling layer: Kueue decides which workloads get the pools' GPUs."""
