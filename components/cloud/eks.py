"""EKS: a cluster with private nodes, access entries and Pod Identity, a system node group, and GPU nodes from
Karpenter (a NodePool per GPU pool) or from cluster-autoscaler (a node group per GPU pool)."""

from __future__ import annotations

import base64
import ipaddress
import json
import re
from dataclasses import dataclass, field
from typing import Callable, Mapping, Optional, Sequence

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s
from pulumi_aws.ec2 import (
    LaunchTemplateBlockDeviceMappingArgsDict,
    LaunchTemplateBlockDeviceMappingEbsArgsDict,
    LaunchTemplateCapacityReservationSpecificationArgsDict,
    LaunchTemplateInstanceMarketOptionsArgsDict,
    LaunchTemplateMetadataOptionsArgsDict,
    LaunchTemplateTagSpecificationArgsDict,
)
from pulumi_aws.eks import (
    AddonPodIdentityAssociationArgsDict,
    ClusterAccessConfigArgsDict,
    ClusterEncryptionConfigArgsDict,
    ClusterVpcConfigArgsDict,
    NodeGroupLaunchTemplateArgsDict,
    NodeGroupScalingConfigArgsDict,
    NodeGroupTaintArgsDict,
)

from ..catalog import gpus as gpu_catalog
from ..core.kube import KubernetesObject, chart
from . import bottlerocket, cluster_autoscaler, karpenter, kubeconfig, nodeadm
from .values import POOL_LABEL, ClusterOutputs, EksClusterArgs, GpuPool
from .values import EksCluster as EksClusterValues

CLUSTER_POLICIES = ("AmazonEKSClusterPolicy",)
NODE_POLICIES = ("AmazonEKSWorkerNodePolicy", "AmazonEKS_CNI_Policy", "AmazonEC2ContainerRegistryReadOnly")
"""Least privilege for nodes: join the cluster, run the VPC CNI, pull images; pods get AWS access through Pod Identity."""
EBS_CSI_POLICY = "service-role/AmazonEBSCSIDriverPolicy"
EBS_CSI_SERVICE_ACCOUNT = "ebs-csi-controller-sa"
ADMIN_ACCESS_POLICY = "AmazonEKSClusterAdminPolicy"
LOG_TYPES = ["api", "audit", "authenticator"]
SYSTEM_AMI = "AL2023_x86_64_STANDARD"
TAINT_EFFECTS = {"NoSchedule": "NO_SCHEDULE", "PreferNoSchedule": "PREFER_NO_SCHEDULE", "NoExecute": "NO_EXECUTE"}
CAPACITY_TYPES = {"on-demand": "ON_DEMAND", "spot": "SPOT", "reservation": "ON_DEMAND", "capacity-block": "CAPACITY_BLOCK"}
"""A capacity reservation is bought on demand; the launch template points the instances at it."""
RELEASE_PARAMETERS = {
    "AL2023_x86_64_STANDARD": "/aws/service/eks/optimized-ami/{}/amazon-linux-2023/x86_64/standard/recommended/release_version",
    "AL2023_x86_64_NVIDIA": "/aws/service/eks/optimized-ami/{}/amazon-linux-2023/x86_64/nvidia/recommended/release_version",
    "BOTTLEROCKET_x86_64_NVIDIA": "/aws/service/bottlerocket/aws-k8s-{}-nvidia/x86_64/latest/image_version",
}
"""SSM parameters with the newest AMI release of each node-group AMI type for a Kubernetes minor, as
terraform-aws-modules/terraform-aws-eks@b6ab962 modules/eks-managed-node-group/main.tf reads them. A node
group given its release rolls onto each new one at the next `pulumi up` (review finding 14)."""
NODE_UPDATE_IGNORED = ["scalingConfig.desiredSize"]
"""The cluster autoscaler owns the node count between min and max; an update must not reset it."""


def _partition(region: str) -> str:
    return "aws-cn" if region.startswith("cn-") else "aws-us-gov" if region.startswith("us-gov-") else "aws"


def _trust(service: str, *actions: str) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": {"Service": service}, "Action": list(actions or ("sts:AssumeRole",))}],
        }
    )


def _slug(arn: str) -> str:
    """A resource-name part from an IAM ARN: account and path, lower case (IAM names ignore case)."""
    return re.sub(r"[^a-z0-9]+", "-", arn.split(":", 4)[-1].lower()).strip("-")


