"""Bottlerocket settings inferfleet writes into GPU nodes' user data (TOML, merged with the cloud's own)."""

from __future__ import annotations

from .values import GpuPool


def device_plugin_settings(pool: GpuPool) -> str | None:
    """Time-slicing for Bottlerocket's own NVIDIA device plugin, or None when the pool shares no GPU.

    Bottlerocket >= v1.25.0 reads `settings.kubelet-device-plugins.nvidia.time-slicing`
    (bottlerocket-os/bottlerocket@v1.26.0 CHANGELOG.md:29-42) and renders it into the plugin's config
    (bottlerocket-os/bottlerocket-core-kit@v3.1.1 packages/nvidia-k8s-device-plugin/nvidia-k8s-device-plugin-conf:14-24).
    `rename-by-default` defaults to true, which would advertise `nvidia.com/gpu.shared`; model pods ask
    for `nvidia.com/gpu`, so it is turned off. resolve rejects MIG and MPS on Bottlerocket.
    """
    if pool.sharing is None:
        return None
    assert pool.sharing.strategy == "time-slicing", "resolve rejects MPS on Bottlerocket"
    return (
        "[settings.kubelet-device-plugins.nvidia]\n"
        'device-sharing-strategy = "time-slicing"\n'
        "\n"
        "[settings.kubelet-device-plugins.nvidia.time-slicing]\n"
        f"replicas = {pool.sharing.clients_per_gpu}\n"
        "rename-by-default = false\n"
        "fail-requests-greater-than-one = true\n"
    )
