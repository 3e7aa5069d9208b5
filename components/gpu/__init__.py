"""The GPU layer: how each pool's GPUs reach pods (the NVIDIA GPU Operator, MIG and sharing)."""
