"""The GPU layer: the NVIDIA GPU Operator, configured for the cloud underneath it."""

from __future__ import annotations

from typing import Optional, Sequence

import pulumi

from . import resolved as r
from .k8s import gpu_operator
from .k8s.meta import labels, manifest
from .k8s.security import PRIVILEGED_NAMESPACE_LABELS
from .kube import KubernetesObject, chart
from .versions import CORE, HelmChart

NAMESPACE = "gpu-operator"


class GpuStack(pulumi.ComponentResource):
    """GPU Operator in its own namespace. On GKE the driver is GKE's; on EKS the AMI's."""

    namespace: pulumi.Output[str]

    def __init__(
        self,
        name: str,
        cluster: r.Cluster,
        pools: Sequence[r.GpuPool],
        operator_chart: HelmChart,
        opts: Optional[pulumi.ResourceOptions] = None,
    ):
        super().__init__("inferfleet:index:GpuStack", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        # The operator's DaemonSets need host access: this namespace cannot be restricted.
        ns = KubernetesObject(
            f"{name}-namespace", manifest(CORE, "Namespace", NAMESPACE, labels=labels("gpu-operator", NAMESPACE, PRIVILEGED_NAMESPACE_LABELS)), child
        )
        self.namespace = ns.name
        if cluster.provider == "gke":
            KubernetesObject(f"{name}-critical-pods", gpu_operator.critical_pods_quota(ns.name), child)
        sharing = gpu_operator.sharing_config(ns.name, pools)
        values = gpu_operator.chart_values(cluster, pools)
        if sharing is not None:
            config = KubernetesObject(f"{name}-sharing", sharing, child)
            values["devicePlugin"]["config"]["name"] = config.name
        chart(f"{name}-operator", operator_chart, namespace=ns.name, values=values, release="gpu-operator", opts=child)
        self.register_outputs({"namespace": self.namespace})
