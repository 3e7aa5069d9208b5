"""Name rules: for each rule, names it accepts and names it refuses with the exact reason."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from components.core.names import RULES, check

LABEL_CHARS = "use a-z, A-Z, 0-9, '-', '_' and '.'"
DNS_CHARS = "use a-z, 0-9 and '-'"
SUBDOMAIN_CHARS = "use a-z, 0-9, '-' and '.'"
CYRILLIC_A = "\u0430"

VALID = [
    ("dns-label", "inference"), ("dns-label", "a"), ("dns-label", "0-gpu"), ("dns-label", "a" * 63),
    ("dns-subdomain", "example.com"), ("dns-subdomain", "qwen-7b.v1"), ("dns-subdomain", ("a" * 63 + ".") * 3 + "a" * 61),
    ("dns-1035-label", "qwen"), ("dns-1035-label", "a-1"),
    ("namespace", "inferfleet-system"), ("service-name", "qwen-vllm"), ("object-name", "qwen.v1"),
    ("label-key", "team"), ("label-key", "nvidia.com/gpu.product"), ("label-key", "cloud.google.com/gke-nodepool"),
    ("label-key", "My_Key.1"), ("label-key", "a" * 253 + "/" + "b" * 63),
    ("label-value", ""), ("label-value", "NVIDIA-L4"), ("label-value", "a_b.c-d"), ("label-value", "x" * 63),
    ("node-selector-key", "kubernetes.io/arch"), ("node-selector-value", "amd64"),
    ("taint-key", "nvidia.com/gpu"), ("taint-value", "present"), ("taint-value", ""),
    ("taint-effect", "NoSchedule"), ("taint-effect", "PreferNoSchedule"), ("taint-effect", "NoExecute"),
    ("helm-release", "kube-prometheus-stack"), ("helm-release", "a" * 53), ("helm-release", "gpu.operator"),
    ("gke-cluster", "inferfleet-prod"), ("gke-cluster", "a" * 40), ("gke-cluster", "a"),
    ("gke-node-pool", "l4-spot"),
    ("gcp-service-account-id", "inferfleet-nodes"), ("gcp-service-account-id", "abcdef"), ("gcp-service-account-id", "a" * 30),
    ("gcp-project-id", "acme-inference"), ("gcp-project-id", "a" * 30),
    ("gcp-region", "us-central1"), ("gcp-region", "northamerica-northeast2"), ("gcp-region", "me-central2"),
    ("gcp-zone", "us-central1-a"), ("gcp-zone", "europe-west4-c"),
    ("eks-cluster", "inferfleet-Prod_1"), ("eks-cluster", "1cluster"), ("eks-cluster", "a" * 100),
    ("iam-role", "inferfleet-prod-nodes"), ("iam-role", "Role+=,.@-_1"), ("iam-role", "r" * 64),
    ("aws-region", "us-east-1"), ("aws-region", "us-gov-west-1"), ("aws-region", "cn-northwest-1"),
    ("aws-region", "ap-southeast-7"), ("aws-region", "eusc-de-east-1"),
    ("aws-zone", "us-east-1a"), ("aws-zone", "us-gov-west-1b"),
    ("pulumi-stack", "Team.A_1-dev"), ("pulumi-stack", "s" * 100),
    ("aws-local-zone", "us-west-2-lax-1a"), ("aws-local-zone", "us-east-1-bos-1a"),
]


@pytest.mark.parametrize(("rule", "value"), VALID, ids=[f"{r}:{v[:30]}" for r, v in VALID])
def test_a_valid_name_is_accepted(rule: str, value: str) -> None:
    assert check(rule, value) is None


INVALID = [
    # DNS labels: namespaces and most derived names
    ("dns-label", "", "must not be empty"),
    ("dns-label", "a" * 64, "must be at most 63 characters (it has 64)"),
    ("dns-label", "Inference", "'I' at position 1 is not allowed; use lowercase only: a-z, 0-9 and '-'"),
    ("dns-label", "my ns", f"a space at position 3 is not allowed; {DNS_CHARS}"),
    ("dns-label", "-gpu", "must start with a lowercase letter or a digit, not '-'"),
    ("dns-label", "gpu-", "must end with a lowercase letter or a digit, not '-'"),
    ("dns-label", "a.b", f"'.' at position 2 is not allowed; {DNS_CHARS}"),
    ("dns-label", "caf\u00e9", f"U+00E9 (not ASCII) at position 4 is not allowed; {DNS_CHARS}"),
    ("namespace", "team_a", f"'_' at position 5 is not allowed; {DNS_CHARS}"),
    # DNS subdomains: object names
    ("dns-subdomain", "a" * 254, "must be at most 253 characters (it has 254)"),
    ("dns-subdomain", "a..b", "has an empty part between dots; each part between dots needs at least one character"),
    ("dns-subdomain", ".a", "has an empty part between dots; each part between dots needs at least one character"),
    ("dns-subdomain", "a.-b", "must start with a lowercase letter or a digit (each part between dots), not '-'"),
    ("dns-subdomain", "a-.b", "must end with a lowercase letter or a digit (each part between dots), not '-'"),
    ("object-name", "Qwen.v1", "'Q' at position 1 is not allowed; use lowercase only: a-z, 0-9, '-' and '.'"),
    ("object-name", "q/1", f"'/' at position 2 is not allowed; {SUBDOMAIN_CHARS}"),
    # DNS-1035 labels: Service names
    ("service-name", "7b-vllm", "must start with a lowercase letter, not '7'"),
    ("dns-1035-label", "a" * 64, "must be at most 63 characters (it has 64)"),
    # label keys (qualified names): labels, node selectors, taint keys
    ("label-key", "", "must not be empty"),
    ("label-key", "team name", f"a space at position 5 is not allowed; {LABEL_CHARS}"),
    ("label-key", "t\u00e9am", f"U+00E9 (not ASCII) at position 2 is not allowed; {LABEL_CHARS}"),
    ("label-key", "-team", "must start with a letter or a digit, not '-'"),
    ("label-key", "team.", "must end with a letter or a digit, not '.'"),
    ("label-key", "a" * 64, "must be at most 63 characters (it has 64)"),
    ("label-key", "a/b/c", "has more than one '/'; write an optional prefix, '/', then a name, e.g. example.com/gpu"),
    ("label-key", "/gpu", "has an empty prefix before '/'; write a DNS subdomain such as example.com, or drop the '/'"),
    ("label-key", "example.com/", "name part '': must not be empty"),
    ("label-key", "Example.com/gpu",
     "prefix 'Example.com': 'E' at position 1 is not allowed; use lowercase only: a-z, 0-9, '-' and '.'"),
    ("label-key", "example_com/gpu", f"prefix 'example_com': '_' at position 8 is not allowed; {SUBDOMAIN_CHARS}"),
    ("label-key", "a" * 254 + "/b", f"prefix '{'a' * 37}...': must be at most 253 characters (it has 254)"),
    ("label-key", "example.com/" + "b" * 64, f"name part '{'b' * 37}...': must be at most 63 characters (it has 64)"),
    ("label-key", "example.com/gpu type", f"name part 'gpu type': a space at position 4 is not allowed; {LABEL_CHARS}"),
    ("node-selector-key", "pool\tname", f"control character U+0009 at position 5 is not allowed; {LABEL_CHARS}"),
    ("taint-key", "nvidia.com/gpu ", f"name part 'gpu ': a space at position 4 is not allowed; {LABEL_CHARS}"),
    # label values: labels, node selector values, taint values
    ("label-value", "x" * 64, "must be at most 63 characters (it has 64)"),
    ("label-value", "NVIDIA L4", f"a space at position 7 is not allowed; {LABEL_CHARS}"),
    ("label-value", "_x", "must start with a letter or a digit, not '_'"),
    ("label-value", "x-", "must end with a letter or a digit, not '-'"),
    ("label-value", "a/b", f"'/' at position 2 is not allowed; {LABEL_CHARS}"),
    ("node-selector-value", "\u00fcber", f"U+00FC (not ASCII) at position 1 is not allowed; {LABEL_CHARS}"),
    ("taint-value", "true!", f"'!' at position 5 is not allowed; {LABEL_CHARS}"),
    # taint effects
    ("taint-effect", "noschedule", "'noschedule' is not a taint effect; valid: NoSchedule, PreferNoSchedule, NoExecute"),
    ("taint-effect", "NO_SCHEDULE", "'NO_SCHEDULE' is not a taint effect; valid: NoSchedule, PreferNoSchedule, NoExecute"),
    ("taint-effect", "", "'' is not a taint effect; valid: NoSchedule, PreferNoSchedule, NoExecute"),
    # Helm release names
    ("helm-release", "a" * 54, "must be at most 53 characters (it has 54)"),
    ("helm-release", "GPU-operator", "'G' at position 1 is not allowed; use lowercase only: a-z, 0-9, '-' and '.'"),
    ("helm-release", "gpu_operator", f"'_' at position 4 is not allowed; {SUBDOMAIN_CHARS}"),
    # GKE cluster and pool names
    ("gke-cluster", "a" * 41, "must be at most 40 characters (it has 41)"),
    ("gke-cluster", "Prod", "'P' at position 1 is not allowed; use lowercase only: a-z, 0-9 and '-'"),
    ("gke-cluster", "1prod", "must start with a lowercase letter, not '1'"),
    ("gke-cluster", "prod-", "must end with a lowercase letter or a digit, not '-'"),
    ("gke-cluster", "-prod", "must start with a lowercase letter, not '-'"),
    ("gke-cluster", "inference prod", f"a space at position 10 is not allowed; {DNS_CHARS}"),
    ("gke-node-pool", "L4_pool", "'L' at position 1 is not allowed; use lowercase only: a-z, 0-9 and '-'"),
    # GCP service account ids
    ("gcp-service-account-id", "nodes", "must be at least 6 characters (it has 5)"),
    ("gcp-service-account-id", "a" * 31, "must be at most 30 characters (it has 31)"),
    ("gcp-service-account-id", "1nodes", "must start with a lowercase letter, not '1'"),
    # GCP project ids
    ("gcp-project-id", "acme", "must be at least 6 characters (it has 4)"),
    ("gcp-project-id", "Acme-inference", "'A' at position 1 is not allowed; use lowercase only: a-z, 0-9 and '-'"),
    ("gcp-project-id", "acme inference", f"a space at position 5 is not allowed; {DNS_CHARS}"),
    ("gcp-project-id", "acme-inference-", "must end with a lowercase letter or a digit, not '-'"),
    ("gcp-project-id", "1acme-inference", "must start with a lowercase letter, not '1'"),
    # GCP regions and zones
    ("gcp-region", "us-central", "is not a region such as us-central1 or europe-west4"),
    ("gcp-region", "us-central1-a", "is not a region such as us-central1 or europe-west4"),
    ("gcp-region", "US-central1", "'U' at position 1 is not allowed; use lowercase only: a-z, 0-9 and '-'"),
    ("gcp-zone", f"us-centr{CYRILLIC_A}l1-a", f"U+0430 (not ASCII) at position 9 is not allowed; {DNS_CHARS}"),
    ("gcp-zone", "us-central1", "must end with the zone's letter, not '1'"),
    ("gcp-zone", "us-central1-ab", "is not a zone such as us-central1-a (its region, '-' and a letter)"),
    ("gcp-zone", " us-central1-a", f"a space at position 1 is not allowed; {DNS_CHARS}"),
    # EKS cluster names
    ("eks-cluster", "", "must not be empty"),
    ("eks-cluster", "a" * 101, "must be at most 100 characters (it has 101)"),
    ("eks-cluster", "_prod", "must start with a letter or a digit, not '_'"),
    ("eks-cluster", "-prod", "must start with a letter or a digit, not '-'"),
    ("eks-cluster", "prod.1", "'.' at position 5 is not allowed; use a-z, A-Z, 0-9, '-' and '_'"),
    # IAM role names
    ("iam-role", "r" * 65, "must be at most 64 characters (it has 65)"),
    ("iam-role", "node role", "a space at position 5 is not allowed; use a-z, A-Z, 0-9 and _ + = , . @ -"),
    ("iam-role", "nodes/role", "'/' at position 6 is not allowed; use a-z, A-Z, 0-9 and _ + = , . @ -"),
    ("iam-role", "r\u00f4le", "U+00F4 (not ASCII) at position 2 is not allowed; use a-z, A-Z, 0-9 and _ + = , . @ -"),
    # AWS regions and zones
    ("aws-region", "us-east", "is not a region such as us-east-1 or eu-west-2"),
    ("aws-region", "us-east-1a", "is not a region such as us-east-1 or eu-west-2"),
    ("aws-region", "xx-east-1", "is not a region such as us-east-1 or eu-west-2"),
    ("aws-region", "us_east_1", f"'_' at position 3 is not allowed; {DNS_CHARS}"),
    ("aws-zone", "us-east-1", "must end with the zone's letter, not '1'"),
    ("aws-zone", f"us-e{CYRILLIC_A}st-1a", f"U+0430 (not ASCII) at position 5 is not allowed; {DNS_CHARS}"),
    ("aws-zone", "US-EAST-1A", "'U' at position 1 is not allowed; use lowercase only: a-z, 0-9 and '-'"),
    ("aws-zone", "us-west-2-lax-1a", "is not a zone such as us-east-1a (its region and a letter)"),
    ("aws-local-zone", "us-west-2a", "is not a Local Zone such as us-west-2-lax-1a"),
    # Pulumi stack names
    ("pulumi-stack", "my stack", "a space at position 3 is not allowed; use a-z, A-Z, 0-9, '_', '.' and '-'"),
    ("pulumi-stack", "s" * 101, "must be at most 100 characters (it has 101)"),
    ("pulumi-stack", "", "must not be empty"),
]


@pytest.mark.parametrize(("rule", "value", "reason"), INVALID, ids=[f"{r}:{v[:30]}" for r, v, _ in INVALID])
def test_an_invalid_name_gets_its_exact_reason(rule: str, value: str, reason: str) -> None:
    assert check(rule, value) == reason


def test_every_rule_has_a_source_and_a_refused_case() -> None:
    refused = {rule for rule, _, _ in INVALID}
    for name, rule in RULES.items():
        assert rule.source, name
        assert name in refused or any(rule is RULES[other] for other in refused), f"no refused case for {name}"


def test_rules_and_reasons_are_ascii() -> None:
    for name, rule in RULES.items():
        assert rule.source.isascii() and rule.what.isascii() and rule.chars_words.isascii(), name
    for rule_name, value, _ in INVALID:
        reason = check(rule_name, value)
        assert reason is not None and reason.isascii(), (rule_name, value)


def test_every_region_botocore_knows_has_the_region_syntax() -> None:
    """The AWS region rule narrows botocore's patterns; every region botocore lists must still pass."""
    botocore = pytest.importorskip("botocore")
    endpoints = json.loads((Path(botocore.__file__).parent / "data" / "endpoints.json").read_text())
    regions = [region for partition in endpoints["partitions"] for region in partition["regions"]]
    assert len(regions) > 30
    assert [r for r in regions if check("aws-region", r) is not None] == []
    assert [r for r in regions if check("aws-zone", r + "a") is not None] == []
