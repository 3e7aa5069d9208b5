"""Karpenter on EKS: a NodePool and an EC2NodeClass per GPU pool, the controller's values and IAM, the interruption queue.

Pure builders (no Pulumi): `eks.EksCluster` registers what they return. KP below is
aws/karpenter-provider-aws@v1.14.1; CF is its getting-started template,
KP website/content/en/docs/getting-started/getting-started-with-karpenter/cloudformation.yaml.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

from ..catalog.gpus import NVIDIA_GPU
from .values import GpuPool

NODE_POOL_API = "karpenter.sh/v1"
NODE_CLASS_API = "karpenter.k8s.aws/v1"
NAMESPACE = "kube-system"
"""Where the getting-started guide installs the controller (KP website/content/en/docs/getting-started/getting-started-with-karpenter/_index.md:50)."""
SERVICE_ACCOUNT = "karpenter"
"""Named, so the Pod Identity association can name it (the chart would derive it from the release, KP charts/karpenter/templates/_helpers.tpl:59-65)."""

CAPACITY_TYPE = {"on-demand": "on-demand", "spot": "spot", "reservation": "reserved", "capacity-block": "reserved"}
"""`karpenter.sh/capacity-type`: ODCRs and Capacity Blocks are both `reserved` (KP website/content/en/docs/tasks/odcrs.md:16-33)."""
DISRUPTION = {"consolidationPolicy": "WhenEmpty", "consolidateAfter": "10m", "budgets": [{"nodes": "1"}]}
"""A node is consolidated only once it runs no non-daemon pod (KP website/content/en/docs/concepts/disruption.md:88),
so a node whose model is loading is never taken; an empty GPU node goes after 10 minutes, one at a time."""
EXPIRE_AFTER = "720h"
"""Karpenter's default, written out. No `terminationGracePeriod`: with one set, a node stays open to drift even
while a pod carries `karpenter.sh/do-not-disrupt` (KP website/content/en/docs/concepts/disruption.md:386-387)."""
GP3_IOPS = 16000
GP3_THROUGHPUT = 1000
GP3 = {"volumeType": "gp3", "iops": GP3_IOPS, "throughput": GP3_THROUGHPUT, "encrypted": True, "deleteOnTermination": True}
"""gp3 at its maximum IOPS and throughput (CRD karpenter.k8s.aws_ec2nodeclasses.yaml: iops <= 16000, throughput <= 1000),
so weights load at 1000 MiB/s instead of the 125 MiB/s baseline (review finding 17)."""


def _requirement(key: str, values: Sequence[str]) -> dict[str, Any]:
    return {"key": key, "operator": "In", "values": list(values)}


def _taint(key: str, value: str | None, effect: str) -> dict[str, str]:
    # The CRD's value pattern needs one alphanumeric character (karpenter.sh_nodepools.yaml:415-418): omit an empty value.
    return {"key": key, "effect": effect, **({"value": value} if value else {})}


def node_pool(pool: GpuPool, *, vcpus: int, memory_gib: int) -> dict[str, Any]:
    """The pool's NodePool; `vcpus`/`memory_gib` are the largest of its instance types', for the limits."""
    requirements = [
        _requirement("node.kubernetes.io/instance-type", pool.instance_types),
        _requirement("karpenter.sh/capacity-type", [CAPACITY_TYPE[pool.capacity]]),
        _requirement("topology.kubernetes.io/zone", pool.zones),
        _requirement("kubernetes.io/arch", ["amd64"]),
        _requirement("kubernetes.io/os", ["linux"]),
    ]
    if pool.reservation is not None:
        requirements.append(_requirement("karpenter.k8s.aws/capacity-reservation-id", [pool.reservation]))
    nodes = pool.max_nodes
    return {
        "apiVersion": NODE_POOL_API,
        "kind": "NodePool",
        "metadata": {"name": pool.name},
        "spec": {
            "template": {
                "metadata": {"labels": dict(pool.node_labels)},
                "spec": {
                    "requirements": requirements,
                    "taints": [_taint(t.key, t.value, t.effect) for t in pool.taints],
                    "expireAfter": EXPIRE_AFTER,
                    "nodeClassRef": {"group": "karpenter.k8s.aws", "kind": "EC2NodeClass", "name": pool.name},
                },
            },
            "disruption": DISRUPTION,
            # The pool's nodes.max, in every resource Karpenter counts (KP website/content/en/docs/concepts/nodepools.md:414-449).
            "limits": {
                "nodes": str(nodes),
                NVIDIA_GPU: str(nodes * pool.gpus_per_node),
                "cpu": str(nodes * vcpus),
                "memory": f"{nodes * memory_gib}Gi",
            },
        },
    }


def node_class(
    pool: GpuPool,
    *,
    ami: str,
    ami_version: str,
    role: Any,
    subnet_terms: Any,
    security_group_id: Any,
    user_data: str | None,
) -> dict[str, Any]:
    """The pool's EC2NodeClass. `role`, the subnets' terms ([{id}]) and the security group may be Pulumi outputs.

    One alias serves GPU instance types: Karpenter resolves the alias to the family's standard and
    NVIDIA images and gives each instance type the first compatible one; the NVIDIA variant requires
    `instance-gpu-count` (KP pkg/providers/amifamily/al2023.go:39-80, types.go:86-99, ami.go:227-241).
    """
    disks: list[dict[str, Any]]
    if ami == "bottlerocket":
        # Bottlerocket boots from a small OS volume and keeps images on the data volume; setting the
        # mappings replaces both defaults (KP pkg/providers/amifamily/bottlerocket.go:183-200).
        disks = [
            {"deviceName": "/dev/xvda", "ebs": {"volumeSize": "4Gi", "volumeType": "gp3", "encrypted": True}},
            {"deviceName": "/dev/xvdb", "ebs": {"volumeSize": f"{pool.disk_size_gb}Gi", **GP3}},
        ]
    else:
        disks = [{"deviceName": "/dev/xvda", "rootVolume": True, "ebs": {"volumeSize": f"{pool.disk_size_gb}Gi", **GP3}}]
    spec: dict[str, Any] = {
        "amiSelectorTerms": [{"alias": f"{ami}@{ami_version}"}],
        "role": role,
        "subnetSelectorTerms": subnet_terms,
        "securityGroupSelectorTerms": [{"id": security_group_id}],
        # As the managed node groups' launch templates: IMDSv2, one hop, so pods cannot reach the node's credentials.
        "metadataOptions": {"httpEndpoint": "enabled", "httpProtocolIPv6": "disabled", "httpPutResponseHopLimit": 1, "httpTokens": "required"},
        "blockDeviceMappings": disks,
        "tags": {"inferfleet-pool": pool.name},
    }
    # The instance-store NVMe (catalog `LOCAL_DISKS`) as the node's ephemeral storage, where images and model
    # weights land (KP website/content/en/docs/concepts/nodeclasses.md:1197-1210).
    if pool.local_disks is not None:
        spec["instanceStorePolicy"] = "RAID0"
    if pool.reservation is not None:
        spec["capacityReservationSelectorTerms"] = [{"id": pool.reservation}]
    if user_data is not None:
        # Bottlerocket TOML: Karpenter merges its own keys and passes the rest through
        # (KP pkg/providers/amifamily/bootstrap/bottlerocketsettings.go:37-41).
        spec["userData"] = user_data
    return {"apiVersion": NODE_CLASS_API, "kind": "EC2NodeClass", "metadata": {"name": pool.name}, "spec": spec}


def controller_values(cluster_name: str, *, queue_name: Any, system_nodes: int) -> dict[str, Any]:
    return {
        # The chart fails without a cluster name (KP charts/karpenter/templates/deployment.yaml:151).
        "settings": {"clusterName": cluster_name, "interruptionQueue": queue_name},
        "serviceAccount": {"name": SERVICE_ACCOUNT},
        # The replicas repel each other by hostname as a hard rule (chart values.yaml:100-102): a second
        # replica without a second system node would stay Pending and the release never get ready.
        "replicas": 2 if system_nodes >= 2 else 1,
        # The getting-started install (KP .../scripts/step08-apply-helm-chart.sh:4-11).
        "controller": {"resources": {"requests": {"cpu": "1", "memory": "1Gi"}, "limits": {"cpu": "1", "memory": "1Gi"}}},
    }


def _statement(sid: str, actions: str | list[str], resource: str | list[str], condition: Mapping[str, Any] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"Sid": sid, "Effect": "Allow", "Resource": resource, "Action": actions}
    if condition:
        out["Condition"] = condition
    return out


def controller_policies(
    *, cluster: str, partition: str, region: str, account: str, node_role_arn: str, queue_arn: str
) -> dict[str, dict[str, Any]]:
    """The controller's policies as CF writes them (CF:27-379), the zonal-shift one left out (enableZonalShift is off)."""
    ec2 = f"arn:{partition}:ec2:{region}"
    owned = {f"aws:ResourceTag/kubernetes.io/cluster/{cluster}": "owned"}
    any_pool = {"aws:ResourceTag/karpenter.sh/nodepool": "*"}
    request = {f"aws:RequestTag/kubernetes.io/cluster/{cluster}": "owned", "aws:RequestTag/eks:eks-cluster-name": cluster}
    created = [f"{ec2}:*:{kind}/*" for kind in ("fleet", "instance", "volume", "network-interface", "launch-template", "spot-instances-request")]
    profiles = f"arn:{partition}:iam::{account}:instance-profile/*"
    region_tag = {"aws:ResourceTag/topology.kubernetes.io/region": region}
    node_class_tag = {"aws:ResourceTag/karpenter.k8s.aws/ec2nodeclass": "*"}
    statements = {
        "NodeLifecycle": [  # CF:27-168
            _statement(
                "AllowScopedEC2InstanceAccessActions",
                ["ec2:RunInstances", "ec2:CreateFleet"],
                [f"{ec2}::image/*", f"{ec2}::snapshot/*"]
                + [f"{ec2}:*:{kind}/*" for kind in ("security-group", "subnet", "capacity-reservation", "placement-group")],
            ),
            _statement(
                "AllowScopedEC2LaunchTemplateAccessActions",
                ["ec2:RunInstances", "ec2:CreateFleet"],
                f"{ec2}:*:launch-template/*",
                {"StringEquals": owned, "StringLike": any_pool},
            ),
            _statement(
                "AllowScopedEC2InstanceActionsWithTags",
                ["ec2:RunInstances", "ec2:CreateFleet", "ec2:CreateLaunchTemplate"],
                created,
                {"StringEquals": request, "StringLike": {"aws:RequestTag/karpenter.sh/nodepool": "*"}},
            ),
            _statement(
                "AllowScopedResourceCreationTagging",
                "ec2:CreateTags",
                created,
                {
                    "StringEquals": {**request, "ec2:CreateAction": ["RunInstances", "CreateFleet", "CreateLaunchTemplate"]},
                    "StringLike": {"aws:RequestTag/karpenter.sh/nodepool": "*"},
                },
            ),
            _statement(
                "AllowScopedResourceTagging",
                "ec2:CreateTags",
                f"{ec2}:*:instance/*",
                {
                    "StringEquals": owned,
                    "StringLike": any_pool,
                    "StringEqualsIfExists": {"aws:RequestTag/eks:eks-cluster-name": cluster},
                    "ForAllValues:StringEquals": {"aws:TagKeys": ["eks:eks-cluster-name", "karpenter.sh/nodeclaim", "Name"]},
                },
            ),
            _statement(
                "AllowScopedDeletion",
                ["ec2:TerminateInstances", "ec2:DeleteLaunchTemplate"],
                [f"{ec2}:*:instance/*", f"{ec2}:*:launch-template/*"],
                {"StringEquals": owned, "StringLike": any_pool},
            ),
        ],
        "IAMIntegration": [  # CF:170-253
            _statement(
                "AllowPassingInstanceRole",
                "iam:PassRole",
                node_role_arn,
                {"StringEquals": {"iam:PassedToService": ["ec2.amazonaws.com", "ec2.amazonaws.com.cn"]}},
            ),
            _statement(
                "AllowScopedInstanceProfileCreationActions",
                ["iam:CreateInstanceProfile"],
                profiles,
                {
                    "StringEquals": {**request, "aws:RequestTag/topology.kubernetes.io/region": region},
                    "StringLike": {"aws:RequestTag/karpenter.k8s.aws/ec2nodeclass": "*"},
                },
            ),
            _statement(
                "AllowScopedInstanceProfileTagActions",
                ["iam:TagInstanceProfile"],
                profiles,
                {
                    "StringEquals": {**owned, **region_tag, **request, "aws:RequestTag/topology.kubernetes.io/region": region},
                    "StringLike": {**node_class_tag, "aws:RequestTag/karpenter.k8s.aws/ec2nodeclass": "*"},
                },
            ),
            _statement(
                "AllowScopedInstanceProfileActions",
                ["iam:AddRoleToInstanceProfile", "iam:RemoveRoleFromInstanceProfile", "iam:DeleteInstanceProfile"],
                profiles,
                {"StringEquals": {**owned, **region_tag}, "StringLike": node_class_tag},
            ),
        ],
        "EKSIntegration": [  # CF:255-272
            _statement("AllowAPIServerEndpointDiscovery", "eks:DescribeCluster", f"arn:{partition}:eks:{region}:{account}:cluster/{cluster}"),
        ],
        "Interruption": [  # CF:274-295
            _statement("AllowInterruptionQueueActions", ["sqs:DeleteMessage", "sqs:GetQueueUrl", "sqs:ReceiveMessage"], queue_arn),
        ],
        "ResourceDiscovery": [  # CF:321-379
            _statement(
                "AllowRegionalReadActions",
                [
                    "ec2:DescribeCapacityReservations",
                    "ec2:DescribeImages",
                    "ec2:DescribeInstances",
                    "ec2:DescribeInstanceStatus",
                    "ec2:DescribeInstanceTypeOfferings",
                    "ec2:DescribeInstanceTypes",
                    "ec2:DescribeLaunchTemplates",
                    "ec2:DescribePlacementGroups",
                    "ec2:DescribeSecurityGroups",
                    "ec2:DescribeSpotPriceHistory",
                    "ec2:DescribeSubnets",
                ],
                "*",
                {"StringEquals": {"aws:RequestedRegion": region}},
            ),
            _statement("AllowSSMReadActions", "ssm:GetParameter", f"arn:{partition}:ssm:{region}::parameter/aws/service/*"),
            _statement("AllowPricingReadActions", "pricing:GetProducts", "*"),
            _statement("AllowUnscopedInstanceProfileListAction", "iam:ListInstanceProfiles", "*"),
            _statement("AllowInstanceProfileReadActions", "iam:GetInstanceProfile", profiles),
        ],
    }
    return {name: {"Version": "2012-10-17", "Statement": body} for name, body in statements.items()}


