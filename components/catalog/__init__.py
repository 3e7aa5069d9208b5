"""Static catalogs: GPUs (memory, MIG profiles, machines per cloud, list prices) and models."""
