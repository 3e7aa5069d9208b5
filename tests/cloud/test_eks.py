"""The EKS cluster component, under the offline plan's mocks: what EKS and EC2 are asked to create."""

from __future__ import annotations

import base64
import json
import re
from typing import Any

import pytest
from pulumi.runtime import rpc

from components.cloud.eks import subnet_cidrs
from stacks.plan import engine as plan_module
from stacks.plan.engine import Plan, Registered

from ..conftest import EKS, PROJECT, config, write_stack

CLUSTER = "aws:eks/cluster:Cluster"
NODE_GROUP = "aws:eks/nodeGroup:NodeGroup"
TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"
ADDON = "aws:eks/addon:Addon"
SUBNET = "aws:ec2/subnet:Subnet"
ROLE = "aws:iam/role:Role"
GPU_TAINT = {"key": "nvidia.com/gpu", "value": "true", "effect": "NO_SCHEDULE"}
MNG = config(EKS, cluster={**EKS["cluster"], "nodeAutoscaler": "cluster-autoscaler"})
"""GPU pools as managed node groups; the default, Karpenter, is tested in test_karpenter."""


def resource(p: Plan, type_: str, name: str) -> Registered:
    matches = [r for r in p.resources if r.type == type_ and r.name == f"inferfleet-test-cloud-{name}"]
    assert matches, f"no {type_} named {name}"
    return matches[0]


def inputs(p: Plan, type_: str, name: str) -> dict[str, Any]:
    return resource(p, type_, name).inputs


def pool(**spec: Any) -> dict[str, Any]:
    return config(MNG, nodePools={"gpu": {"gpu": "L4", "nodes": {"min": 0, "max": 2}, **spec}}, models={})


def cluster(**changes: Any) -> dict[str, Any]:
    return config(MNG, cluster={**MNG["cluster"], **changes})


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Plan:
    """The plan of the EKS base config, shared by the tests that only read it."""
    return plan_module.run(write_stack(tmp_path_factory.mktemp("eks"), MNG), PROJECT)




def test_cluster_authenticates_with_access_entries_and_encrypts_secrets(base: Plan) -> None:
    spec = inputs(base, CLUSTER, "cluster")
    assert spec["accessConfig"] == {"authenticationMode": "API", "bootstrapClusterCreatorAdminPermissions": True}
    key = inputs(base, "aws:kms/key:Key", "secrets")
    assert key["enableKeyRotation"] is True
    assert spec["encryptionConfig"] == {
        "provider": {"keyArn": "arn:aws:kms:us-east-1:123456789012:inferfleet-test-cloud-secrets"},
        "resources": ["secrets"],
    }
    assert spec["enabledClusterLogTypes"] == ["api", "audit", "authenticator"]
    assert spec["version"] == "1.34"
    assert spec["deletionProtection"] is False


def test_control_plane_is_reachable_privately_and_its_interfaces_sit_in_private_subnets(base: Plan) -> None:
    vpc = inputs(base, CLUSTER, "cluster")["vpcConfig"]
    assert vpc["endpointPrivateAccess"] is True
    assert vpc["endpointPublicAccess"] is True, "public unless endpoint.private"
    assert vpc["subnetIds"] == ["subnet-inferfleet-test-cloud-private-us-east-1a-id", "subnet-inferfleet-test-cloud-private-us-east-1b-id"]
    assert "publicAccessCidrs" not in vpc


@pytest.mark.parametrize(
    ("endpoint", "public", "cidrs"),
    [
        pytest.param({"authorizedNetworks": ["203.0.113.0/24"]}, True, ["203.0.113.0/24"], id="public, restricted"),
        # Pulumi outside the VPC it creates reaches the cluster only through a public endpoint (review finding 2).
        pytest.param({"private": True, "authorizedNetworks": ["203.0.113.0/24"]}, True, ["203.0.113.0/24"], id="private, runner outside"),
        pytest.param({"private": True, "runnerInNetwork": True}, False, None, id="private, runner inside"),
    ],
)
def test_the_public_endpoint_stays_for_a_runner_outside_the_network(plan_of, endpoint: dict, public: bool, cidrs: list | None) -> None:
    vpc = inputs(plan_of(cluster(endpoint=endpoint)), CLUSTER, "cluster")["vpcConfig"]
    assert vpc["endpointPrivateAccess"] is True
    assert vpc["endpointPublicAccess"] is public
    assert vpc.get("publicAccessCidrs") == cidrs


