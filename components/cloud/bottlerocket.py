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


def ephemeral_storage_settings(pool: GpuPool) -> str | None:
    """The instance-store NVMe as the node's ephemeral storage, or None when the machine has none.

    The bootstrap command Karpenter writes for `instanceStorePolicy: RAID0` on Bottlerocket
    (aws/karpenter-provider-aws@v1.14.1 pkg/providers/amifamily/bootstrap/bottlerocket.go:99-116):
    `apiclient ephemeral-storage init` builds the array, `bind` mounts it under containerd, the kubelet and pod logs.
    """
    if pool.local_disks is None:
        return None
    return (
        "[settings.bootstrap-commands.000-mount-instance-storage]\n"
        'commands = [["apiclient", "ephemeral-storage", "init"], '
        '["apiclient", "ephemeral-storage", "bind", "--dirs", "/var/lib/containerd", "/var/lib/kubelet", "/var/log/pods"]]\n'
        'mode = "always"\n'
        "essential = true\n"
    )


def node_group_settings(pool: GpuPool) -> str | None:
    """A managed node group's user data: the device plugin's settings and, without Karpenter to add it, the instance store."""
    parts = [s for s in (device_plugin_settings(pool), ephemeral_storage_settings(pool)) if s]
    return "\n".join(parts) or None
