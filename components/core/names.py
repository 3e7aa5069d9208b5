"""The name rules of Kubernetes and of the clouds, written once as data, each beside its source.

`check(rule, value)` returns None for a valid name or one line saying what is wrong, in words: it
never shows a pattern. Pure: no project imports, no I/O.

Kubernetes sources are kubernetes/apimachinery@v0.36.3 (the module of Kubernetes 1.36) unless a
line says otherwise. Kubernetes counts bytes where this module counts characters; the two differ
only for non-ASCII text, which every rule here refuses anyway.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass

LOWER = string.ascii_lowercase
UPPER = string.ascii_uppercase
DIGITS = string.digits


@dataclass(frozen=True)
class Rule:
    """What one kind of name must look like. A check stops at the first thing that fails."""

    what: str
    """The kind of name, for messages: "a DNS label"."""
    source: str
    max_length: int
    min_length: int = 1
    chars: str = LOWER + DIGITS + "-"
    chars_words: str = "a-z, 0-9 and '-'"
    first: str = LOWER + DIGITS
    first_words: str = "a lowercase letter or a digit"
    last: str = LOWER + DIGITS
    last_words: str = "a lowercase letter or a digit"
    dotted: bool = False
    """Parts separated by '.', each starting and ending as `first` and `last` say (a DNS subdomain)."""
    prefixed: bool = False
    """An optional DNS-subdomain prefix and '/' before the name (a Kubernetes qualified name)."""
    one_of: tuple[str, ...] = ()
    """When set, the value must be exactly one of these; the other fields are not used."""
    shape: re.Pattern[str] | None = None
    """A last check of the whole value, for syntax the character rules cannot say (regions, zones)."""
    shape_words: str = ""
    """What `shape` asks for, in words with an example: shown instead of the pattern."""


_K8S = "kubernetes/apimachinery@v0.36.3"

DNS_LABEL = Rule(
    what="a DNS label (RFC 1123)",
    source=f"{_K8S} pkg/util/validation/validation.go:155-181 (IsDNS1123Label)",
    max_length=63,
)
DNS_SUBDOMAIN = Rule(
    what="a DNS subdomain (RFC 1123)",
    source=f"{_K8S} pkg/api/validate/content/dns.go:51,57,64,84-101 (IsDNS1123Subdomain)",
    max_length=253,
    chars=LOWER + DIGITS + "-.",
    chars_words="a-z, 0-9, '-' and '.'",
    dotted=True,
)
DNS_1035_LABEL = Rule(
    what="a DNS label (RFC 1035)",
    source=f"{_K8S} pkg/util/validation/validation.go:222-241 (IsDNS1035Label)",
    max_length=63,
    first=LOWER,
    first_words="a lowercase letter",
)
_LABEL_CHARS = LOWER + UPPER + DIGITS + "-_."
_LABEL_NAME = Rule(
    what="a label name",
    source=f"{_K8S} pkg/api/validate/content/kube.go:23-29,43-72 (IsLabelKey: the name part)",
    max_length=63,
    chars=_LABEL_CHARS,
    chars_words="a-z, A-Z, 0-9, '-', '_' and '.'",
    first=LOWER + UPPER + DIGITS,
    first_words="a letter or a digit",
    last=LOWER + UPPER + DIGITS,
    last_words="a letter or a digit",
)
LABEL_KEY = Rule(
    what="a label key",
    source=f"{_K8S} pkg/api/validate/content/kube.go:43-72 (IsLabelKey, alias IsQualifiedName): "
    "an optional DNS-subdomain prefix and '/', then a name of at most 63 characters",
    max_length=253 + 1 + 63,
    prefixed=True,
)
LABEL_VALUE = Rule(
    what="a label value",
    source=f"{_K8S} pkg/api/validate/content/kube.go:74-92 (IsLabelValue): empty, or like a label name",
    max_length=63,
    min_length=0,
    chars=_LABEL_CHARS,
    chars_words=_LABEL_NAME.chars_words,
    first=_LABEL_NAME.first,
    first_words=_LABEL_NAME.first_words,
    last=_LABEL_NAME.last,
    last_words=_LABEL_NAME.last_words,
)
TAINT_EFFECT = Rule(
    what="a taint effect",
    source="kubernetes/kubernetes pkg/apis/core/validation/validation.go (validateTaintEffect, "
    "read at commit 000f26050b9b): NoSchedule, PreferNoSchedule, NoExecute",
    max_length=16,
    one_of=("NoSchedule", "PreferNoSchedule", "NoExecute"),
)

# GKE API, Cluster.name: "can be up to 40 characters ... Lowercase letters, numbers, and hyphens
# only. Must start with a letter. Must end with a number or a letter." (container v1 REST reference,
# as mirrored in the pulumi google-native SDK docs: pub.dev pulumi_google_native container Cluster.name).
GKE_CLUSTER = Rule(
    what="a GKE cluster name",
    source="GKE API container/v1 Cluster.name (up to 40 characters, a-z 0-9 '-', starts with a letter, "
    "ends with a letter or digit)",
    max_length=40,
    first=LOWER,
    first_words="a lowercase letter",
)
GKE_NODE_POOL = Rule(
    what="a GKE node pool name",
    source="UNVERIFIED: no primary source found for GKE NodePool.name; assumed the cluster name's rule "
    "(the pool name becomes the label value cloud.google.com/gke-nodepool and part of instance group names)",
    max_length=40,
    first=LOWER,
    first_words="a lowercase letter",
)
GCP_SERVICE_ACCOUNT_ID = Rule(
    what="a GCP service account id",
    source="pulumi/pulumi-gcp@v10.2.0 sdk/python/pulumi_gcp/serviceaccount/account.py:32-35 "
    "(6-30 characters, RFC 1035: [a-z]([-a-z0-9]*[a-z0-9]) in the IAM API reference)",
    max_length=30,
    min_length=6,
    first=LOWER,
    first_words="a lowercase letter",
)
GCP_PROJECT_ID = Rule(
    what="a GCP project id",
    source="Resource Manager API v3, Project.projectId: \"must be 6 to 30 lowercase ASCII letters, digits, or "
    "hyphens. It must start with a letter. Trailing hyphens are prohibited.\" (cloud.google.com/resource-manager/"
    "reference/rest/v3/projects, read as API reference text, not at a tag)",
    max_length=30,
    min_length=6,
    first=LOWER,
    first_words="a lowercase letter",
)
GCP_REGION = Rule(
    what="a GCP region",
    source="Compute Engine region names (every published region is <area>-<direction><number>, "
    "e.g. us-central1, northamerica-northeast2); a syntax check, not the list of regions",
    max_length=40,
    first=LOWER,
    first_words="a lowercase letter",
    shape=re.compile(r"[a-z]+-[a-z]+[0-9]+"),
    shape_words="a region such as us-central1 or europe-west4",
)
GCP_ZONE = Rule(
    what="a GCP zone",
    source="Compute Engine zone names: <region>-<letter>, e.g. us-central1-a",
    max_length=42,
    first=LOWER,
    first_words="a lowercase letter",
    last=LOWER,
    last_words="the zone's letter",
    shape=re.compile(r"[a-z]+-[a-z]+[0-9]+-[a-z]"),
    shape_words="a zone such as us-central1-a (its region, '-' and a letter)",
)
EKS_CLUSTER = Rule(
    what="an EKS cluster name",
    source="pulumi/pulumi-aws@v7.51.1 sdk/python/pulumi_aws/eks/cluster.py:67 "
    "(1-100 characters, ^[0-9A-Za-z][A-Za-z0-9\\-_]*$; the EKS CreateCluster API says the same)",
    max_length=100,
    chars=LOWER + UPPER + DIGITS + "-_",
    chars_words="a-z, A-Z, 0-9, '-' and '_'",
    first=LOWER + UPPER + DIGITS,
    first_words="a letter or a digit",
    last=LOWER + UPPER + DIGITS + "-_",
    last_words="a letter, digit, '-' or '_'",
)
IAM_ROLE = Rule(
    what="an IAM role name",
    source="AWS IAM API reference, CreateRole/Role RoleName: length 1-64, pattern [\\w+=,.@-]+ "
    "(\\w: ASCII letters, digits and '_')",
    max_length=64,
    chars=LOWER + UPPER + DIGITS + "_+=,.@-",
    chars_words="a-z, A-Z, 0-9 and _ + = , . @ -",
    first=LOWER + UPPER + DIGITS + "_+=,.@-",
    first_words="a letter, digit or one of _ + = , . @ -",
    last=LOWER + UPPER + DIGITS + "_+=,.@-",
    last_words="a letter, digit or one of _ + = , . @ -",
)
HELM_RELEASE = Rule(
    what="a Helm release name",
    source="helm/helm pkg/chartutil/validate_name.go (ValidateReleaseName, read at commit 05b356ac3499): "
    "at most 53 characters (63 less 10 that charts append), DNS-subdomain syntax",
    max_length=53,
    chars=DNS_SUBDOMAIN.chars,
    chars_words=DNS_SUBDOMAIN.chars_words,
    dotted=True,
)
# botocore@1.44.8 botocore/data/endpoints.json, each partition's regionRegex:
#   aws ^(us|eu|ap|sa|ca|me|af|il|mx)\-\w+\-\d+$, aws-cn ^cn\-\w+\-\d+$, aws-us-gov ^us\-gov\-\w+\-\d+$,
#   aws-iso(-b,-e,-f) ^us\-iso\-..., ^us\-isob\-..., ^eu\-isoe\-..., ^us\-isof\-..., aws-eusc ^eusc\-(de)\-\w+\-\d+$
# \w+ is narrowed to [a-z]+: every region botocore lists is spelled that way (a test checks it).
_AWS_REGION = r"(?:us|eu|ap|sa|ca|me|af|il|mx|cn|us-gov|us-iso|us-isob|us-isof|eu-isoe|eusc-de)-[a-z]+-[0-9]+"
AWS_REGION = Rule(
    what="an AWS region",
    source="botocore@1.44.8 botocore/data/endpoints.json (partitions[].regionRegex)",
    max_length=30,
    first=LOWER,
    first_words="a lowercase letter",
    shape=re.compile(_AWS_REGION),
    shape_words="a region such as us-east-1 or eu-west-2",
)
AWS_ZONE = Rule(
    what="an AWS availability zone",
    source="EC2 availability zone names: the region and a letter, e.g. us-east-1a",
    max_length=31,
    first=LOWER,
    first_words="a lowercase letter",
    last=LOWER,
    last_words="the zone's letter",
    shape=re.compile(_AWS_REGION + r"[a-z]"),
    shape_words="a zone such as us-east-1a (its region and a letter)",
)
AWS_LOCAL_ZONE = Rule(
    what="an AWS Local Zone",
    source="EC2 Local Zone names: <region>-<metro>-<number><letter>, e.g. us-west-2-lax-1a; EKS runs "
    "nodes there but not the control plane (EKS user guide, local-zones.html)",
    max_length=40,
    first=LOWER,
    first_words="a lowercase letter",
    last=LOWER,
    last_words="the zone's letter",
    shape=re.compile(_AWS_REGION + r"-[a-z]+-[0-9]+[a-z]"),
    shape_words="a Local Zone such as us-west-2-lax-1a",
)

_STACK_CHARS = LOWER + UPPER + DIGITS + "_.-"
PULUMI_STACK = Rule(
    what="a Pulumi stack name",
    source="pulumi/pulumi@v3.259.0 sdk/go/common/tokens/stack_name.go:51,61-83 (ParseStackName: 1-100 characters "
    "of [A-Za-z0-9_.-])",
    max_length=100,
    chars=_STACK_CHARS,
    chars_words="a-z, A-Z, 0-9, '_', '.' and '-'",
    first=_STACK_CHARS,
    first_words="a letter, digit, '_', '.' or '-'",
    last=_STACK_CHARS,
    last_words="a letter, digit, '_', '.' or '-'",
)

RULES: dict[str, Rule] = {
    "dns-label": DNS_LABEL,
    "dns-subdomain": DNS_SUBDOMAIN,
    "dns-1035-label": DNS_1035_LABEL,
    # kubernetes/apimachinery@v0.36.3 pkg/api/validation/generic.go:69 ValidateNamespaceName = NameIsDNSLabel
    "namespace": DNS_LABEL,
    # kubernetes/kubernetes pkg/apis/core/validation/validation.go ValidateServiceName = NameIsDNS1035Label
    "service-name": DNS_1035_LABEL,
    # most kinds (Pod, Secret, ConfigMap, Deployment...) use NameIsDNSSubdomain, same file
    "object-name": DNS_SUBDOMAIN,
    "label-key": LABEL_KEY,
    "label-value": LABEL_VALUE,
    # a nodeSelector is a label selector: ValidatePodSpec checks it with ValidateLabels
    "node-selector-key": LABEL_KEY,
    "node-selector-value": LABEL_VALUE,
    # validateNodeTaints: the key IsQualifiedName, a non-empty value IsValidLabelValue
    "taint-key": LABEL_KEY,
    "taint-value": LABEL_VALUE,
    "taint-effect": TAINT_EFFECT,
    "helm-release": HELM_RELEASE,
    "gke-cluster": GKE_CLUSTER,
    "gke-node-pool": GKE_NODE_POOL,
    "gcp-service-account-id": GCP_SERVICE_ACCOUNT_ID,
    "gcp-project-id": GCP_PROJECT_ID,
    "gcp-region": GCP_REGION,
    "gcp-zone": GCP_ZONE,
    "eks-cluster": EKS_CLUSTER,
    "iam-role": IAM_ROLE,
    "aws-region": AWS_REGION,
    "aws-zone": AWS_ZONE,
    "aws-local-zone": AWS_LOCAL_ZONE,
    "pulumi-stack": PULUMI_STACK,
}


def check(rule: str, value: str) -> str | None:
    """None if `value` is a valid name under `rule` (a key of RULES), else why not, in one line."""
    return check_rule(RULES[rule], value)


def check_rule(rule: Rule, value: str) -> str | None:
    if rule.one_of:
        if value in rule.one_of:
            return None
        return f"{show_value(value)} is not {rule.what}; valid: {', '.join(rule.one_of)}"
    if rule.prefixed:
        return _qualified(value)
    if len(value) < rule.min_length:
        if rule.min_length == 1:
            return "must not be empty"
        return f"must be at least {rule.min_length} characters (it has {len(value)})"
    if len(value) > rule.max_length:
        return f"must be at most {rule.max_length} characters (it has {len(value)})"
    if not value:
        return None
    for position, char in enumerate(value, 1):
        if char not in rule.chars:
            lowercase_only = char in UPPER and char.lower() in rule.chars
            use = f"lowercase only: {rule.chars_words}" if lowercase_only else rule.chars_words
            return f"{_show_char(char)} at position {position} is not allowed; use {use}"
    for part in value.split(".") if rule.dotted else [value]:
        if not part:
            return "has an empty part between dots; each part between dots needs at least one character"
        if part[0] not in rule.first:
            return f"must start with {rule.first_words}{_each_part(rule)}, not {_show_char(part[0])}"
        if part[-1] not in rule.last:
            return f"must end with {rule.last_words}{_each_part(rule)}, not {_show_char(part[-1])}"
    if rule.shape is not None and not rule.shape.fullmatch(value):
        return f"is not {rule.shape_words}"
    return None


def _qualified(value: str) -> str | None:
    """A label key (a qualified name): [prefix '/'] name, as IsLabelKey splits it."""
    parts = value.split("/")
    if len(parts) > 2:
        return "has more than one '/'; write an optional prefix, '/', then a name, e.g. example.com/gpu"
    if len(parts) == 2:
        prefix, name = parts
        if not prefix:
            return "has an empty prefix before '/'; write a DNS subdomain such as example.com, or drop the '/'"
        problem = check_rule(DNS_SUBDOMAIN, prefix)
        if problem:
            return f"prefix {show_value(prefix)}: {problem}"
    else:
        name = value
    problem = check_rule(_LABEL_NAME, name)
    if problem:
        return f"name part {show_value(name)}: {problem}" if len(parts) == 2 else problem
    return None


def _each_part(rule: Rule) -> str:
    return " (each part between dots)" if rule.dotted else ""


def _show_char(char: str) -> str:
    if char == " ":
        return "a space"
    if " " < char <= "~":
        return f"'{char}'"
    if char >= "\x80":
        return f"U+{ord(char):04X} (not ASCII)"
    return f"control character U+{ord(char):04X}"


def show_value(value: str) -> str:
    """A user's name inside a message: ASCII, quoted, cut to 40 characters."""
    shown = value if len(value) <= 40 else value[:37] + "..."
    return ascii(shown)