def queue_policy(queue_arn: str) -> dict[str, Any]:
    """EventBridge (and SQS) may send to the queue; nothing may use it without TLS (CF:387-409)."""
    return {
        "Version": "2012-10-17",
        "Id": "EC2InterruptionPolicy",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": ["events.amazonaws.com", "sqs.amazonaws.com"]},
                "Action": "sqs:SendMessage",
                "Resource": queue_arn,
            },
            {
                "Sid": "DenyHTTP",
                "Effect": "Deny",
                "Action": "sqs:*",
                "Resource": queue_arn,
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                "Principal": "*",
            },
        ],
    }


POLICY_NAMES = ("NodeLifecycle", "IAMIntegration", "EKSIntegration", "Interruption", "ResourceDiscovery")
"""Five managed policies, as upstream: one document would pass IAM's managed-policy size limit."""
QUEUE_RETENTION_SECONDS = 300
"""CF:381-386: an interruption older than five minutes is past acting on."""
INTERRUPTION_RULES: Mapping[str, dict[str, list[str]]] = {
    # CF:410-464. Karpenter only records rebalance recommendations as events (KP .../concepts/disruption.md:209-213);
    # the rule is kept to match upstream.
    "scheduled-change": {"source": ["aws.health"], "detail-type": ["AWS Health Event"]},
    "spot-interruption": {"source": ["aws.ec2"], "detail-type": ["EC2 Spot Instance Interruption Warning"]},
    "rebalance": {"source": ["aws.ec2"], "detail-type": ["EC2 Instance Rebalance Recommendation"]},
    "instance-state-change": {"source": ["aws.ec2"], "detail-type": ["EC2 Instance State-change Notification"]},
    "capacity-reservation-interruption": {
        "source": ["aws.ec2"],
        "detail-type": ["EC2 Capacity Reservation Instance Interruption Warning"],
    },
}
QUEUE_TARGET_ID = "KarpenterInterruptionQueueTarget"