def test_gpu_node_group_gets_the_nvidia_ami_taint_label_instance_type_and_limits(base: Plan) -> None:
    group = inputs(base, NODE_GROUP, "l4")
    assert group["nodeGroupName"] == "l4"
    assert group["amiType"] == "AL2023_x86_64_NVIDIA"
    assert group["instanceTypes"] == ["g6.xlarge"]
    assert group["capacityType"] == "ON_DEMAND"
    assert group["taints"] == [GPU_TAINT], "EKS does not taint GPU nodes itself"
    assert group["labels"] == {"inferfleet.dev/node-pool": "l4"}
    assert group["scalingConfig"] == {"desiredSize": 0, "minSize": 0, "maxSize": 2}
    assert group["updateConfig"] == {"maxUnavailable": 1}
    assert group["nodeRepairConfig"] == {"enabled": True}
    assert group["launchTemplate"] == {"id": "inferfleet-test-cloud-l4-id", "version": "1"}
    assert "diskSize" not in group, "the disk is set in the launch template; EKS rejects both"


def test_system_node_group_runs_the_standard_ami_on_demand(base: Plan) -> None:
    group = inputs(base, NODE_GROUP, "system")
    assert group["amiType"] == "AL2023_x86_64_STANDARD"
    assert (group["capacityType"], group["instanceTypes"]) == ("ON_DEMAND", ["m7i.2xlarge"])
    assert group["labels"] == {"inferfleet.dev/node-pool": "system"}
    assert group["scalingConfig"] == {"desiredSize": 1, "minSize": 1, "maxSize": 3}
    assert "taints" not in group


def test_the_autoscaler_owns_the_desired_node_count(plan_of, ignored: dict[str, list[str]]) -> None:
    plan_of(MNG)
    assert ignored["inferfleet-test-cloud-l4"] == ["scalingConfig.desiredSize"]
    assert ignored["inferfleet-test-cloud-system"] == ["scalingConfig.desiredSize"]
    assert ignored["inferfleet-test-cloud-cluster"] == []


def test_launch_templates_require_imdsv2_and_size_an_encrypted_gp3_disk(base: Plan) -> None:
    fast = {"iops": 16000, "throughput": 1000}  # GPU nodes read model weights from it
    for name, size, speed in (("l4", 200, fast), ("system", 100, {})):
        template = inputs(base, TEMPLATE, name)
        assert template["metadataOptions"] == {"httpEndpoint": "enabled", "httpTokens": "required", "httpPutResponseHopLimit": 1}
        assert template["blockDeviceMappings"] == [
            {
                "deviceName": "/dev/xvda",
                "ebs": {"volumeSize": size, "volumeType": "gp3", "encrypted": "true", "deleteOnTermination": "true", **speed},
            }
        ]
        assert "instanceMarketOptions" not in template and "capacityReservationSpecification" not in template


def test_bottlerocket_sizes_its_data_volume(plan_of) -> None:
    p = plan_of(cluster(ami="bottlerocket"))
    assert inputs(p, NODE_GROUP, "l4")["amiType"] == "BOTTLEROCKET_x86_64_NVIDIA"
    assert inputs(p, TEMPLATE, "l4")["blockDeviceMappings"][0]["deviceName"] == "/dev/xvdb"
    assert inputs(p, TEMPLATE, "system")["blockDeviceMappings"][0]["deviceName"] == "/dev/xvda", "the system pool stays on AL2023"


