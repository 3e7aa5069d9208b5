"""The `NetworkPolicies` component: default deny in every inference namespace, then the declared flows."""

from __future__ import annotations

from typing import Optional

import pulumi

from ..core.kube import KubernetesObject
from . import policies
from .values import NetworkArgs


class NetworkPolicies(pulumi.ComponentResource):
    def __init__(self, name: str, args: NetworkArgs, opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("inferfleet:index:NetworkPolicies", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        sources = [policies.namespace_peer(peer.namespace, peer.pods) for peer in args.scrapers]
        for key, ns in sorted(args.namespaces.items()):
            for policy in (
                policies.default_deny(ns),
                policies.allow_dns(ns, gke=args.gke),
                policies.allow_serving(ns, args.server_pods, args.server_port, sources),
                policies.allow_clients(ns, args.server_pods, args.server_port),
                policies.allow_model_download(ns, args.server_pods),
            ):
                KubernetesObject(f"{name}-{key}-{policy['metadata']['name']}", policy, child)
        self.register_outputs({})
