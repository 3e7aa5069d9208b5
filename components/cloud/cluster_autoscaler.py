"""cluster-autoscaler on EKS (`cluster.nodeAutoscaler: cluster-autoscaler`): one managed node group per GPU pool.

Pure builders; `eks.EksCluster` registers them. CA is kubernetes/autoscaler@cluster-autoscaler-1.35.0
cluster-autoscaler/cloudprovider/aws; the chart is 9.59.0 (app 1.35.0).
"""

from __future__ import annotations

from typing import Any

from .values import GpuPool

NAMESPACE = "kube-system"
SERVICE_ACCOUNT = "cluster-autoscaler"
"""Named, so the Pod Identity association can name it (chart values.yaml:390 would derive one)."""
TEMPLATE_TAG = "k8s.io/cluster-autoscaler/node-template"
"""What CA reads off an ASG to build the node of a group at size zero (CA aws_manager.go:290-305, README.md:200-233)."""


def values(cluster_name: str, *, region: str, image_tag: str) -> dict[str, Any]:
    return {
        "cloudProvider": "aws",
        # Finds the node groups by the tags EKS puts on their ASGs: k8s.io/cluster-autoscaler/enabled and
        # k8s.io/cluster-autoscaler/<cluster> (chart values.yaml:17-25).
        "autoDiscovery": {"clusterName": cluster_name},
        "awsRegion": region,
        "rbac": {"serviceAccount": {"name": SERVICE_ACCOUNT}},
        # "the latest Cluster Autoscaler release that corresponds to the minor version of Kubernetes" (CA README.md:111-112);
        # the chart's own tag is 1.35.
        "image": {"tag": image_tag},
        "extraArgs": {
            "expander": "least-waste",
            "balance-similar-node-groups": "true",
            # GPU nodes boot, install drivers and pull multi-GB images before they are Ready.
            "max-node-provision-time": "20m0s",
            "scale-down-unneeded-time": "10m",
            "skip-nodes-with-local-storage": "false",
        },
    }


def policy(cluster_name: str) -> dict[str, Any]:
    """The full-features policy (CA README.md:40-69), its two write actions limited to this cluster's groups."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": [
                    "autoscaling:DescribeAutoScalingGroups",
                    "autoscaling:DescribeAutoScalingInstances",
                    "autoscaling:DescribeLaunchConfigurations",
                    "autoscaling:DescribeScalingActivities",
                    "ec2:DescribeImages",
                    "ec2:DescribeInstanceTypes",
                    "ec2:DescribeLaunchTemplateVersions",
                    "ec2:GetInstanceTypesFromInstanceRequirements",
                    "eks:DescribeNodegroup",
                ],
                "Resource": "*",
            },
            {
                "Effect": "Allow",
                "Action": ["autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"],
                "Resource": "*",
                "Condition": {"StringEquals": {f"aws:ResourceTag/k8s.io/cluster-autoscaler/{cluster_name}": "owned"}},
            },
        ],
    }


def node_template_tags(pool: GpuPool) -> dict[str, str]:
    """The pool's labels and taints as ASG tags, so CA can scale the group up from zero.

    Node-group labels and taints do not reach the ASG (eksctl-io/eksctl#1571), and CA asks EKS for them only
    in some cases (CA README.md:110). GPUs, vCPUs and memory come from CA's instance-type table.
    """
    tags = {f"{TEMPLATE_TAG}/label/{key}": value for key, value in pool.node_labels.items()}
    # The value must match (.*):(NoSchedule|NoExecute|PreferNoSchedule) (CA aws_manager.go:484-507).
    tags.update({f"{TEMPLATE_TAG}/taint/{t.key}": f"{t.value}:{t.effect}" for t in pool.taints})
    return tags
