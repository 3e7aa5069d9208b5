"""EKS capacity preflight (boto3): can AWS give the node pools what they ask for, before anything is created?

Two checks, read-only: each pool's instance type is offered in each of its zones, and the
account's vCPU quotas cover every pool at its maximum size. `check_eks` takes the boto3 clients
so tests can hand it moto's; `run` builds real ones. A failed call becomes a finding that says
the check could not run, never a traceback.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any, Sequence

import boto3  # type: ignore[import-untyped]
from botocore.config import Config  # type: ignore[import-untyped]
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError  # type: ignore[import-untyped]

from ..core.problems import Problem
from . import values as r
from . import preflight as shared
from .preflight import PREFLIGHT_PATH, SYSTEM_PATH, Group

PERMISSIONS = (
    "ec2:DescribeInstanceTypeOfferings, ec2:DescribeInstanceTypes, ec2:DescribeCapacityReservations, ec2:DescribeSubnets, "
    "servicequotas:GetServiceQuota and servicequotas:GetAWSDefaultServiceQuota"
)
CLIENT_CONFIG = Config(connect_timeout=5, read_timeout=15, retries={"mode": "standard", "max_attempts": 3})
"""A plan without network access should fail the check in seconds, not minutes."""
DENIED = frozenset({"AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "AuthFailure", "InvalidClientTokenId"})


@dataclass(frozen=True)
class Quota:
    code: str
    name: str


QUOTAS: dict[tuple[str, str], Quota] = {
    ("on-demand", "G"): Quota("L-DB2E81BA", "Running On-Demand G and VT instances"),
    ("on-demand", "P"): Quota("L-417A185B", "Running On-Demand P instances"),
    ("on-demand", "P5"): Quota("L-417A185B", "Running On-Demand P instances"),
    ("on-demand", "Standard"): Quota("L-1216C47A", "Running On-Demand Standard (A, C, D, H, I, M, R, T, Z) instances"),
    ("spot", "G"): Quota("L-3819A6DF", "All G and VT Spot Instance Requests"),
    ("spot", "P"): Quota("L-7212CCBC", "All P4, P3 and P2 Spot Instance Requests"),
    ("spot", "P5"): Quota("L-C4BD4855", "All P5 Spot Instance Requests"),
    ("spot", "Standard"): Quota("L-34B43A08", "All Standard (A, C, D, H, I, M, R, T, Z) Spot Instance Requests"),
}
"""EC2 vCPU quotas by purchase option and instance family, as Service Quotas names them (AWS "Amazon EC2
instance type quotas"): On-Demand P is one quota, Spot splits P5 from P2-P4 (review finding 8)."""
OWN_QUOTA_FAMILIES = ("inf", "trn", "dl", "hpc", "mac", "p6")
"""Families that count against quotas of their own, or whose quota is unverified (p6 Spot); not checked."""


def _family(instance_type: str) -> str | None:
    family = instance_type.split(".")[0]
    if family.startswith(OWN_QUOTA_FAMILIES):
        return None
    if family.startswith(("g", "vt")):
        return "G"
    if family.startswith("p5"):
        return "P5"
    if family.startswith("p"):
        return "P"
    return "Standard" if family[0] in "acdhimrtz" else None


def _who(groups: Sequence[Group]) -> str:
    """The subject of a sentence naming node groups, with its verb: "pools a and b need"."""
    pools = [g.label.removeprefix("pool ") for g in groups if g.path != SYSTEM_PATH]
    names = ["the system pool"] if len(pools) < len(groups) else []
    if pools:
        names.append(f"pool {pools[0]}" if len(pools) == 1 else f"pools {shared.names(pools)}")
    return f"{' and '.join(names)} {'needs' if len(groups) == 1 else 'need'}"


def check_eks(cluster: r.EksCluster, pools: Sequence[r.GpuPool], *, ec2: Any, quotas: Any) -> list[Problem]:
    """Every capacity problem of the pools, with its stack path; empty when AWS can serve them all."""
    findings: list[Problem] = []
    try:
        groups = shared.groups(cluster, pools)
        offered = _offerings(ec2, sorted({g.machine_type for g in groups}))
        findings.extend(_zone_findings(cluster.region, groups, offered))
        vcpus = _vcpus(ec2, sorted(t for t, zones in offered.items() if zones))
        findings.extend(_quota_findings(cluster.region, groups, vcpus, quotas))
        findings.extend(_reservation_findings(ec2, cluster.region, pools))
        if not cluster.create_network:
            findings.extend(_subnet_zone_findings(ec2, cluster, groups))
    except (BotoCoreError, ClientError) as e:
        findings.append(Problem(PREFLIGHT_PATH, _could_not_run(e, cluster.region)))
    return findings


def run(cluster: r.EksCluster, pools: Sequence[r.GpuPool], *, session: Any = None) -> list[Problem]:
    """`check_eks` with clients for the cluster's region from `session` (default: the standard credential chain)."""
    try:
        session = session or boto3.Session(region_name=cluster.region)
        ec2 = session.client("ec2", region_name=cluster.region, config=CLIENT_CONFIG)
        quotas = session.client("service-quotas", region_name=cluster.region, config=CLIENT_CONFIG)
    except BotoCoreError as e:
        return [Problem(PREFLIGHT_PATH, _could_not_run(e, cluster.region))]
    return check_eks(cluster, pools, ec2=ec2, quotas=quotas)


def _offerings(ec2: Any, instance_types: Sequence[str]) -> dict[str, set[str]]:
    """The zones of the region that offer each instance type."""
    # Asking for the type alone, not the pool's zones, also tells where it is offered instead.
    pages = ec2.get_paginator("describe_instance_type_offerings")
    return {
        instance_type: {
            offering["Location"]
            for page in pages.paginate(
                LocationType="availability-zone", Filters=[{"Name": "instance-type", "Values": [instance_type]}]
            )
            for offering in page["InstanceTypeOfferings"]
        }
        for instance_type in instance_types
    }


def _zone_findings(region: str, groups: Sequence[Group], offered: dict[str, set[str]]) -> list[Problem]:
    findings = []
    for g in groups:
        zones = offered[g.machine_type]
        missing = [z for z in g.zones if z not in zones]
        if not missing:
            continue
        path = f"{g.path}.machineType"
        if zones:
            message = (
                f"{g.machine_type} ({g.label}) is not offered in {shared.names(missing)}; "
                f"{region} offers it in {shared.names(sorted(zones))}: keep {shared.zones_key(g)} among those or choose another machine type"
            )
        else:
            message = f"{g.machine_type} ({g.label}) is not offered in any zone of {region}; choose another machine type or region"
        findings.append(Problem(path, message))
    return findings


def _vcpus(ec2: Any, instance_types: Sequence[str]) -> dict[str, int]:
    if not instance_types:
        return {}
    described = ec2.describe_instance_types(InstanceTypes=list(instance_types))["InstanceTypes"]
    return {t["InstanceType"]: int(t["VCpuInfo"]["DefaultVCpus"]) for t in described}


def _quota_findings(region: str, groups: Sequence[Group], vcpus: dict[str, int], quotas: Any) -> list[Problem]:
    # Reserved capacity was counted against the On-Demand quota when the reservation was made, and
    # Capacity Blocks sit outside the On-Demand quotas: launching into either needs no more quota.
    needs: dict[Quota, list[tuple[Group, int]]] = defaultdict(list)
    for g in groups:
        family = _family(g.machine_type)
        if g.capacity in ("on-demand", "spot") and family and g.machine_type in vcpus:
            needs[QUOTAS[(g.capacity, family)]].append((g, g.max_nodes * vcpus[g.machine_type]))
    findings = []
    for quota, users in needs.items():
        need = sum(n for _, n in users)
        limit = _quota_value(quotas, quota.code)
        if need <= limit:
            continue
        subject = _who([g for g, _ in users])
        parts = "; ".join(f"{g.label}: {g.max_nodes} x {g.machine_type} = {n}" for g, n in users)
        findings.append(
            Problem(
                f"{users[0][0].path}.nodes.max",
                f"{subject} up to {need} vCPUs of {quota.name} ({parts}), over the {region} quota of {shared.number(limit)}; "
                f"lower nodes.max to fit {shared.number(limit)} vCPUs or request an increase of EC2 quota {quota.code} in Service Quotas",
            )
        )
    return findings


def _quota_value(quotas: Any, code: str) -> float:
    try:
        return float(quotas.get_service_quota(ServiceCode="ec2", QuotaCode=code)["Quota"]["Value"])
    except ClientError as e:
        # An account that never changed a quota may have no applied value; AWS's default then holds.
        if e.response.get("Error", {}).get("Code") != "NoSuchResourceException":
            raise
        return float(quotas.get_aws_default_service_quota(ServiceCode="ec2", QuotaCode=code)["Quota"]["Value"])


def _subnet_zones(ec2: Any, subnet_ids: Sequence[str]) -> dict[str, str]:
    pages = ec2.get_paginator("describe_subnets").paginate(SubnetIds=list(subnet_ids))
    return {s["SubnetId"]: s["AvailabilityZone"] for page in pages for s in page["Subnets"]}


def _subnet_zone_findings(ec2: Any, cluster: r.EksCluster, groups: Sequence[Group]) -> list[Problem]:
    """On an existing VPC, every zone a node group uses has one of the given subnets (nodes launch only there)."""
    zones = _subnet_zones(ec2, cluster.subnet_ids)
    have = sorted(set(zones.values()))
    findings = []
    for g in groups:
        missing = [z for z in g.zones if z not in have]
        if missing:
            findings.append(
                Problem(
                    shared.zones_key(g),
                    f"no subnet of cluster.network.subnetIds is in {shared.names(missing)} ({g.label}); "
                    f"the subnets are in {shared.names(have)}: keep the zones among those or add a subnet there",
                )
            )
    return findings


RESERVATION_TYPES = {"reservation": "default", "capacity-block": "capacity-block"}
"""`ReservationType` of an ODCR and a Capacity Block (botocore ec2 model, CapacityReservation)."""
USABLE_STATES = {"reservation": ("active",), "capacity-block": ("active", "scheduled")}
"""A Capacity Block bought for later is `scheduled` until it starts; the node group waits for it."""


def _reservation_findings(ec2: Any, region: str, pools: Sequence[r.GpuPool]) -> list[Problem]:
    """Each reserved pool's reservation exists, in the pool's zone, for its machine, and has room for its nodes."""
    findings = []
    for pool in pools:
        if pool.reservation is None:
            continue
        path = f"nodePools.{pool.name}"
        try:
            found = ec2.describe_capacity_reservations(CapacityReservationIds=[pool.reservation])["CapacityReservations"]
        except ClientError as e:
            # EC2's error codes are not in the API model; unknown and malformed ids both start so.
            if not e.response.get("Error", {}).get("Code", "").startswith("InvalidCapacityReservationId"):
                raise
            found = []
        if not found:
            findings.append(Problem(f"{path}.reservation", f"capacity reservation {pool.reservation} does not exist in {region}; name one of this account's reservations there"))
            continue
        res = found[0]
        state, zone, kind = res["State"], res["AvailabilityZone"], res.get("ReservationType", "default")
        if kind != RESERVATION_TYPES[pool.capacity]:
            other = "capacity-block" if kind == "capacity-block" else "reservation"
            findings.append(Problem(f"{path}.capacity", f"{pool.reservation} is a {'Capacity Block' if kind == 'capacity-block' else 'capacity reservation'}; set capacity: {other}"))
        if state not in USABLE_STATES[pool.capacity]:
            findings.append(
                Problem(f"{path}.reservation", f"{pool.reservation} is {state}; name a reservation that is {' or '.join(USABLE_STATES[pool.capacity])}")
            )
        if zone not in pool.zones:
            findings.append(Problem(f"{path}.zones", f"{pool.reservation} is in {zone}, not {shared.names(list(pool.zones))}; set zones: [{zone}]"))
        if res["InstanceType"] != pool.machine_type:
            findings.append(
                Problem(f"{path}.machineType", f"{pool.reservation} holds {res['InstanceType']}, not {pool.machine_type}; use machineType: {res['InstanceType']} or another reservation")
            )
        # A scheduled block has no instance available yet; it will have all of them.
        room = int(res["TotalInstanceCount"] if state == "scheduled" else res["AvailableInstanceCount"])
        need = max(pool.min_nodes, 1)
        if room < need:
            findings.append(
                Problem(
                    f"{path}.nodes.min" if pool.min_nodes else f"{path}.reservation",
                    f"{pool.reservation} has room for {room} more {res['InstanceType']}, the pool needs {need} to start; "
                    "free instances in the reservation, lower nodes.min or extend the reservation",
                )
            )
    return findings


def _could_not_run(error: Exception, region: str) -> str:
    fix = f"or set {PREFLIGHT_PATH}.mode: off to skip the check"
    if isinstance(error, NoCredentialsError):
        return (
            f"could not check capacity in {region}: no AWS credentials found; "
            f"configure credentials (aws configure, AWS_PROFILE or SSO) allowed {PERMISSIONS}, {fix}"
        )
    if isinstance(error, ClientError):
        code = error.response.get("Error", {}).get("Code", "")
        if code in DENIED:
            return (
                f"could not check capacity in {region}: AWS refused {error.operation_name} ({code}); "
                f"use credentials allowed {PERMISSIONS}, {fix}"
            )
    return f"could not check capacity in {region}: {error}; check the network and AWS credentials, {fix}"
