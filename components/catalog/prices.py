"""What a stack costs beyond its GPU machines: control planes, NAT, system machines, disks, Spot.

The GPU machines' on-demand list prices are in `gpus` with their price-list source. Nothing here
was read from a price list (no offer file or billing catalog is at hand offline), so every rate is
an estimate: the rate the cloud's pricing page published in 2024-2025 (as its author knew it; not
re-checked), for the reference regions of `gpus` (GCP us-central1, AWS us-east-1). The plan marks
them as estimates; replace them with price-list reads when a price list is at hand.
"""

from __future__ import annotations

from typing import Mapping

from .gpus import Price

HOURS_PER_MONTH = 730
"""The month the clouds bill by: 8760 hours / 12."""

_PAGE = "estimate: rate published on {} in 2024-2025, not re-checked nor read from a price list"

CONTROL_PLANE: Mapping[str, Price] = {
    # The GKE free tier's $74.40 monthly credit is per billing account, so it is not subtracted here.
    "gke": Price(0.10, _PAGE.format("cloud.google.com/kubernetes-engine/pricing (cluster management fee)"), True),
    "eks": Price(0.10, _PAGE.format("aws.amazon.com/eks/pricing (standard support; extended support is $0.60)"), True),
}
"""Per cluster-hour."""

SYSTEM_MACHINES: Mapping[str, Price] = {
    "e2-standard-8": Price(0.268, _PAGE.format("cloud.google.com/compute/vm-instance-pricing (us-central1)"), True),
    "m7i.2xlarge": Price(0.4032, _PAGE.format("aws.amazon.com/ec2/pricing/on-demand (us-east-1)"), True),
}
"""The default system-pool machines (cloud.resolve.SYSTEM_MACHINE), per node-hour."""

CLOUD_NAT_PER_VM = Price(0.0014, _PAGE.format("cloud.google.com/nat/pricing (per VM-hour, up to 32 VMs)"), True)
CLOUD_NAT_MAX = 0.044
"""A Cloud NAT gateway costs $0.0014 per VM-hour, at most $0.044 per hour (32 VMs and more)."""

NAT_GATEWAY = Price(
    0.05, _PAGE.format("aws.amazon.com/vpc/pricing ($0.045 per NAT gateway-hour and $0.005 for its public IPv4 address)"), True
)
"""One AWS NAT gateway and its Elastic IP, per hour; data processed is billed on top and not counted."""

DISK_GB_MONTH: Mapping[str, Price] = {
    "gke": Price(0.10, _PAGE.format("cloud.google.com/compute/disks-image-pricing (pd-balanced, per GB-month)"), True),
    "eks": Price(0.08, _PAGE.format("aws.amazon.com/ebs/pricing (gp3, per GB-month)"), True),
}
"""Boot disks, per GB-month (hyperdisk-balanced is priced like pd-balanced here; its IOPS are extra)."""

SPOT_SHARE: Mapping[str, tuple[float, str]] = {
    "gke": (0.40, "estimate: at most 40% of on-demand, since Spot VMs are 60-91% off "
                  "(cloud.google.com/spot-vms/pricing, via shared/reference/clouds.md)"),
    "eks": (1.00, "estimate: on-demand as the upper bound; EC2 Spot prices change by hour and zone, with no published floor"),
}
"""The share of the on-demand price a Spot node costs at most, and why."""
