"""The cluster: a GKE or EKS cluster inferfleet creates, or an existing one."""

from __future__ import annotations

import ipaddress

from components import resolved as r
from components.versions import Pins

from ..schema import EksClusterSpec, GkeClusterSpec, StackSpec
from .problems import Problems, check_nodes

SYSTEM_MACHINE = {"gke": "e2-standard-8", "eks": "m7i.2xlarge"}
VPC_PREFIX_MAX = 20
"""A new EKS VPC is split in eight per-zone blocks; below /20 a zone gets fewer than 512 addresses."""


def resolve_cluster(spec: StackSpec, problems: Problems, *, project: str, stack: str, pins: Pins, protect: bool) -> r.Cluster | None:
    c = spec.cluster
    default_name = f"{project}-{stack}"
    if spec.kubeconfig is not None and c.provider != "existing":
        problems.add("kubeconfig", f"only used with cluster.provider: existing, not {c.provider}; remove it")
    if c.provider == "existing":
        if spec.kubeconfig is None:
            problems.add(
                "kubeconfig",
                "required with cluster.provider: existing; set it with: "
                "pulumi config set --secret inferfleet:kubeconfig < ~/.kube/config",
            )
        return r.ExistingCluster(name=c.name, context=c.context, install_driver=c.install_driver)
    _check_zones("cluster.zones", c.zones, c.region, problems, example=f"{c.region}-a" if c.provider == "gke" else f"{c.region}a")
    check_nodes("cluster.systemPool.nodes", c.system_pool.nodes.min, c.system_pool.nodes.max, problems)
    system = r.SystemPool(
        machine_type=c.system_pool.machine_type or SYSTEM_MACHINE[c.provider],
        min_nodes=c.system_pool.nodes.min,
        max_nodes=c.system_pool.nodes.max,
        disk_size_gb=c.system_pool.disk_size_gb,
    )
    if isinstance(c, GkeClusterSpec):
        net = c.network
        if c.preflight.in_plan:
            problems.add(
                "cluster.preflight.inPlan",
                "the GKE preflight asks pulumi-gcp data sources, which only a real pulumi preview or up can answer; remove inPlan",
            )
        if (net.network is None) != (net.subnetwork is None):
            problems.add("cluster.network.subnetwork", "an existing network needs both network and subnetwork; set both or neither")
        return r.GkeCluster(
            name=c.name or default_name,
            project=c.project,
            region=c.region,
            location=c.region if c.regional else c.zones[0],
            zones=c.zones,
            release_channel=c.release_channel,
            kubernetes_version=pins.kubernetes,
            create_network=net.network is None,
            network=net.network,
            subnetwork=net.subnetwork,
            node_cidr=net.node_cidr,
            pods_cidr=net.pods_cidr,
            services_cidr=net.services_cidr,
            private_endpoint=c.endpoint.private,
            authorized_networks=c.endpoint.authorized_networks,
            managed_dcgm=c.managed_dcgm,
            system_pool=system,
            deletion_protection=protect,
        )
    assert isinstance(c, EksClusterSpec)
    net_e = c.network
    if net_e.vpc_id is None:
        letters = [z[-1] for z in c.zones]
        if any(not ("a" <= letter <= "g") for letter in letters) or len(set(letters)) != len(letters):
            problems.add(
                "cluster.zones",
                "each zone gets subnets by its letter; valid: zones ending in distinct letters a-g, e.g. us-east-1a, us-east-1b",
            )
        if ipaddress.ip_network(net_e.vpc_cidr).prefixlen > VPC_PREFIX_MAX:
            problems.add(
                "cluster.network.vpcCidr",
                f"{net_e.vpc_cidr} leaves too few pod addresses per zone (the VPC CNI gives every pod a VPC address); "
                f"valid: a /{VPC_PREFIX_MAX} or larger block, e.g. 10.0.0.0/16",
            )
    if (net_e.vpc_id is None) != (not net_e.subnet_ids):
        problems.add("cluster.network.subnetIds", "an existing VPC needs vpcId and subnetIds together; set both or neither")
    elif net_e.subnet_ids and len(net_e.subnet_ids) < 2:
        problems.add("cluster.network.subnetIds", f"EKS needs subnets in at least two zones, got {len(net_e.subnet_ids)}")
    return r.EksCluster(
        name=c.name or default_name,
        region=c.region,
        zones=c.zones,
        kubernetes_version=pins.kubernetes,
        create_network=net_e.vpc_id is None,
        vpc_cidr=net_e.vpc_cidr,
        vpc_id=net_e.vpc_id,
        subnet_ids=net_e.subnet_ids,
        private_endpoint=c.endpoint.private,
        public_access_cidrs=c.endpoint.authorized_networks,
        admins=c.admins,
        ami_type="BOTTLEROCKET_x86_64_NVIDIA" if c.ami == "bottlerocket" else "AL2023_x86_64_NVIDIA",
        kms_key_arn=c.kms_key_arn,
        system_pool=system,
        deletion_protection=protect,
    )


def _check_zones(path: str, zones: tuple[str, ...], region: str, problems: Problems, *, example: str) -> None:
    outside = [z for z in zones if not z.startswith(region + "-") and not (z.startswith(region) and z[len(region):].isalpha())]
    if outside:
        problems.add(path, f"{', '.join(outside)} not in region {region}; use zones of {region}, e.g. {example}")
    if len(set(zones)) != len(zones):
        problems.add(path, "lists a zone twice; list each zone once")
