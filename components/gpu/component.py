"""The GPU layer: the NVIDIA GPU Operator, configured for the cloud underneath it."""

from __future__ import annotations

from typing import Any, Optional

import pulumi

from ..cloud.values import GkeCluster
from ..core.kube import KubernetesObject, chart
from ..core.meta import namespace
from ..core.security import PRIVILEGED_NAMESPACE_LABELS
from . import operator
from .values import GpuStackArgs

NAMESPACE = "gpu-operator"


class GpuStack(pulumi.ComponentResource):
    """GPU Operator in its own namespace. On GKE the driver is GKE's; on EKS the AMI's."""

    namespace: pulumi.Output[str]

    def __init__(self, name: str, args: GpuStackArgs, opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("inferfleet:index:GpuStack", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        # The operator's DaemonSets need host access: this namespace cannot be restricted.
        ns = KubernetesObject(f"{name}-namespace", namespace(NAMESPACE, "gpu-operator", PRIVILEGED_NAMESPACE_LABELS), child)
        self.namespace = ns.name
        # The chart takes the ConfigMaps' name outputs, so it waits for them.
        names: dict[str, Any] = {}
        mig = operator.mig_parted_config(ns.name, args.gpu)
        if mig is not None:
            names["mig_config"] = KubernetesObject(f"{name}-mig-parted", mig, child).name
        sharing = operator.sharing_config(ns.name, args.gpu)
        if sharing is not None:
            names["sharing_config"] = KubernetesObject(f"{name}-sharing", sharing, child).name
        values = operator.chart_values(args, **names)
        if isinstance(args.cluster, GkeCluster):
            pods = operator.critical_pods(values, args.pools, args.cluster.system_pool.max_nodes)
            KubernetesObject(f"{name}-critical-pods", operator.critical_pods_quota(ns.name, pods), child)
        chart(f"{name}-operator", args.chart, namespace=ns.name, values=values, release="gpu-operator", opts=child)
        self.register_outputs({"namespace": self.namespace})