def test_nodes_get_least_privilege_policies(base: Plan) -> None:
    attached = {r.inputs["policyArn"] for r in base.resources if r.name.startswith("inferfleet-test-cloud-nodes-")}
    assert attached == {
        "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
        "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy",
        "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly",
    }
    trust = json.loads(inputs(base, ROLE, "nodes")["assumeRolePolicy"])
    assert trust["Statement"] == [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": ["sts:AssumeRole"]}]


def test_addons_include_network_policy_enforcement_and_pod_identity(base: Plan) -> None:
    addons = {r.inputs["addonName"]: r for r in base.resources if r.type == ADDON}
    assert set(addons) == {"vpc-cni", "coredns", "kube-proxy", "eks-pod-identity-agent", "aws-ebs-csi-driver"}
    assert json.loads(addons["vpc-cni"].inputs["configurationValues"]) == {"enableNetworkPolicy": "true"}
    assert all(a.inputs["resolveConflictsOnCreate"] == "OVERWRITE" for a in addons.values())
    assert addons["aws-ebs-csi-driver"].inputs["podIdentityAssociations"] == [
        {"roleArn": "arn:aws:iam:us-east-1:123456789012:inferfleet-test-cloud-ebs-csi", "serviceAccount": "ebs-csi-controller-sa"}
    ]
    trust = json.loads(inputs(base, ROLE, "ebs-csi")["assumeRolePolicy"])
    assert trust["Statement"][0]["Principal"] == {"Service": "pods.eks.amazonaws.com"}
    assert trust["Statement"][0]["Action"] == ["sts:AssumeRole", "sts:TagSession"]
    ebs_policy = inputs(base, "aws:iam/rolePolicyAttachment:RolePolicyAttachment", "ebs-csi")["policyArn"]
    assert ebs_policy == "arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy"


def test_only_real_ordering_needs_are_explicit_dependencies(base: Plan) -> None:
    """Every other edge of the cloud layer comes from a value flowing from one resource into another."""
    short = {r.urn: r.name.removeprefix("inferfleet-test-cloud-") for r in base.resources}
    cloud = [r for r in base.resources if r.name.startswith("inferfleet-test-cloud-")]
    edges = {(short[r.urn], short[d]) for r in cloud for d in r.explicit_dependencies}
    node_policies = ("nodes-AmazonEKSWorkerNodePolicy", "nodes-AmazonEKS_CNI_Policy", "nodes-AmazonEC2ContainerRegistryReadOnly")
    assert edges == {
        ("cluster", "cluster-AmazonEKSClusterPolicy"),  # EKS needs it to create, and to clean up on destroy
        ("cluster", "cluster-logs"),  # else EKS creates the log group itself, without a retention
        ("nat-us-east-1a", "igw"),  # a public NAT gateway needs the VPC's internet gateway
        ("nat-us-east-1b", "igw"),
        *((group, policy) for group in ("system", "l4") for policy in node_policies),  # nodes join with them
        ("coredns", "system"),  # add-ons running Deployments turn ACTIVE once their pods run on nodes
        ("aws-ebs-csi-driver", "system"),
        ("aws-ebs-csi-driver", "eks-pod-identity-agent"),  # the controller's credentials come from the agent
        ("k8s", "system"),  # charts await pods that need the system nodes
        # cluster-autoscaler runs on a system node with its AWS identity from the agent.
        *(("cluster-autoscaler", need) for need in ("system", "eks-pod-identity-agent", "cluster-autoscaler")),
    }


def test_kubernetes_provider_gets_a_secret_kubeconfig_and_waits_for_the_system_nodes(base: Plan) -> None:
    provider = resource(base, "pulumi:providers:kubernetes", "k8s")
    assert rpc.is_rpc_secret(provider.inputs["kubeconfig"])
    kubeconfig = provider.inputs["kubeconfig"]["value"]
    assert "server: https://inferfleet-test-cloud-cluster.gr7.us-east-1.eks.amazonaws.com" in kubeconfig
    assert "- inferfleet-test" in kubeconfig and "--region" in kubeconfig
    assert resource(base, NODE_GROUP, "system").urn in provider.dependencies


def test_a_new_network_has_private_and_public_subnets_per_zone_with_a_nat_each(base: Plan) -> None:
    subnets = {r.name.removeprefix("inferfleet-test-cloud-"): r.inputs for r in base.resources if r.type == SUBNET}
    assert {name: (s["cidrBlock"], s["availabilityZone"]) for name, s in subnets.items()} == {
        "private-us-east-1a": ("10.0.0.0/19", "us-east-1a"),
        "private-us-east-1b": ("10.0.32.0/19", "us-east-1b"),
        "public-us-east-1a": ("10.0.224.0/22", "us-east-1a"),
        "public-us-east-1b": ("10.0.228.0/22", "us-east-1b"),
    }
    assert subnets["private-us-east-1a"]["tags"]["kubernetes.io/role/internal-elb"] == "1"
    assert subnets["public-us-east-1a"]["tags"]["kubernetes.io/role/elb"] == "1"
    nats = [r for r in base.resources if r.type == "aws:ec2/natGateway:NatGateway"]
    assert sorted(n.inputs["subnetId"] for n in nats) == [
        "subnet-inferfleet-test-cloud-public-us-east-1a-id", "subnet-inferfleet-test-cloud-public-us-east-1b-id"
    ]
    gateway = resource(base, "aws:ec2/internetGateway:InternetGateway", "igw").urn
    assert all(gateway in n.dependencies for n in nats), "a public NAT gateway needs the internet gateway first"
    egress = inputs(base, "aws:ec2/route:Route", "private-us-east-1a-nat")
    assert (egress["destinationCidrBlock"], egress["natGatewayId"]) == ("0.0.0.0/0", "inferfleet-test-cloud-nat-us-east-1a-id")
    assert inputs(base, "aws:ec2/vpc:Vpc", "vpc")["enableDnsHostnames"] is True


def test_subnets_are_placed_by_zone_letter_so_adding_or_reordering_zones_moves_none() -> None:
    two = subnet_cidrs("10.0.0.0/16", ["us-east-1a", "us-east-1c"])
    three = subnet_cidrs("10.0.0.0/16", ["us-east-1c", "us-east-1b", "us-east-1a"])
    assert {zone: three[zone] for zone in two} == two
    with pytest.raises(ValueError, match="zone us-east-1-bos-1a has no subnet slot of its own \\(as us-east-1a\\)"):
        subnet_cidrs("10.0.0.0/16", ["us-east-1a", "us-east-1-bos-1a"])


def test_a_gpu_pool_in_fewer_zones_gets_only_their_subnets(plan_of) -> None:
    group = inputs(plan_of(pool(zones=["us-east-1b"])), NODE_GROUP, "gpu")
    assert group["subnetIds"] == ["subnet-inferfleet-test-cloud-private-us-east-1b-id"]


def test_an_existing_network_is_used_as_is(plan_of) -> None:
    p = plan_of(cluster(network={"vpcId": "vpc-0abc", "subnetIds": ["subnet-a", "subnet-b"]}))
    assert inputs(p, CLUSTER, "cluster")["vpcConfig"]["subnetIds"] == ["subnet-a", "subnet-b"]
    assert inputs(p, NODE_GROUP, "l4")["subnetIds"] == ["subnet-a", "subnet-b"]
    assert not any(r.type.startswith(("aws:ec2/vpc", "aws:ec2/subnet", "aws:ec2/natGateway")) for r in p.resources)


def test_an_existing_kms_key_replaces_the_created_one(plan_of) -> None:
    arn = "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555"
    p = plan_of(cluster(kmsKeyArn=arn))
    assert inputs(p, CLUSTER, "cluster")["encryptionConfig"]["provider"] == {"keyArn": arn}
    assert not any(r.type == "aws:kms/key:Key" for r in p.resources)


def test_each_admin_gets_a_cluster_admin_access_entry_named_after_its_arn(plan_of) -> None:
    arn = "arn:aws:iam::123456789012:role/Platform-Admins"
    p = plan_of(cluster(admins=[arn]))
    entry = inputs(p, "aws:eks/accessEntry:AccessEntry", "admin-123456789012-role-platform-admins")
    assert (entry["principalArn"], entry["type"]) == (arn, "STANDARD")
    association = inputs(p, "aws:eks/accessPolicyAssociation:AccessPolicyAssociation", "admin-123456789012-role-platform-admins")
    assert association["policyArn"] == "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"
    assert association["accessScope"] == {"type": "cluster"}
    assert association["principalArn"] == arn


@pytest.mark.parametrize(("environment", "protected"), [("development", False), ("production", True)])
def test_protection_follows_the_environment(plan_of, environment: str, protected: bool) -> None:
    eks = {**MNG["cluster"], "endpoint": {"private": True, "runnerInNetwork": True}, "systemPool": {"nodes": {"min": 2, "max": 3}}}
    p = plan_of(config(MNG, environment=environment, cluster=eks))
    assert inputs(p, CLUSTER, "cluster")["deletionProtection"] is protected
    assert resource(p, CLUSTER, "cluster").protect is protected
    assert resource(p, NODE_GROUP, "l4").protect is protected
    assert resource(p, "aws:kms/key:Key", "secrets").protect is protected, "losing the key loses the secrets"
    assert resource(p, NODE_GROUP, "system").protect is False, "the system node group can be replaced"


RESERVATION = "cr-0123456789abcdef0"


@pytest.mark.parametrize(
    ("spec", "capacity_type", "template"),
    [
        pytest.param({"capacity": "spot"}, "SPOT", {}, id="spot"),
        pytest.param(
            {"capacity": "reservation", "reservation": RESERVATION, "zones": ["us-east-1a"]},
            "ON_DEMAND",
            {"capacityReservationSpecification": {"capacityReservationTarget": {"capacityReservationId": RESERVATION}}},
            id="reservation",
        ),
        pytest.param(
            {"gpu": "H100-80GB", "gpusPerNode": 8, "capacity": "capacity-block", "reservation": RESERVATION, "zones": ["us-east-1a"]},
            "CAPACITY_BLOCK",
            {
                "instanceMarketOptions": {"marketType": "capacity-block"},
                "capacityReservationSpecification": {"capacityReservationTarget": {"capacityReservationId": RESERVATION}},
                "instanceType": "p5.48xlarge",
            },
            id="capacity-block",
        ),
    ],
)
def test_capacity_types(plan_of, spec: dict[str, Any], capacity_type: str, template: dict[str, Any]) -> None:
    p = plan_of(pool(**spec))
    group = inputs(p, NODE_GROUP, "gpu")
    assert group["capacityType"] == capacity_type
    if capacity_type == "SPOT":
        assert group["instanceTypes"] == ["g6.xlarge", "g6.2xlarge"], "Spot draws from every 1 x L4 machine of the catalog"
    launch = inputs(p, TEMPLATE, "gpu")
    purchase = ("instanceMarketOptions", "capacityReservationSpecification", "instanceType")
    assert {k: launch[k] for k in purchase if k in launch} == template
    if "instanceType" in template:
        assert "instanceTypes" not in group, "EKS takes the instance type from the launch template or the node group, not both"


def test_user_taints_are_translated_and_keep_the_gpu_taint(plan_of) -> None:
    group = inputs(plan_of(pool(taints=[{"key": "team", "value": "ml", "effect": "NoExecute"}])), NODE_GROUP, "gpu")
    assert group["taints"] == [{"key": "team", "value": "ml", "effect": "NO_EXECUTE"}, GPU_TAINT]


def test_names_derive_from_pool_names_so_adding_a_pool_changes_no_other_resource(plan_of) -> None:
    before = plan_of(MNG)
    after = plan_of(config(MNG, nodePools={**MNG["nodePools"], "a10g": {"gpu": "A10G", "nodes": {"min": 0, "max": 1}}}))
    cloud = "inferfleet:index:EksCluster"
    old = {r.urn: r.inputs for r in before.resources if cloud in r.urn}
    new = {r.urn: r.inputs for r in after.resources if cloud in r.urn}
    assert {urn: new[urn] for urn in old} == old
    added = {u.rsplit("::", 1)[1].removeprefix("inferfleet-test-cloud-") for u in set(new) - set(old)}
    assert added == {"a10g", "a10g-label-inferfleet-dev-node-pool", "a10g-taint-nvidia-com-gpu"}, "its group and the group's ASG tags"


def test_cluster_autoscaler_can_scale_each_group_up_from_zero(base: Plan) -> None:
    tags = {r.name.removeprefix("inferfleet-test-cloud-l4-"): r.inputs for r in base.resources if r.type == "aws:autoscaling/tag:Tag"}
    template = "k8s.io/cluster-autoscaler/node-template"
    assert {name: (t["tag"]["key"], t["tag"]["value"]) for name, t in tags.items()} == {
        "label-inferfleet-dev-node-pool": (f"{template}/label/inferfleet.dev/node-pool", "l4"),
        # CA reads <value>:<effect> (cluster-autoscaler-1.35.0 cloudprovider/aws/aws_manager.go:484-507).
        "taint-nvidia-com-gpu": (f"{template}/taint/nvidia.com/gpu", "true:NoSchedule"),
    }
    assert all(t["autoscalingGroupName"] == "eks-inferfleet-test-cloud-l4" and t["tag"]["propagateAtLaunch"] is False for t in tags.values())
    chart = resource(base, "kubernetes:helm.sh/v4:Chart", "cluster-autoscaler").inputs
    assert chart["chart"] == "cluster-autoscaler" and chart["version"] == "9.59.0"
    values = chart["values"]
    assert (values["autoDiscovery"], values["awsRegion"]) == ({"clusterName": "inferfleet-test"}, "us-east-1")
    assert values["image"]["tag"].startswith("v1.34."), "the CA minor follows the Kubernetes minor"
    association = inputs(base, "aws:eks/podIdentityAssociation:PodIdentityAssociation", "cluster-autoscaler")
    assert (association["namespace"], association["serviceAccount"]) == ("kube-system", values["rbac"]["serviceAccount"]["name"])
    policy = json.loads(inputs(base, "aws:iam/rolePolicy:RolePolicy", "cluster-autoscaler")["policy"])
    read, write = policy["Statement"]
    assert "eks:DescribeNodegroup" in read["Action"]
    assert write["Action"] == ["autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"]
    assert write["Condition"] == {"StringEquals": {"aws:ResourceTag/k8s.io/cluster-autoscaler/inferfleet-test": "owned"}}
    assert not any(r.type == "kubernetes:karpenter.sh/v1:NodePool" for r in base.resources)



@pytest.mark.parametrize(
    ("taint", "value"),
    [({"key": "team", "value": "ml", "effect": "NoExecute"}, "ml:NoExecute"), ({"key": "team", "effect": "NoSchedule"}, ":NoSchedule")],
)
def test_every_taint_tag_has_the_form_ca_parses(plan_of, taint: dict, value: str) -> None:
    # CA's rule (aws_manager.go:484-507); a tag without ":<effect>" would be skipped, and pods would wait for ever.
    rule = re.compile(r"(.*):(NoSchedule|NoExecute|PreferNoSchedule)")
    tags = [r.inputs["tag"] for r in plan_of(pool(taints=[taint])).resources if r.type == "aws:autoscaling/tag:Tag" and "/taint/" in r.inputs["tag"]["key"]]
    assert len(tags) == 2 and all(rule.fullmatch(t["value"]) for t in tags)
    assert {"key": "k8s.io/cluster-autoscaler/node-template/taint/team", "value": value, "propagateAtLaunch": False} in tags
    assert not rule.fullmatch("ml"), "the form the check rejects"


@pytest.mark.parametrize(
    ("changes", "support", "retention"),
    [
        pytest.param({}, "STANDARD", 90, id="defaults: standard support, 90 days"),
        pytest.param({"supportType": "EXTENDED", "logRetentionDays": 365}, "EXTENDED", 365, id="opted in"),
    ],
)
def test_upgrades_and_logs_have_an_end(plan_of, changes: dict, support: str, retention: int) -> None:
    p = plan_of(cluster(**changes))
    eks = resource(p, CLUSTER, "cluster")
    assert eks.inputs["upgradePolicy"] == {"supportType": support}, "the API default is EXTENDED"
    logs = resource(p, "aws:cloudwatch/logGroup:LogGroup", "cluster-logs")
    assert (logs.inputs["name"], logs.inputs["retentionInDays"]) == ("/aws/eks/inferfleet-test/cluster", retention)
    assert logs.urn in eks.explicit_dependencies, "created before EKS would create it without a retention"
    # Node groups name the cluster's version and the newest AMI release of it, so upgrades and AMI releases roll them.
    for group in ("system", "l4"):
        assert inputs(p, NODE_GROUP, group)["version"] == "1.34"
        assert inputs(p, NODE_GROUP, group)["releaseVersion"] == "1.34.2-20251120"


@pytest.mark.parametrize(
    ("ami", "parameter"),
    [
        ("al2023", "/aws/service/eks/optimized-ami/1.34/amazon-linux-2023/x86_64/nvidia/recommended/release_version"),
        ("bottlerocket", "/aws/service/bottlerocket/aws-k8s-1.34-nvidia/x86_64/latest/image_version"),
    ],
)
def test_node_groups_follow_the_ami_releases_of_their_os(plan_of, monkeypatch: pytest.MonkeyPatch, ami: str, parameter: str) -> None:
    asked: list[str] = []
    answer = plan_module.FAKE_CALLS["aws:ssm/getParameter:getParameter"]
    monkeypatch.setitem(plan_module.FAKE_CALLS, "aws:ssm/getParameter:getParameter", lambda args: asked.append(args["name"]) or answer(args))
    plan_of(cluster(ami=ami))
    assert sorted(asked) == sorted([parameter, "/aws/service/eks/optimized-ami/1.34/amazon-linux-2023/x86_64/standard/recommended/release_version"])


def test_a_log_retention_cloudwatch_does_not_offer_exits_2(plan_of) -> None:
    from components.core.problems import ConfigError

    with pytest.raises(ConfigError) as raised:
        plan_of(cluster(logRetentionDays=100))
    assert raised.value.report().startswith("inferfleet:cluster.logRetentionDays:")


@pytest.mark.parametrize("autoscaler", ["cluster-autoscaler", "karpenter"])
def test_on_an_existing_vpc_a_pool_gets_only_its_zones_subnets(plan_of, autoscaler: str) -> None:
    """The subnets' zones are looked up (the plan places subnet-...x in us-east-1x); a block in 1b never gets 1a's subnet."""
    spec = {"gpu": "H100-80GB", "gpusPerNode": 8, "nodes": {"min": 0, "max": 1}, "capacity": "capacity-block",
            "reservation": RESERVATION, "zones": ["us-east-1b"], "diskSizeGb": 500}
    network = {"vpcId": "vpc-0abc", "subnetIds": ["subnet-a", "subnet-b"]}
    p = plan_of(config(EKS, cluster={**EKS["cluster"], "nodeAutoscaler": autoscaler, "network": network}, nodePools={"h100": spec}, models={}))
    assert inputs(p, CLUSTER, "cluster")["vpcConfig"]["subnetIds"] == ["subnet-a", "subnet-b"]
    if autoscaler == "karpenter":
        terms = inputs(p, "kubernetes:karpenter.k8s.aws/v1:EC2NodeClass", "h100-node-class")["spec"]["subnetSelectorTerms"]
        assert terms == [{"id": "subnet-b"}]
    else:
        assert inputs(p, NODE_GROUP, "h100")["subnetIds"] == ["subnet-b"]


def _user_data(p: Plan, name: str) -> str | None:
    encoded = inputs(p, TEMPLATE, name).get("userData")
    return None if encoded is None else base64.b64decode(encoded).decode()


@pytest.mark.parametrize(
    ("ami", "gpu", "gpus", "expected"),
    [
        # nodeadm's NodeConfig in a MIME part: RAID0 of the instance store under the kubelet.
        ("al2023", "A100-40GB", 8, "spec:\n  instance:\n    localStorage:\n      strategy: RAID0\n"),
        ("al2023", "H100-80GB", 8, "spec:\n  instance:\n    localStorage:\n      strategy: RAID0\n"),
        ("al2023", "L4", 1, None),
        # Bottlerocket: the bootstrap command Karpenter writes for instanceStorePolicy RAID0.
        ("bottlerocket", "H100-80GB", 8, '["apiclient", "ephemeral-storage", "bind", "--dirs", "/var/lib/containerd", "/var/lib/kubelet", "/var/log/pods"]'),
        ("bottlerocket", "L4", 1, None),
    ],
)
def test_node_groups_put_ephemeral_storage_on_the_instance_store(plan_of, ami: str, gpu: str, gpus: int, expected: str | None) -> None:
    p = plan_of(config(pool(gpu=gpu, gpusPerNode=gpus, diskSizeGb=500), cluster={**MNG["cluster"], "ami": ami}))
    data = _user_data(p, "gpu")
    if expected is None:
        assert data is None
        return
    assert data is not None and expected in data
    if ami == "al2023":
        assert data.startswith('MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="INFERFLEET"\n')
        assert "Content-Type: application/node.eks.aws\n" in data and data.endswith("--INFERFLEET--\n")
    else:
        assert data.startswith("[settings.bootstrap-commands.000-mount-instance-storage]\n") and 'mode = "always"' in data
    assert _user_data(p, "system") is None
