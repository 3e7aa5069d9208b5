"""AL2023 user data inferfleet adds to GPU node groups' launch templates: a nodeadm `NodeConfig`.

EKS merges a managed node group's MIME multi-part user data with its own NodeConfig, and nodeadm merges
the NodeConfig documents it finds (awslabs/amazon-eks-ami@v20260724 nodeadm/README.md:36-50).
"""

from __future__ import annotations

from .values import GpuPool

BOUNDARY = "INFERFLEET"


def local_storage(pool: GpuPool) -> str | None:
    """RAID0 of the instance-store NVMe under the kubelet and containerd, or None when the machine has none.

    `spec.instance.localStorage.strategy: RAID0` "will create a single raid0 volume from any local disks"
    (amazon-eks-ami@v20260724 nodeadm/api/v1alpha1/nodeconfig_types.go:93, 117-135), as Karpenter's
    `instanceStorePolicy: RAID0` asks of nodeadm (aws/karpenter-provider-aws@v1.14.1
    pkg/providers/amifamily/bootstrap/nodeadm.go:87-89).
    """
    if pool.local_disks is None:
        return None
    return (
        "MIME-Version: 1.0\n"
        f'Content-Type: multipart/mixed; boundary="{BOUNDARY}"\n'
        "\n"
        f"--{BOUNDARY}\n"
        "Content-Type: application/node.eks.aws\n"
        "\n"
        "---\n"
        "apiVersion: node.eks.aws/v1alpha1\n"
        "kind: NodeConfig\n"
        "spec:\n"
        "  instance:\n"
        "    localStorage:\n"
        "      strategy: RAID0\n"
        "\n"
        f"--{BOUNDARY}--\n"
    )