def subnet_cidrs(vpc_cidr: str, zones: Sequence[str]) -> dict[str, tuple[str, str]]:
    """The (private, public) CIDRs of each zone, placed by the zone's letter.

    The VPC splits into eight blocks: a zone's private subnet is the block of its letter (a is the
    first), and its public subnet a slice of the last block. Placing by letter rather than list
    position means adding or reordering zones moves no existing subnet.
    """
    blocks = list(ipaddress.IPv4Network(vpc_cidr).subnets(prefixlen_diff=3))
    public = list(blocks[-1].subnets(prefixlen_diff=3))
    cidrs: dict[str, tuple[str, str]] = {}
    taken: dict[int, str] = {}
    for zone in zones:
        slot = ord(zone[-1]) - ord("a")
        if not 0 <= slot < len(blocks) - 1 or slot in taken:
            clash = f" (as {taken[slot]})" if slot in taken else ""
            raise ValueError(f"zone {zone} has no subnet slot of its own{clash}; zones must end in distinct letters a-g")
        taken[slot] = zone
        cidrs[zone] = (str(blocks[slot]), str(public[slot]))
    return cidrs


@dataclass(frozen=True)
class _Network:
    subnet_ids: list[pulumi.Input[str]]
    """Where the control plane's network interfaces and the system nodes go."""
    by_zone: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    """The private subnet of each zone, when inferfleet made the network."""
    zone_of: Optional[pulumi.Output[dict[str, str]]] = None
    """The zone of each subnet of an existing VPC, looked up."""

    def subnets(self, zones: Sequence[str]) -> pulumi.Input[Sequence[pulumi.Input[str]]]:
        """The subnets in `zones`: a capacity reservation's instances launch only in its zone (review findings 4, 5)."""
        if self.by_zone:
            return [self.by_zone[z] for z in zones]
        assert self.zone_of is not None
        return self.zone_of.apply(lambda zone_of: [s for s, zone in zone_of.items() if zone in zones])


def _pod_role(name: str, opts: pulumi.ResourceOptions) -> aws.iam.Role:
    """An IAM role a pod assumes through EKS Pod Identity (the agent also tags the session)."""
    return aws.iam.Role(name, assume_role_policy=_trust("pods.eks.amazonaws.com", "sts:AssumeRole", "sts:TagSession"), opts=opts)


def _pod_identity(
    name: str, eks: aws.eks.Cluster, namespace: str, service_account: str, role: aws.iam.Role, opts: pulumi.ResourceOptions
) -> aws.eks.PodIdentityAssociation:
    """Hands `role` to the pods of one service account."""
    return aws.eks.PodIdentityAssociation(
        name, cluster_name=eks.name, namespace=namespace, service_account=service_account, role_arn=role.arn, opts=opts
    )


