"""GKE's NVIDIA driver installer for DRA pools, whose nodes GKE gives no driver.

GKE: "Automatic GPU driver installation isn't supported with DRA"; a DRA pool has its driver
installation disabled (cloud.gke: INSTALLATION_DISABLED) and the driver installed by GKE's
installer DaemonSet (https://docs.cloud.google.com/kubernetes-engine/docs/how-to/set-up-dra).
This builds that DaemonSet from the facts of GKE's COS variant, read at
GoogleCloudPlatform/container-engine-accelerators@992db81257553607f1477945f1b3219632991829
`nvidia-driver-installer/cos/daemonset-preloaded.yaml` (cited below as `preloaded.yaml:<line>`);
it is inferfleet's own object, scheduled by the DRA pools' selectors instead of upstream's
"every accelerator node" affinity, so it never touches nodes whose driver GKE installs.
"""

from __future__ import annotations

from typing import Any

from ..cloud.values import GpuPool
from ..core.meta import labels
from ..core.versions import Pins
from .dra import GKE_DRIVER_ROOT, dra_pools, node_terms, tolerations

NAMESPACE = "kube-system"
"""Where GKE runs its installer (preloaded.yaml:27): GKE admits system-node-critical pods there without a quota."""
NAME = "inferfleet-nvidia-driver-installer"
"""Not upstream's name, which GKE's own installs may hold in kube-system."""
INSTALL_DIR = GKE_DRIVER_ROOT
"""The driver's host directory (preloaded.yaml:65-67,87-88), the DRA driver's nvidiaDriverRoot on GKE."""
_CONTAINER_DIR = "/usr/local/nvidia"  # preloaded.yaml:89-90,102-103
_VULKAN_HOST = f"{INSTALL_DIR}/vulkan/icd.d"  # preloaded.yaml:62-64,91-92
_COS_TOOLS_HOST = "/var/lib/cos-tools"  # preloaded.yaml:71-73,97-98
# Install only when no NVIDIA module is loaded: the installer runs again on every pod restart
# (preloaded.yaml:116-123).
_SCRIPT = """\
if lsmod | grep -q nvidia; then
  echo "an NVIDIA driver module is loaded; not installing"
  exit 0
fi
/cos-gpu-installer install || exit 1
"""


def _host_path(name: str, path: str) -> dict[str, Any]:
    return {"name": name, "hostPath": {"path": path}}


def daemonset(pools: tuple[GpuPool, ...], pins: Pins) -> dict[str, Any] | None:
    """The installer on the DRA pools' nodes only; None when no pool allocates through DRA."""
    dra = dra_pools(pools)
    if not dra:
        return None
    selector = {"app.kubernetes.io/name": NAME}
    installer = {
        "name": "nvidia-driver-installer",
        # GKE preloads the image that matches the node's COS build and it is never pulled
        # (preloaded.yaml:78-79); the pin names it.
        "image": pins.gke_driver_installer,
        "imagePullPolicy": "Never",
        "command": ["bash", "-c", _SCRIPT],
        "securityContext": {"privileged": True},  # preloaded.yaml:84-85: it loads kernel modules
        "resources": {"requests": {"cpu": "150m"}},  # preloaded.yaml:81-83
        "env": [
            {"name": "NVIDIA_INSTALL_DIR_HOST", "value": INSTALL_DIR},
            {"name": "NVIDIA_INSTALL_DIR_CONTAINER", "value": _CONTAINER_DIR},
            {"name": "VULKAN_ICD_DIR_HOST", "value": _VULKAN_HOST},
            {"name": "VULKAN_ICD_DIR_CONTAINER", "value": "/etc/vulkan/icd.d"},
            {"name": "ROOT_MOUNT_DIR", "value": "/root"},
            {"name": "COS_TOOLS_DIR_HOST", "value": _COS_TOOLS_HOST},
            {"name": "COS_TOOLS_DIR_CONTAINER", "value": "/build/cos-tools"},
        ],  # preloaded.yaml:86-100
        "volumeMounts": [
            {"name": "nvidia-install-dir-host", "mountPath": _CONTAINER_DIR},
            {"name": "vulkan-icd-mount", "mountPath": "/etc/vulkan/icd.d"},
            {"name": "dev", "mountPath": "/dev"},
            {"name": "root-mount", "mountPath": "/root"},
            {"name": "cos-tools", "mountPath": "/build/cos-tools"},
        ],  # preloaded.yaml:101-111
    }
    # Upstream's second init container (partition-gpus, preloaded.yaml:124-140) applies GKE's MIG
    # partitioning; GKE has no MIG with DRA (set-up-dra, Limitations) and resolve rejects it.
    spec = {
        "selector": {"matchLabels": selector},
        "updateStrategy": {"type": "RollingUpdate"},
        "template": {
            "metadata": {"labels": {**labels(NAME), **selector}},
            "spec": {
                "priorityClassName": "system-node-critical",  # preloaded.yaml:42
                "affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": node_terms(dra)}}},
                "tolerations": tolerations(dra),
                "hostNetwork": True,  # preloaded.yaml:56-57
                "hostPID": True,
                "volumes": [
                    _host_path("dev", "/dev"),
                    _host_path("vulkan-icd-mount", _VULKAN_HOST),
                    _host_path("nvidia-install-dir-host", INSTALL_DIR),
                    _host_path("root-mount", "/"),
                    _host_path("cos-tools", _COS_TOOLS_HOST),
                ],  # preloaded.yaml:58-73, without /etc/nvidia (partition-gpus only)
                "initContainers": [installer],
                # The work is the init container's; the pod then idles (preloaded.yaml:141-143).
                "containers": [{"name": "pause", "image": pins.gke_pause, "resources": {"requests": {"cpu": "1m", "memory": "8Mi"}}}],
            },
        },
    }
    return {
        "apiVersion": "apps/v1",
        "kind": "DaemonSet",
        "metadata": {"name": NAME, "namespace": NAMESPACE, "labels": labels(NAME)},
        "spec": spec,
    }
