"""The GPU layer: the NVIDIA GPU Operator, configured for the cloud underneath it."""

from __future__ import annotations

from typing import Any, Optional

import pulumi

from ..cloud.values import GkeCluster
from ..core.kube import KubernetesObject, chart
from ..core.meta import namespace
from ..core.security import PRIVILEGED_NAMESPACE_LABELS
from . import dra, gke_driver, operator
from .values import GpuStackArgs

NAMESPACE = "gpu-operator"


class GpuStack(pulumi.ComponentResource):
    """GPU Operator in its own namespace (on GKE the driver is GKE's, on EKS the AMI's), and the
    NVIDIA DRA driver in another when a pool allocates GPUs through DRA."""

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
        if dra.dra_pools(args.pools):
            # The kubelet plugin is privileged (dra-driver-nvidia-gpu@v0.4.1 values.yaml:275,283).
            dra_ns = KubernetesObject(f"{name}-dra-namespace", namespace(dra.NAMESPACE, "dra-driver", PRIVILEGED_NAMESPACE_LABELS), child)
            if isinstance(args.cluster, GkeCluster):
                # Its plugin and controller are system-node-critical (values.yaml:209,254): GKE needs a quota here too.
                quota = operator.critical_pods_quota(dra_ns.name, dra.critical_pods(args.pools), "dra-driver")
                KubernetesObject(f"{name}-dra-critical-pods", quota, child)
                # GKE installs no driver on DRA pools (cloud.gke): its installer DaemonSet does, in kube-system.
                installer = gke_driver.daemonset(args.pools, args.pins)
                if installer is not None:
                    KubernetesObject(f"{name}-gke-driver-installer", installer, child)
            chart(f"{name}-dra-driver", args.dra_chart, namespace=dra_ns.name, values=dra.chart_values(args), release="dra-driver", opts=child)
        self.register_outputs({"namespace": self.namespace})