class EksCluster(pulumi.ComponentResource):
    """An EKS cluster for inference.

    Nodes in private subnets behind NAT, access entries instead of the aws-auth ConfigMap, Pod
    Identity for pod access to AWS, secrets encrypted with KMS, IMDSv2 only, control-plane
    audit logs, and NetworkPolicies enforced by the VPC CNI. A system node group runs platform
    components and the node autoscaler; each GPU pool is a Karpenter NodePool + EC2NodeClass, or a
    managed node group that cluster-autoscaler scales.
    """

    outputs: ClusterOutputs

    def __init__(self, name: str, args: EksClusterArgs, opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("inferfleet:index:EksCluster", name, None, opts)
        cluster = args.cluster
        provider = aws.Provider(f"{name}-aws", region=cluster.region, opts=pulumi.ResourceOptions(parent=self))
        child = pulumi.ResourceOptions(parent=self, provider=provider)
        kept = pulumi.ResourceOptions.merge(child, pulumi.ResourceOptions(protect=args.protect))
        partition = _partition(cluster.region)

        def managed(policy: str) -> str:
            return f"arn:{partition}:iam::aws:policy/{policy}"

        network = self._network(name, cluster, provider, child)
        eks = self._control_plane(name, cluster, network, managed, child, kept)
        self._admins(name, cluster, eks, partition, child)

        node_role = aws.iam.Role(f"{name}-nodes", assume_role_policy=_trust("ec2.amazonaws.com"), opts=child)
        node_policies = [
            aws.iam.RolePolicyAttachment(f"{name}-nodes-{policy}", role=node_role.name, policy_arn=managed(policy), opts=child)
            for policy in NODE_POLICIES
        ]
        # Nodes need the policies to join the cluster, and keep them until they are gone on destroy.
        node_opts = pulumi.ResourceOptions.merge(
            child, pulumi.ResourceOptions(depends_on=node_policies, ignore_changes=NODE_UPDATE_IGNORED)
        )
        lookup = pulumi.InvokeOutputOptions(provider=provider)

        def release(ami_type: str) -> pulumi.Output[str]:
            parameter = RELEASE_PARAMETERS[ami_type].format(cluster.kubernetes_version)
            return aws.ssm.get_parameter_output(name=parameter, opts=lookup).value

        system_group = self._system_group(name, cluster, eks, node_role, network, release, child, node_opts)
        gpu_groups = []
        if cluster.node_autoscaler == "cluster-autoscaler":
            gpu_opts = pulumi.ResourceOptions.merge(node_opts, pulumi.ResourceOptions(protect=args.protect))
            # A suspended group's desired size is inferfleet's (0), not the autoscaler's: not ignored.
            suspended_opts = pulumi.ResourceOptions.merge(child, pulumi.ResourceOptions(depends_on=node_policies, protect=args.protect))
            for pool in args.pools:
                opts_of = suspended_opts if pool.suspended else gpu_opts
                group = self._gpu_group(name, cluster, pool, eks, node_role, network, release, child, opts_of)
                self._template_tags(name, pool, group, child)
                gpu_groups.append(group)

        identity_agent = self._addons(name, eks, system_group, managed, child)
        self._bucket_readers(name, args, eks, partition, system_group, identity_agent, child)

        ca = eks.certificate_authority.apply(lambda authority: authority["data"])
        config: pulumi.Output[str] = pulumi.Output.secret(
            pulumi.Output.all(eks.name, eks.endpoint, ca).apply(lambda a: kubeconfig.eks(a[0], a[1], a[2], cluster.region))
        )
        # Charts wait for their pods to become ready; the pods need the system nodes first.
        kubernetes = k8s.Provider(
            f"{name}-k8s", kubeconfig=config, opts=pulumi.ResourceOptions(parent=self, depends_on=[system_group])
        )
        if cluster.node_autoscaler == "karpenter" and args.pools:
            self._karpenter(name, args, eks, network, [system_group, identity_agent], kubernetes, provider, managed, child)
        elif gpu_groups:
            self._cluster_autoscaler(name, args, eks, [system_group, identity_agent], kubernetes, child)
        self.outputs = ClusterOutputs(eks.name, eks.endpoint, config, kubernetes)
        self.register_outputs(self.outputs.as_dict())

    def _karpenter(
        self,
        name: str,
        args: EksClusterArgs,
        eks: aws.eks.Cluster,
        network: _Network,
        ready: list[pulumi.Resource],
        kubernetes: k8s.Provider,
        provider: aws.Provider,
        managed: Callable[[str], str],
        opts: pulumi.ResourceOptions,
    ) -> None:
        """Karpenter on the system nodes, and a NodePool + EC2NodeClass per GPU pool."""
        cluster = args.cluster
        partition = _partition(cluster.region)
        # Its own node role: EKS makes the access entry of a managed node group's role itself, and a second
        # entry for the same role fails (terraform-aws-modules/terraform-aws-eks#2977).
        node_role = aws.iam.Role(f"{name}-karpenter-nodes", assume_role_policy=_trust("ec2.amazonaws.com"), opts=opts)
        node_policies = [
            aws.iam.RolePolicyAttachment(f"{name}-karpenter-nodes-{policy}", role=node_role.name, policy_arn=managed(policy), opts=opts)
            for policy in NODE_POLICIES
        ]
        # Under authentication_mode API, the node role joins through an EC2_LINUX entry (pulumi-aws eks/access_entry.py:39).
        access = aws.eks.AccessEntry(
            f"{name}-karpenter-nodes", cluster_name=eks.name, principal_arn=node_role.arn, type="EC2_LINUX", opts=opts
        )

        queue = aws.sqs.Queue(
            f"{name}-karpenter",
            name=cluster.name,
            message_retention_seconds=karpenter.QUEUE_RETENTION_SECONDS,
            sqs_managed_sse_enabled=True,
            opts=opts,
        )
        aws.sqs.QueuePolicy(
            f"{name}-karpenter", queue_url=queue.url, policy=queue.arn.apply(lambda arn: json.dumps(karpenter.queue_policy(arn))), opts=opts
        )
        for rule_name, pattern in karpenter.INTERRUPTION_RULES.items():
            rule = aws.cloudwatch.EventRule(
                f"{name}-karpenter-{rule_name}",
                description=f"To Karpenter's interruption queue of EKS cluster {cluster.name}",
                event_pattern=json.dumps(pattern),
                opts=opts,
            )
            aws.cloudwatch.EventTarget(
                f"{name}-karpenter-{rule_name}", rule=rule.name, arn=queue.arn, target_id=karpenter.QUEUE_TARGET_ID, opts=opts
            )

        role = _pod_role(f"{name}-karpenter", opts)
        account = aws.get_caller_identity_output(opts=pulumi.InvokeOutputOptions(provider=provider)).account_id
        documents = pulumi.Output.all(node_role.arn, queue.arn, account).apply(
            lambda a: karpenter.controller_policies(
                cluster=cluster.name, partition=partition, region=cluster.region, account=a[2], node_role_arn=a[0], queue_arn=a[1]
            )
        )
        def document(key: str) -> pulumi.Output[str]:
            return documents.apply(lambda d: json.dumps(d[key]))

        attachments: list[pulumi.Resource] = []
        for policy_name in karpenter.POLICY_NAMES:
            policy = aws.iam.Policy(
                f"{name}-karpenter-{policy_name.lower()}",
                description=f"Karpenter {policy_name} for EKS cluster {cluster.name}",
                policy=document(policy_name),
                opts=opts,
            )
            attachments.append(
                aws.iam.RolePolicyAttachment(f"{name}-karpenter-{policy_name.lower()}", role=role.name, policy_arn=policy.arn, opts=opts)
            )
        association = _pod_identity(f"{name}-karpenter", eks, karpenter.NAMESPACE, karpenter.SERVICE_ACCOUNT, role, opts)

        on_cluster = pulumi.ResourceOptions(parent=self, provider=kubernetes)
        pins = args.pins
        crds = [
            k8s.yaml.v2.ConfigFile(f"{name}-karpenter-crd-{url.rsplit('/', 1)[-1].removesuffix('.yaml')}", file=url, opts=on_cluster)
            for url in pins.karpenter_crds()
        ]
        # The controller needs the CRDs, its AWS identity and a system node; NodePools need the controller.
        controller = chart(
            f"{name}-karpenter",
            pins.charts().karpenter,
            namespace=karpenter.NAMESPACE,
            values=karpenter.controller_values(cluster.name, queue_name=cluster.name, system_nodes=cluster.system_pool.min_nodes),
            release="karpenter",
            skip_crds=True,
            opts=pulumi.ResourceOptions.merge(
                on_cluster, pulumi.ResourceOptions(depends_on=[*crds, *ready, association, *attachments, queue])
            ),
        )
        security_group = eks.vpc_config.apply(lambda vpc: vpc["cluster_security_group_id"])
        # The nodes must be able to join before Karpenter launches one.
        pools_opts = pulumi.ResourceOptions.merge(on_cluster, pulumi.ResourceOptions(depends_on=[controller, access, *node_policies]))
        for pool in args.pools:
            instance = self._largest(pool)
            node_class = karpenter.node_class(
                pool,
                ami=cluster.ami,
                ami_version=cluster.ami_version,
                role=node_role.name,
                subnet_terms=pulumi.Output.from_input(network.subnets(pool.zones)).apply(lambda ids: [{"id": s} for s in ids]),
                security_group_id=security_group,
                user_data=bottlerocket.device_plugin_settings(pool) if cluster.ami == "bottlerocket" else None,
            )
            KubernetesObject(f"{name}-{pool.name}-node-class", node_class, pools_opts)
            if pool.suspended:
                # Deleting the NodePool makes Karpenter terminate its nodes gracefully, by cascading deletion
                # (KP website/content/en/docs/concepts/disruption.md:58), and launch none; limits of 0 would
                # keep the running nodes. The EC2NodeClass stays, so resuming does not replace it.
                continue
            KubernetesObject(f"{name}-{pool.name}-node-pool", karpenter.node_pool(pool, vcpus=instance[0], memory_gib=instance[1]), pools_opts)

    @staticmethod
    def _template_tags(name: str, pool: GpuPool, group: aws.eks.NodeGroup, opts: pulumi.ResourceOptions) -> None:
        # The node group's tags stay on the node group; these go on its ASG, where cluster-autoscaler reads them
        # (the terraform-aws-eks pattern: resources[0].autoscaling_groups[0].name).
        asg = group.resources.apply(lambda r: str(r[0]["autoscaling_groups"][0]["name"]))
        for key, value in sorted(cluster_autoscaler.node_template_tags(pool).items()):
            # Named by the label or taint, so one changing leaves the other tags alone.
            slug = re.sub(r"[^a-z0-9]+", "-", key.removeprefix(cluster_autoscaler.TEMPLATE_TAG).lower()).strip("-")
            aws.autoscaling.Tag(
                f"{name}-{pool.name}-{slug}",
                autoscaling_group_name=asg,
                tag={"key": key, "value": value, "propagate_at_launch": False},
                opts=opts,
            )

    def _cluster_autoscaler(
        self,
        name: str,
        args: EksClusterArgs,
        eks: aws.eks.Cluster,
        ready: list[pulumi.Resource],
        kubernetes: k8s.Provider,
        opts: pulumi.ResourceOptions,
    ) -> None:
        cluster = args.cluster
        role = _pod_role(f"{name}-cluster-autoscaler", opts)
        aws.iam.RolePolicy(
            f"{name}-cluster-autoscaler", role=role.id, policy=json.dumps(cluster_autoscaler.policy(cluster.name)), opts=opts
        )
        association = _pod_identity(
            f"{name}-cluster-autoscaler", eks, cluster_autoscaler.NAMESPACE, cluster_autoscaler.SERVICE_ACCOUNT, role, opts
        )
        chart(
            f"{name}-cluster-autoscaler",
            args.pins.charts().cluster_autoscaler,
            namespace=cluster_autoscaler.NAMESPACE,
            values=cluster_autoscaler.values(cluster.name, region=cluster.region, image_tag=args.pins.cluster_autoscaler_image),
            release="cluster-autoscaler",
            opts=pulumi.ResourceOptions(parent=self, provider=kubernetes, depends_on=[*ready, association]),
        )

    @staticmethod
    def _largest(pool: GpuPool) -> tuple[int, int]:
        """The most vCPUs and memory (GiB) of the pool's instance types: what the NodePool's limits allow per node."""
        machines = [m for m in gpu_catalog.offering(pool.gpu, "eks").machines if m.name in pool.instance_types]
        return max(m.vcpus for m in machines), max(m.memory_gib for m in machines)

    @staticmethod
    def _control_plane(
        name: str,
        cluster: EksClusterValues,
        network: _Network,
        managed: Callable[[str], str],
        child: pulumi.ResourceOptions,
        kept: pulumi.ResourceOptions,
    ) -> aws.eks.Cluster:
        # Losing the key makes the cluster's secrets unreadable, so it is kept like the cluster.
        key_arn = cluster.kms_key_arn or aws.kms.Key(
            f"{name}-secrets",
            description=f"Kubernetes secrets of EKS cluster {cluster.name}",
            enable_key_rotation=True,
            opts=kept,
        ).arn
        cluster_role = aws.iam.Role(f"{name}-cluster", assume_role_policy=_trust("eks.amazonaws.com"), opts=child)
        cluster_policies = [
            aws.iam.RolePolicyAttachment(f"{name}-cluster-{policy}", role=cluster_role.name, policy_arn=managed(policy), opts=child)
            for policy in CLUSTER_POLICIES
        ]
        access: ClusterAccessConfigArgsDict = {"authentication_mode": "API", "bootstrap_cluster_creator_admin_permissions": True}
        vpc: ClusterVpcConfigArgsDict = {
            "subnet_ids": network.subnet_ids,
            "endpoint_private_access": True,
            "endpoint_public_access": cluster.public_endpoint,
            "public_access_cidrs": list(cluster.public_access_cidrs) or None,
        }
        encryption: ClusterEncryptionConfigArgsDict = {"provider": {"key_arn": key_arn}, "resources": ["secrets"]}
        # EKS writes to this group once it exists; made by EKS itself, it would keep the logs for ever
        # (review finding 16; terraform-aws-eks creates it first, with 90 days).
        logs = aws.cloudwatch.LogGroup(
            f"{name}-cluster-logs",
            name=f"/aws/eks/{cluster.name}/cluster",
            retention_in_days=cluster.log_retention_days,
            tags={"managed-by": "inferfleet"},
            opts=child,
        )
        # EKS uses the role's policy to create the cluster and, on destroy, to delete the network
        # interfaces and security groups it made; the policy must outlive the cluster both ways.
        return aws.eks.Cluster(
            f"{name}-cluster",
            name=cluster.name,
            version=cluster.kubernetes_version,
            role_arn=cluster_role.arn,
            access_config=access,
            vpc_config=vpc,
            encryption_config=encryption,
            enabled_cluster_log_types=LOG_TYPES,
            # The API's default is EXTENDED, paid once standard support ends (review finding 15).
            upgrade_policy={"support_type": cluster.support_type},
            deletion_protection=cluster.deletion_protection,
            tags={"managed-by": "inferfleet"},
            opts=pulumi.ResourceOptions.merge(kept, pulumi.ResourceOptions(depends_on=[*cluster_policies, logs])),
        )

    @staticmethod
    def _admins(name: str, cluster: EksClusterValues, eks: aws.eks.Cluster, partition: str, opts: pulumi.ResourceOptions) -> None:
        for arn in cluster.admins:
            entry = aws.eks.AccessEntry(
                f"{name}-admin-{_slug(arn)}", cluster_name=eks.name, principal_arn=arn, type="STANDARD", opts=opts
            )
            aws.eks.AccessPolicyAssociation(
                f"{name}-admin-{_slug(arn)}",
                cluster_name=eks.name,
                principal_arn=entry.principal_arn,  # the entry must exist before a policy is associated with it
                policy_arn=f"arn:{partition}:eks::aws:cluster-access-policy/{ADMIN_ACCESS_POLICY}",
                access_scope={"type": "cluster"},
                opts=opts,
            )

    def _system_group(
        self,
        name: str,
        cluster: EksClusterValues,
        eks: aws.eks.Cluster,
        node_role: aws.iam.Role,
        network: _Network,
        release: Callable[[str], pulumi.Output[str]],
        child: pulumi.ResourceOptions,
        opts: pulumi.ResourceOptions,
    ) -> aws.eks.NodeGroup:
        system = cluster.system_pool
        template = self._launch_template(name, cluster, "system", disk_gb=system.disk_size_gb, ami_type=SYSTEM_AMI, pool=None, opts=child)
        scaling: NodeGroupScalingConfigArgsDict = {
            "desired_size": max(1, system.min_nodes),
            "min_size": system.min_nodes,
            "max_size": system.max_nodes,
        }
        return aws.eks.NodeGroup(
            f"{name}-system",
            cluster_name=eks.name,
            node_group_name="system",
            # Set, so a Kubernetes upgrade of the cluster rolls the nodes too (pulumi-aws eks/node_group.py:359-364).
            version=eks.version,
            release_version=release(SYSTEM_AMI),
            node_role_arn=node_role.arn,
            subnet_ids=network.subnet_ids,
            ami_type=SYSTEM_AMI,
            capacity_type="ON_DEMAND",
            instance_types=[system.machine_type],
            scaling_config=scaling,
            launch_template=template,
            labels={POOL_LABEL: "system"},
            update_config={"max_unavailable": 1},
            node_repair_config={"enabled": True},
            tags={"inferfleet-pool": "system"},
            opts=opts,
        )

    def _gpu_group(
        self,
        name: str,
        cluster: EksClusterValues,
        pool: GpuPool,
        eks: aws.eks.Cluster,
        node_role: aws.iam.Role,
        network: _Network,
        release: Callable[[str], pulumi.Output[str]],
        child: pulumi.ResourceOptions,
        opts: pulumi.ResourceOptions,
    ) -> aws.eks.NodeGroup:
        template = self._launch_template(name, cluster, pool.name, disk_gb=pool.disk_size_gb, ami_type=cluster.ami_type, pool=pool, opts=child)
        scaling: NodeGroupScalingConfigArgsDict = {
            "desired_size": pool.min_nodes,
            "min_size": pool.min_nodes,
            "max_size": pool.max_nodes,
        }
        if pool.suspended:
            # Zero nodes, so EKS upgrades the group (or its Capacity Block ends) with nothing to drain. EKS takes no
            # maxSize below 1 (EKS API NodegroupScalingConfig: maxSize minimum 1; unverified in a pinned source);
            # Kueue's quota on the pool is 0, so no admitted pod is pending there and cluster-autoscaler starts none.
            scaling = {"desired_size": 0, "min_size": 0, "max_size": 1}
        taints: list[NodeGroupTaintArgsDict] = [
            {"key": t.key, "value": t.value, "effect": TAINT_EFFECTS[t.effect]} for t in pool.taints
        ]
        return aws.eks.NodeGroup(
            f"{name}-{pool.name}",
            cluster_name=eks.name,
            node_group_name=pool.name,
            version=eks.version,
            release_version=release(cluster.ami_type),
            node_role_arn=node_role.arn,
            subnet_ids=network.subnets(pool.zones),
            ami_type=cluster.ami_type,
            capacity_type=CAPACITY_TYPES[pool.capacity],
            # A Capacity Block names its instance type in the launch template, and EKS takes it in one place only.
            # A Spot pool draws from every equivalent machine of the catalog (review finding 18).
            instance_types=None if pool.capacity == "capacity-block" else list(pool.instance_types),
            scaling_config=scaling,
            launch_template=template,
            labels=dict(pool.node_labels),
            taints=taints or None,
            update_config={"max_unavailable": 1},
            node_repair_config={"enabled": True},
            tags={"inferfleet-pool": pool.name},
            opts=opts,
        )

    def _network(self, name: str, cluster: EksClusterValues, provider: aws.Provider, opts: pulumi.ResourceOptions) -> _Network:
        if not cluster.create_network:
            lookup = pulumi.InvokeOutputOptions(provider=provider)
            zones = {s: aws.ec2.get_subnet_output(id=s, opts=lookup).availability_zone for s in cluster.subnet_ids}
            return _Network(list(cluster.subnet_ids), zone_of=pulumi.Output.all(**zones))
        vpc = aws.ec2.Vpc(
            f"{name}-vpc",
            cidr_block=cluster.vpc_cidr,
            enable_dns_hostnames=True,
            enable_dns_support=True,
            tags={"Name": cluster.name},
            opts=opts,
        )
        gateway = aws.ec2.InternetGateway(f"{name}-igw", vpc_id=vpc.id, tags={"Name": cluster.name}, opts=opts)
        public_routes = aws.ec2.RouteTable(f"{name}-public", vpc_id=vpc.id, tags={"Name": f"{cluster.name}-public"}, opts=opts)
        aws.ec2.Route(
            f"{name}-public-internet",
            route_table_id=public_routes.id,
            destination_cidr_block="0.0.0.0/0",
            gateway_id=gateway.id,
            opts=opts,
        )
        # A public NAT gateway needs the VPC's internet gateway attached when it is created.
        nat_opts = pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(depends_on=[gateway]))
        by_zone: dict[str, pulumi.Input[str]] = {}
        for zone, (private_cidr, public_cidr) in subnet_cidrs(cluster.vpc_cidr, cluster.zones).items():
            public = aws.ec2.Subnet(
                f"{name}-public-{zone}",
                vpc_id=vpc.id,
                cidr_block=public_cidr,
                availability_zone=zone,
                tags={"Name": f"{cluster.name}-public-{zone}", "kubernetes.io/role/elb": "1"},
                opts=opts,
            )
            aws.ec2.RouteTableAssociation(f"{name}-public-{zone}", subnet_id=public.id, route_table_id=public_routes.id, opts=opts)
            # One NAT gateway per zone: a zone's nodes keep pulling images and weights when another
            # zone fails, and those downloads (many GB per node) pay no cross-zone transfer. Each
            # gateway costs far less than one GPU node-hour a day.
            address = aws.ec2.Eip(f"{name}-nat-{zone}", domain="vpc", tags={"Name": f"{cluster.name}-nat-{zone}"}, opts=opts)
            nat = aws.ec2.NatGateway(
                f"{name}-nat-{zone}",
                allocation_id=address.id,
                subnet_id=public.id,
                tags={"Name": f"{cluster.name}-{zone}"},
                opts=nat_opts,
            )
            private = aws.ec2.Subnet(
                f"{name}-private-{zone}",
                vpc_id=vpc.id,
                cidr_block=private_cidr,
                availability_zone=zone,
                tags={"Name": f"{cluster.name}-private-{zone}", "kubernetes.io/role/internal-elb": "1"},
                opts=opts,
            )
            private_routes = aws.ec2.RouteTable(
                f"{name}-private-{zone}", vpc_id=vpc.id, tags={"Name": f"{cluster.name}-private-{zone}"}, opts=opts
            )
            aws.ec2.Route(
                f"{name}-private-{zone}-nat",
                route_table_id=private_routes.id,
                destination_cidr_block="0.0.0.0/0",
                nat_gateway_id=nat.id,
                opts=opts,
            )
            aws.ec2.RouteTableAssociation(f"{name}-private-{zone}", subnet_id=private.id, route_table_id=private_routes.id, opts=opts)
            by_zone[zone] = private.id
        return _Network(list(by_zone.values()), by_zone)

    @staticmethod
    def _launch_template(
        name: str,
        cluster: EksClusterValues,
        key: str,
        *,
        disk_gb: int,
        ami_type: str,
        pool: GpuPool | None,
        opts: pulumi.ResourceOptions,
    ) -> NodeGroupLaunchTemplateArgsDict:
        """A launch template for one node group, and the reference to it the node group takes."""
        # Pods reach AWS through Pod Identity, so nothing off the host network needs the instance
        # metadata; one hop keeps the node's credentials out of pods.
        metadata: LaunchTemplateMetadataOptionsArgsDict = {
            "http_endpoint": "enabled",
            "http_tokens": "required",
            "http_put_response_hop_limit": 1,
        }
        # Bottlerocket boots from a small OS volume and keeps images on the second one.
        device = "/dev/xvdb" if ami_type.startswith("BOTTLEROCKET") else "/dev/xvda"
        ebs: LaunchTemplateBlockDeviceMappingEbsArgsDict = {
            "volume_size": disk_gb, "volume_type": "gp3", "encrypted": "true", "delete_on_termination": "true"
        }
        if pool is not None:
            # GPU nodes load model weights from this disk: gp3 at its maximum instead of the 3000 IOPS / 125 MiB/s
            # baseline (review finding 17), as the Karpenter node classes have it.
            ebs["iops"], ebs["throughput"] = karpenter.GP3_IOPS, karpenter.GP3_THROUGHPUT
        disk: LaunchTemplateBlockDeviceMappingArgsDict = {"device_name": device, "ebs": ebs}
        tags = {"Name": f"{cluster.name}-{key}", "inferfleet-pool": key}
        tag_specs: list[LaunchTemplateTagSpecificationArgsDict] = [
            {"resource_type": kind, "tags": tags} for kind in ("instance", "volume")
        ]
        # EKS merges a node group's user data with its own bootstrap settings: TOML on Bottlerocket, MIME on AL2023.
        settings = None
        if pool is not None:
            settings = bottlerocket.node_group_settings(pool) if ami_type.startswith("BOTTLEROCKET") else nodeadm.local_storage(pool)
        market: LaunchTemplateInstanceMarketOptionsArgsDict | None = None
        reservation: LaunchTemplateCapacityReservationSpecificationArgsDict | None = None
        instance_type = None
        if pool is not None and pool.capacity in ("reservation", "capacity-block"):
            assert pool.reservation is not None
            reservation = {"capacity_reservation_target": {"capacity_reservation_id": pool.reservation}}
            if pool.capacity == "capacity-block":
                market = {"market_type": "capacity-block"}
                instance_type = pool.machine_type
        template = aws.ec2.LaunchTemplate(
            f"{name}-{key}",
            description=f"Nodes of {key} in EKS cluster {cluster.name}",
            metadata_options=metadata,
            block_device_mappings=[disk],
            instance_type=instance_type,
            instance_market_options=market,
            capacity_reservation_specification=reservation,
            user_data=base64.b64encode(settings.encode()).decode() if settings else None,
            tag_specifications=tag_specs,
            update_default_version=True,
            opts=opts,
        )
        return {"id": template.id, "version": template.latest_version.apply(str)}

    @staticmethod
    def _bucket_readers(
        name: str, args: EksClusterArgs, eks: aws.eks.Cluster, partition: str,
        system_group: aws.eks.NodeGroup, identity_agent: aws.eks.Addon, opts: pulumi.ResourceOptions,
    ) -> None:
        """Mountpoint for S3 and, per model reading weights from a bucket, a role that may only list and
        read that bucket (and prefix), associated to the model's service account through Pod Identity.

        The volumes use `authenticationSource: pod`, so the driver mounts with the pod's credentials and
        needs none of its own (awslabs/mountpoint-s3-csi-driver@57c6bed docs/CONFIGURATION.md:324-338).
        """
        readers = [r for r in args.bucket_readers if r.source == "s3"]
        if not readers:
            return
        on_nodes = pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(depends_on=[system_group, identity_agent]))
        aws.eks.Addon(
            f"{name}-aws-mountpoint-s3-csi-driver",
            cluster_name=eks.name,
            addon_name="aws-mountpoint-s3-csi-driver",
            resolve_conflicts_on_create="OVERWRITE",
            resolve_conflicts_on_update="OVERWRITE",
            opts=on_nodes,
        )
        for reader in readers:
            key = f"{name}-weights-{reader.namespace}-{reader.service_account}"
            role = _pod_role(key, opts)
            aws.iam.RolePolicy(key, role=role.id, policy=json.dumps(reader.s3_policy(partition)), opts=opts)
            _pod_identity(key, eks, reader.namespace, reader.service_account, role, opts)

    def _addons(
        self,
        name: str,
        eks: aws.eks.Cluster,
        system_group: aws.eks.NodeGroup,
        managed: Callable[[str], str],
        opts: pulumi.ResourceOptions,
    ) -> aws.eks.Addon:
        def addon(
            addon_name: str,
            opts: pulumi.ResourceOptions,
            configuration: dict[str, str] | None = None,
            identities: list[AddonPodIdentityAssociationArgsDict] | None = None,
        ) -> aws.eks.Addon:
            # The add-on's settings are ours: an update puts back what someone changed in the cluster.
            return aws.eks.Addon(
                f"{name}-{addon_name}",
                cluster_name=eks.name,
                addon_name=addon_name,
                configuration_values=json.dumps(configuration) if configuration else None,
                pod_identity_associations=identities,
                resolve_conflicts_on_create="OVERWRITE",
                resolve_conflicts_on_update="OVERWRITE",
                opts=opts,
            )

        # The VPC CNI enforces NetworkPolicies only when asked to (setting name unverified, apis.md section 8).
        addon("vpc-cni", opts, configuration={"enableNetworkPolicy": "true"})
        addon("kube-proxy", opts)
        identity_agent = addon("eks-pod-identity-agent", opts)
        # Deployments: the add-on turns ACTIVE only once its pods run, and they need nodes.
        on_nodes = pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(depends_on=[system_group]))
        addon("coredns", on_nodes)

        ebs_role = _pod_role(f"{name}-ebs-csi", opts)
        aws.iam.RolePolicyAttachment(f"{name}-ebs-csi", role=ebs_role.name, policy_arn=managed(EBS_CSI_POLICY), opts=opts)
        association: AddonPodIdentityAssociationArgsDict = {"role_arn": ebs_role.arn, "service_account": EBS_CSI_SERVICE_ACCOUNT}
        # The controller also takes its AWS credentials from the Pod Identity agent on its node.
        with_credentials = pulumi.ResourceOptions.merge(on_nodes, pulumi.ResourceOptions(depends_on=[identity_agent]))
        addon("aws-ebs-csi-driver", with_credentials, identities=[association])
        return identity_agent
