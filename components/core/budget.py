"""The model-load budget: one number every clock that waits for a model server derives from.

A vLLM pod is ready only once its weights are downloaded and loaded, which can take most of an
hour for a large model (pitfall 18). Four clocks watch that: the startup probe, the Deployment's
progress deadline, Kueue's waitForPodsReady and Pulumi's await timeout. Each must be at least the
one before it, or the faster clock kills a load that was going to succeed (pitfalls 19, 25).
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class StartupBudget:
    load_seconds: int = 3600
    """Longest a replica may take from container start to serving /health."""
    probe_period_seconds: int = 30
    rollout_seconds: int = 600
    """Scheduling, node start-up and image pull before the container starts."""
    settle_seconds: int = 300
    """Margin Kueue and Pulumi give beyond the Deployment's own deadline."""

    @property
    def probe_failures(self) -> int:
        return math.ceil(self.load_seconds / self.probe_period_seconds)

    @property
    def probe_seconds(self) -> int:
        return self.probe_failures * self.probe_period_seconds

    @property
    def progress_deadline_seconds(self) -> int:
        return self.probe_seconds + self.rollout_seconds

    @property
    def wait_seconds(self) -> int:
        """Kueue's waitForPodsReady timeout and Pulumi's await timeout."""
        return self.progress_deadline_seconds + self.settle_seconds

    @property
    def wait(self) -> str:
        """`wait_seconds` as a Go/Pulumi duration, in whole minutes."""
        return f"{math.ceil(self.wait_seconds / 60)}m"


DEFAULT_BUDGET = StartupBudget()
