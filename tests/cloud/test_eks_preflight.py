"""The EKS capacity preflight against moto's EC2 (real offering data per zone) and Service Quotas."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

import boto3
import pytest
from moto import mock_aws
from moto.core import set_initial_no_auth_action_count
from moto.servicequotas.models import ServiceQuotasBackend
from botocore.awsrequest import AWSResponse

from components.cloud import values as r
from components.cloud import eks_preflight as preflight
from components.cloud.eks_preflight import QUOTAS
from components.core.problems import Problem as Finding

from components.core.problems import ConfigError

from ..conftest import EKS, config, resolved

REGION = "us-east-1"
PLENTY = {quota.code: 10_000.0 for quota in QUOTAS.values()}
G_ON_DEMAND = "L-DB2E81BA"
G_SPOT = "L-3819A6DF"
P_ON_DEMAND = "L-417A185B"
STANDARD_ON_DEMAND = "L-1216C47A"
PERMISSIONS = (
    "ec2:DescribeInstanceTypeOfferings, ec2:DescribeInstanceTypes, ec2:DescribeCapacityReservations, ec2:DescribeSubnets, "
    "servicequotas:GetServiceQuota and servicequotas:GetAWSDefaultServiceQuota"
)
SKIP = "or set cluster.preflight.mode: off to skip the check"


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """moto, with throwaway credentials so no real account can be reached."""
    for key, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_SESSION_TOKEN": "testing"}.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    with mock_aws():
        yield


def serve_quotas(monkeypatch: pytest.MonkeyPatch, values: dict[str, float]) -> None:
    """Have moto's Service Quotas answer EC2 quota codes from `values`.

    moto 5.2 serves only the VPC quotas and has no call that sets one, so its backend gets the
    EC2 values here; the request and response still go through boto3 and moto's HTTP layer.
    """
    original = ServiceQuotasBackend.get_service_quota

    def get_service_quota(self: ServiceQuotasBackend, service_code: str, quota_code: str) -> dict[str, Any]:
        if service_code != "ec2" or quota_code not in values:
            return original(self, service_code, quota_code)
        return {
            "ServiceCode": "ec2",
            "ServiceName": "Amazon Elastic Compute Cloud (Amazon EC2)",
            "QuotaArn": f"arn:aws:servicequotas:{self.region_name}:{self.account_id}:ec2/{quota_code}",
            "QuotaCode": quota_code,
            "QuotaName": next(q.name for q in QUOTAS.values() if q.code == quota_code),
            "Value": values[quota_code],
            "Unit": "None",
            "Adjustable": True,
            "GlobalQuota": False,
        }

    monkeypatch.setattr(ServiceQuotasBackend, "get_service_quota", get_service_quota)


def platform(zones: list[str] | None = None, **pools: dict[str, Any]) -> tuple[r.EksCluster, tuple[r.GpuPool, ...]]:
    cluster = {**EKS["cluster"], **({"zones": zones} if zones else {})}
    resolved_platform = resolved(config(EKS, cluster=cluster, nodePools=pools or EKS["nodePools"], models={}))
    assert isinstance(resolved_platform.cluster, r.EksCluster)
    return resolved_platform.cluster, resolved_platform.pools


def serve_reservations(ec2: Any, reservations: list[dict[str, Any]]) -> None:
    """Answer DescribeCapacityReservations from `reservations`; every other EC2 call still goes to moto.

    moto 5.2.5 raises NotImplementedError for it. A before-call handler that returns (response, parsed)
    short-circuits the one call, after boto3 has validated the request against the API model.
    """

    def answer(params: dict[str, Any], **_: Any) -> tuple[AWSResponse, dict[str, Any]]:
        # The serialized EC2 query request: CapacityReservationId.1, .2, ...
        wanted = [v for k, v in sorted(params["body"].items()) if k.startswith("CapacityReservationId.")]
        found = [res for res in reservations if res["CapacityReservationId"] in wanted]
        if len(found) < len(wanted):
            error = {"Code": "InvalidCapacityReservationId.NotFound", "Message": f"The capacity reservation ID '{wanted[0]}' does not exist"}
            return AWSResponse(ec2.meta.endpoint_url, 400, {}, None), {"Error": error, "ResponseMetadata": {"HTTPStatusCode": 400}}
        return AWSResponse(ec2.meta.endpoint_url, 200, {}, None), {"CapacityReservations": found, "ResponseMetadata": {"HTTPStatusCode": 200}}

    ec2.meta.events.register("before-call.ec2.DescribeCapacityReservations", answer)


def check(cluster: r.EksCluster, pools: tuple[r.GpuPool, ...], reservations: list[dict[str, Any]] | None = None) -> list[Finding]:
    ec2 = boto3.client("ec2", region_name=REGION)
    serve_reservations(ec2, reservations or [])
    return preflight.check_eks(cluster, pools, ec2=ec2, quotas=boto3.client("service-quotas", region_name=REGION))


L4 = {"gpu": "L4", "nodes": {"min": 0, "max": 2}}  # g6.xlarge: 4 vCPUs; not offered in us-east-1e
L40S = {"gpu": "L40S", "nodes": {"min": 0, "max": 1}}  # g6e.xlarge: 4 vCPUs; offered in us-east-1a to d only


@pytest.mark.parametrize(
    ("zones", "pools", "expected"),
    [
        pytest.param(None, {"l4": L4}, [], id="offered in every zone of the pool"),
        pytest.param(
            ["us-east-1a", "us-east-1b", "us-east-1f"],
            {"l40s": L40S},
            [
                Finding(
                    "nodePools.l40s.machineType",
                    "g6e.xlarge (pool l40s) is not offered in us-east-1f; us-east-1 offers it in us-east-1a, us-east-1b, "
                    "us-east-1c and us-east-1d: keep nodePools.l40s.zones among those or choose another machine type",
                )
            ],
            id="gpu type missing in one zone of the pool",
        ),
        pytest.param(
            ["us-east-1a", "us-east-1e"],
            {"l4": {**L4, "zones": ["us-east-1a"]}},
            [
                Finding(
                    "cluster.systemPool.machineType",
                    "m7i.2xlarge (system pool) is not offered in us-east-1e; us-east-1 offers it in us-east-1a, us-east-1b, "
                    "us-east-1c, us-east-1d and us-east-1f: keep cluster.zones among those or choose another machine type",
                )
            ],
            id="system type missing in a cluster zone while the gpu pool avoids it",
        ),
    ],
)
def test_instance_type_offerings(aws: None, monkeypatch: pytest.MonkeyPatch, zones, pools, expected) -> None:
    serve_quotas(monkeypatch, PLENTY)
    assert check(*platform(zones, **pools)) == expected


@pytest.mark.parametrize(
    ("pools", "quotas", "expected"),
    [
        pytest.param({"l4": L4}, {G_ON_DEMAND: 8}, [], id="quota exactly covers the pool at max"),
        pytest.param(
            {"l4": L4},
            {G_ON_DEMAND: 7},
            [
                Finding(
                    "nodePools.l4.nodes.max",
                    "pool l4 needs up to 8 vCPUs of Running On-Demand G and VT instances (pool l4: 2 x g6.xlarge = 8), "
                    "over the us-east-1 quota of 7; lower nodes.max to fit 7 vCPUs or request an increase of EC2 quota "
                    "L-DB2E81BA in Service Quotas",
                )
            ],
            id="one vcpu over the on-demand quota",
        ),
        pytest.param(
            {"l4": L4, "l40s": L40S},
            {G_ON_DEMAND: 10},
            [
                Finding(
                    "nodePools.l4.nodes.max",
                    "pools l4 and l40s need up to 12 vCPUs of Running On-Demand G and VT instances "
                    "(pool l4: 2 x g6.xlarge = 8; pool l40s: 1 x g6e.xlarge = 4), over the us-east-1 quota of 10; "
                    "lower nodes.max to fit 10 vCPUs or request an increase of EC2 quota L-DB2E81BA in Service Quotas",
                )
            ],
            id="pools of one family share its quota",
        ),
        pytest.param(
            {"l4": {**L4, "capacity": "spot"}},
            {G_ON_DEMAND: 0, G_SPOT: 4},
            [
                Finding(
                    "nodePools.l4.nodes.max",
                    "pool l4 needs up to 8 vCPUs of All G and VT Spot Instance Requests (pool l4: 2 x g6.xlarge = 8), "
                    "over the us-east-1 quota of 4; lower nodes.max to fit 4 vCPUs or request an increase of EC2 quota "
                    "L-3819A6DF in Service Quotas",
                )
            ],
            id="spot pools count against the spot quota",
        ),
        pytest.param(
            {"h100": {"gpu": "H100-80GB", "gpusPerNode": 8, "nodes": {"min": 0, "max": 2}, "capacity": "capacity-block",
                      "reservation": "cr-0123456789abcdef0", "zones": ["us-east-1a"]}},
            {P_ON_DEMAND: 0},
            [],
            id="capacity blocks use no on-demand quota",
        ),
        pytest.param(
            {"l4": L4},
            {STANDARD_ON_DEMAND: 16},
            [
                Finding(
                    "cluster.systemPool.nodes.max",
                    "the system pool needs up to 24 vCPUs of Running On-Demand Standard (A, C, D, H, I, M, R, T, Z) "
                    "instances (system pool: 3 x m7i.2xlarge = 24), over the us-east-1 quota of 16; lower nodes.max to "
                    "fit 16 vCPUs or request an increase of EC2 quota L-1216C47A in Service Quotas",
                )
            ],
            id="the system pool counts against the standard quota",
        ),
    ],
)
def test_vcpu_quotas(aws: None, monkeypatch: pytest.MonkeyPatch, pools, quotas, expected) -> None:
    serve_quotas(monkeypatch, {**PLENTY, **quotas})
    assert check(*platform(None, **pools), [reservation()]) == expected


P_SPOT = "L-7212CCBC"
P5_SPOT = "L-C4BD4855"


@pytest.mark.parametrize(
    ("gpu", "code", "name"),
    [
        pytest.param("H100-80GB", P5_SPOT, "All P5 Spot Instance Requests", id="p5 counts against the P5 Spot quota"),
        pytest.param("H200-141GB", P5_SPOT, "All P5 Spot Instance Requests", id="p5en too"),
        pytest.param("A100-40GB", P_SPOT, "All P4, P3 and P2 Spot Instance Requests", id="p4d against the P2-P4 one"),
        pytest.param("B200", None, None, id="p6 is not checked: its Spot quota is unverified"),
    ],
)
def test_spot_p_families_count_against_their_own_quota(aws: None, monkeypatch: pytest.MonkeyPatch, gpu: str, code: str | None, name: str | None) -> None:
    serve_quotas(monkeypatch, {**PLENTY, P_SPOT: 0, P5_SPOT: 0})
    cluster, pools = platform(None, p={"gpu": gpu, "gpusPerNode": 8, "nodes": {"min": 0, "max": 1}, "capacity": "spot"})
    findings = [f for f in check(cluster, pools) if f.path == "nodePools.p.nodes.max"]
    if code is None:
        assert findings == []
    else:
        assert len(findings) == 1 and f"of {name} (" in findings[0].message and f"EC2 quota {code} " in findings[0].message


BLOCK = "cr-0123456789abcdef0"


def reservation(**changes: Any) -> dict[str, Any]:
    """A Capacity Block for 2 x p5.48xlarge in us-east-1a, as DescribeCapacityReservations returns it."""
    return {
        "CapacityReservationId": BLOCK, "InstanceType": "p5.48xlarge", "AvailabilityZone": "us-east-1a",
        "TotalInstanceCount": 2, "AvailableInstanceCount": 2, "State": "active", "ReservationType": "capacity-block",
        "InstanceMatchCriteria": "targeted", **changes,
    }


H100 = {"gpu": "H100-80GB", "gpusPerNode": 8, "nodes": {"min": 0, "max": 2}, "capacity": "capacity-block", "reservation": BLOCK,
        "zones": ["us-east-1a"], "diskSizeGb": 500}
MNG_CLUSTER = {"nodeAutoscaler": "cluster-autoscaler"}


def reserved_platform(cluster: dict[str, Any] | None = None, **pool: Any) -> tuple[r.EksCluster, tuple[r.GpuPool, ...]]:
    resolved_platform = resolved(config(EKS, cluster={**EKS["cluster"], **(cluster or {})}, nodePools={"h100": {**H100, **pool}}, models={}))
    assert isinstance(resolved_platform.cluster, r.EksCluster)
    return resolved_platform.cluster, resolved_platform.pools


@pytest.mark.parametrize(
    ("cluster", "pool", "reservations", "expected"),
    [
        pytest.param(None, {}, [reservation()], [], id="the block matches"),
        pytest.param(None, {}, [reservation(State="scheduled", AvailableInstanceCount=0)], [], id="a block that starts later"),
        pytest.param(None, {}, [], [Finding("nodePools.h100.reservation",
                                            f"capacity reservation {BLOCK} does not exist in us-east-1; name one of this account's reservations there")],
                     id="missing"),
        pytest.param(None, {}, [reservation(AvailabilityZone="us-east-1b")],
                     [Finding("nodePools.h100.zones", f"{BLOCK} is in us-east-1b, not us-east-1a; set zones: [us-east-1b]")], id="wrong zone"),
        pytest.param(None, {}, [reservation(InstanceType="p5en.48xlarge")],
                     [Finding("nodePools.h100.machineType",
                              f"{BLOCK} holds p5en.48xlarge, not p5.48xlarge; use machineType: p5en.48xlarge or another reservation")],
                     id="wrong instance type"),
        pytest.param(None, {}, [reservation(State="expired", AvailableInstanceCount=0)],
                     [Finding("nodePools.h100.reservation", f"{BLOCK} is expired; name a reservation that is active or scheduled"),
                      Finding("nodePools.h100.reservation", f"{BLOCK} has room for 0 more p5.48xlarge, the pool needs 1 to start; "
                              "free instances in the reservation, lower nodes.min or extend the reservation")],
                     id="expired"),
        pytest.param(MNG_CLUSTER, {"nodes": {"min": 2, "max": 2}}, [reservation(AvailableInstanceCount=1)],
                     [Finding("nodePools.h100.nodes.min", f"{BLOCK} has room for 1 more p5.48xlarge, the pool needs 2 to start; "
                              "free instances in the reservation, lower nodes.min or extend the reservation")],
                     id="too small for nodes.min"),
        pytest.param(None, {"capacity": "reservation"}, [reservation()],
                     [Finding("nodePools.h100.capacity", f"{BLOCK} is a Capacity Block; set capacity: capacity-block")],
                     id="a block named as an ODCR"),
        pytest.param(None, {"capacity": "reservation"}, [reservation(ReservationType="default", State="scheduled")],
                     [Finding("nodePools.h100.reservation", f"{BLOCK} is scheduled; name a reservation that is active")],
                     id="an ODCR that is not active"),
    ],
)
def test_capacity_reservations(aws: None, monkeypatch: pytest.MonkeyPatch, cluster, pool, reservations, expected) -> None:
    serve_quotas(monkeypatch, PLENTY)
    assert check(*reserved_platform(cluster, **pool), reservations) == expected


def test_run_builds_clients_for_the_cluster_region(aws: None, monkeypatch: pytest.MonkeyPatch) -> None:
    serve_quotas(monkeypatch, {**PLENTY, G_ON_DEMAND: 4})
    [finding] = preflight.run(*platform())
    assert finding.path == "nodePools.l4.nodes.max"


def test_without_credentials_the_check_says_it_could_not_run(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_WEB_IDENTITY_TOKEN_FILE",
                "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    assert preflight.run(*platform()) == [
        Finding(
            "cluster.preflight",
            f"could not check capacity in us-east-1: no AWS credentials found; configure credentials (aws configure, "
            f"AWS_PROFILE or SSO) allowed {PERMISSIONS}, {SKIP}",
        )
    ]


@set_initial_no_auth_action_count(2)  # creating the user and its key; every later call is authorized by IAM
def test_denied_calls_say_which_permissions_are_missing(aws: None) -> None:
    iam = boto3.client("iam", region_name=REGION)
    iam.create_user(UserName="no-permissions")
    key = iam.create_access_key(UserName="no-permissions")["AccessKey"]
    session = boto3.Session(aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"], region_name=REGION)
    assert preflight.run(*platform(), session=session) == [
        Finding(
            "cluster.preflight",
            f"could not check capacity in us-east-1: AWS refused DescribeInstanceTypeOfferings (AccessDenied); "
            f"use credentials allowed {PERMISSIONS}, {SKIP}",
        )
    ]


SHORT_G_QUOTA = {**PLENTY, G_ON_DEMAND: 4.0}
QUOTA_LINE = (
    "inferfleet:nodePools.l4.nodes.max: pool l4 needs up to 8 vCPUs of Running On-Demand G and VT instances "
    "(pool l4: 2 x g6.xlarge = 8), over the us-east-1 quota of 4; lower nodes.max to fit 4 vCPUs or request an "
    "increase of EC2 quota L-DB2E81BA in Service Quotas"
)


def eks_stack(mode: str, in_plan: bool = False) -> dict[str, Any]:
    return config(EKS, cluster={**EKS["cluster"], "preflight": {"mode": mode, "inPlan": in_plan}})


def test_a_failed_preflight_stops_the_plan_before_any_resource(aws, monkeypatch, plan_of) -> None:
    serve_quotas(monkeypatch, SHORT_G_QUOTA)
    with pytest.raises(ConfigError) as raised:
        plan_of(eks_stack("error"), preflight=True)
    assert raised.value.report() == QUOTA_LINE


def test_warn_mode_reports_and_goes_on(aws, monkeypatch, plan_of) -> None:
    serve_quotas(monkeypatch, SHORT_G_QUOTA)
    result = plan_of(eks_stack("warn", in_plan=True))
    assert result.warnings == [QUOTA_LINE]
    assert any(r.type == "aws:eks/nodeGroup:NodeGroup" for r in result.resources)


def test_enough_capacity_plans_clean(aws, monkeypatch, plan_of) -> None:
    serve_quotas(monkeypatch, PLENTY)
    assert plan_of(eks_stack("error"), preflight=True).warnings == []


def test_the_offline_plan_does_not_call_aws_unless_asked(plan_of, monkeypatch) -> None:
    def no_calls(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("the offline plan called AWS")

    monkeypatch.setattr(preflight, "run", no_calls)
    result = plan_of(eks_stack("error"))
    assert result.warnings == [
        "EKS preflight skipped: the offline plan calls AWS only with --preflight or cluster.preflight.inPlan: true"
    ]
    assert plan_of(eks_stack("off"), preflight=True).warnings == []


def test_an_existing_vpc_needs_a_subnet_in_every_zone_it_uses(aws: None, monkeypatch: pytest.MonkeyPatch) -> None:
    serve_quotas(monkeypatch, PLENTY)
    ec2 = boto3.client("ec2", region_name=REGION)
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{i}.0/24", AvailabilityZone=z)["Subnet"]["SubnetId"]
               for i, z in enumerate(["us-east-1a", "us-east-1b"])]
    network = {"vpcId": vpc, "subnetIds": subnets}

    def findings(**pool: Any) -> list[Finding]:
        values = config(EKS, cluster={**EKS["cluster"], "network": network}, nodePools={"l4": {**L4, **pool}}, models={})
        platform_ = resolved(values)
        assert isinstance(platform_.cluster, r.EksCluster)
        return check(platform_.cluster, platform_.pools)

    assert findings() == []
    c = resolved(config(EKS, cluster={**EKS["cluster"], "zones": ["us-east-1a", "us-east-1c"], "network": network}, nodePools={"l4": L4}, models={}))
    assert isinstance(c.cluster, r.EksCluster)
    assert check(c.cluster, c.pools) == [
        Finding("cluster.zones", "no subnet of cluster.network.subnetIds is in us-east-1c (system pool); the subnets are in "
                "us-east-1a and us-east-1b: keep the zones among those or add a subnet there"),
        Finding("nodePools.l4.zones", "no subnet of cluster.network.subnetIds is in us-east-1c (pool l4); the subnets are in "
                "us-east-1a and us-east-1b: keep the zones among those or add a subnet there"),
    ]
