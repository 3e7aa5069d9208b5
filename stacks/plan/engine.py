"""The offline plan: run the real program under Pulumi's mock engine and record what it sends.

Nothing here calls a cloud or a registry. Every registration is captured as `pulumi up` would
send it to the engine (type, name, parent, provider, inputs, dependencies); secrets are masked.
"""

from __future__ import annotations

import base64
import contextvars
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping, Optional, Sequence

import pulumi
from pulumi.runtime import mocks, rpc
from pulumi.runtime.stack import run_pulumi_func
from pulumi.runtime.sync_await import _sync_await

from components.core.problems import ConfigError

from .. import program
from ..load import StackFile, project_name, read_stack_file

SECRET_MASK = "[secret]"
STACK_TYPE = "pulumi:pulumi:Stack"
FAKE_ACCOUNT = "123456789012"


@dataclass(frozen=True)
class Registered:
    urn: str
    type: str
    name: str
    parent: str | None
    custom: bool
    provider: str | None
    protect: bool
    inputs: dict[str, Any]
    """As sent, with secrets still wrapped (see `masked`)."""
    dependencies: tuple[str, ...]
    explicit_dependencies: tuple[str, ...]
    """The `depends_on` edges: dependencies no input value and no provider accounts for."""

    def to_json(self) -> dict[str, Any]:
        return {
            "urn": self.urn,
            "type": self.type,
            "name": self.name,
            "parent": self.parent,
            "custom": self.custom,
            "provider": self.provider,
            "protect": self.protect,
            "inputs": masked(self.inputs),
            "dependencies": list(self.dependencies),
        }


def masked(value: Any, secret: bool = False) -> Any:
    """JSON-ready inputs: secret values masked (keeping their shape), whole floats back to ints,
    resources as URNs."""
    if rpc.is_rpc_secret(value):
        return masked(value["value"], True)
    if isinstance(value, dict):
        return {k: masked(v, secret) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [masked(v, secret) for v in value]
    if secret:
        return SECRET_MASK
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, pulumi.Resource):
        return _sync_await(value.urn.future())
    return value


class PlanMonitor(mocks.MockMonitor):
    """The mock engine, keeping every registration request and naming resources as the engine does."""

    def __init__(self, mock: mocks.Mocks):
        super().__init__(mock)
        self.registered: dict[str, Registered] = {}
        self._lock = threading.Lock()

    def make_urn(self, parent: str, type_: str, name: str) -> str:
        # The engine qualifies a type with its parent's type chain, leaving out the root stack.
        if parent:
            parent_type = parent.split("::")[2]
            if parent_type != STACK_TYPE:
                type_ = f"{parent_type}${type_}"
        return "urn:pulumi:" + "::".join([pulumi.get_stack(), pulumi.get_project(), type_, name])

    def RegisterResource(self, request: Any) -> Any:
        response = super().RegisterResource(request)
        provider = request.provider.rsplit("::", 1)[0] if request.provider else None
        deps = set(request.dependencies)
        from_values = {urn for prop in request.propertyDependencies.values() for urn in prop.urns}
        if provider:
            deps.add(provider)
        record = Registered(
            urn=response.urn,
            type=request.type,
            name=request.name,
            parent=request.parent or None,
            custom=bool(request.custom),
            provider=provider,
            protect=bool(request.protect),
            inputs=rpc.deserialize_properties(request.object),
            dependencies=tuple(sorted(deps)),
            explicit_dependencies=tuple(sorted(set(request.dependencies) - from_values)),
        )
        with self._lock:
            self.registered[record.urn] = record
        return response


def _fake_outputs(type_: str, name: str, inputs: dict[str, Any]) -> dict[str, Any]:
    """Outputs the providers would compute, for the types whose outputs the program reads."""
    out = dict(inputs)
    if type_.startswith("aws:"):
        service = type_.split(":")[1].split("/")[0]
        out.setdefault("arn", f"arn:aws:{service}:us-east-1:{FAKE_ACCOUNT}:{name}")
    if type_ == "gcp:container/cluster:Cluster":
        out.update(endpoint="203.0.113.10", masterAuth={"clusterCaCertificate": base64.b64encode(b"fake-ca").decode()})
        if "controlPlaneEndpointsConfig" in inputs:
            dns = {**inputs["controlPlaneEndpointsConfig"].get("dnsEndpointConfig", {}), "endpoint": f"gke-{name}.us-central1.gke.goog"}
            out["controlPlaneEndpointsConfig"] = {**inputs["controlPlaneEndpointsConfig"], "dnsEndpointConfig": dns}
    elif type_ == "gcp:serviceaccount/account:Account":
        out["email"] = f"{inputs.get('accountId', name)}@{inputs.get('project', 'project')}.iam.gserviceaccount.com"
    elif type_ == "aws:eks/cluster:Cluster":
        out.update(
            endpoint=f"https://{name}.gr7.us-east-1.eks.amazonaws.com",
            certificateAuthority={"data": base64.b64encode(b"fake-ca").decode()},
            identities=[{"oidcs": [{"issuer": f"https://oidc.eks.us-east-1.amazonaws.com/id/{name}"}]}],
            clusterSecurityGroupId=f"sg-{name}",
            vpcConfig={**inputs.get("vpcConfig", {}), "clusterSecurityGroupId": f"sg-{name}"},
        )
    elif type_ == "aws:eks/nodeGroup:NodeGroup":
        out["resources"] = [{"autoscalingGroups": [{"name": f"eks-{name}"}]}]
    elif type_ == "aws:ec2/launchTemplate:LaunchTemplate":
        out.update(latestVersion=1, defaultVersion=1)
    elif type_ == "aws:iam/role:Role":
        out.setdefault("name", name)  # auto-named by the engine; the attachments refer to it
    return out


FAKE_CALLS: dict[str, Any] = {
    "aws:index/getCallerIdentity:getCallerIdentity": {
        "accountId": FAKE_ACCOUNT, "arn": f"arn:aws:iam::{FAKE_ACCOUNT}:user/plan", "userId": "plan"
    },
    "aws:index/getPartition:getPartition": {"partition": "aws", "dnsSuffix": "amazonaws.com", "id": "aws"},
    # An existing subnet's zone: the plan places subnet-...x in us-east-1x.
    # The newest node AMI release of a Kubernetes minor (a Bottlerocket parameter names Bottlerocket's).
    "aws:ssm/getParameter:getParameter": lambda args: {
        "name": args["name"], "type": "String", "value": "1.50.0" if "bottlerocket" in args["name"] else "1.34.2-20251120"
    },
    "aws:ec2/getSubnet:getSubnet": lambda args: {"id": args["id"], "availabilityZone": f"us-east-1{args['id'][-1]}"},
}


class PlanMocks(mocks.Mocks):
    def new_resource(self, args: mocks.MockResourceArgs) -> tuple[Optional[str], dict[str, Any]]:
        # Subnet ids carry EC2's prefix: Karpenter's EC2NodeClass schema checks it (pattern subnet-[0-9a-z]+).
        prefix = "subnet-" if args.typ == "aws:ec2/subnet:Subnet" else ""
        return f"{prefix}{args.name}-id", _fake_outputs(args.typ, args.name, args.inputs)

    def call(self, args: mocks.MockCallArgs) -> tuple[dict[str, Any], Optional[list[tuple[str, str]]]]:
        # An invoke the plan does not know would get an answer no cloud gives; stop instead.
        if args.token not in FAKE_CALLS:
            raise UnknownInvoke(f"the offline plan has no answer for the invoke {args.token}; add one to FAKE_CALLS")
        # An empty list, not None: the mock engine iterates over the failures it is given.
        answer = FAKE_CALLS[args.token]
        return dict(answer(args.args) if callable(answer) else answer), []


class UnknownInvoke(RuntimeError):
    """The program called a data source the offline plan cannot answer."""


@dataclass
class Plan:
    project: str
    stack: str
    loaded: program.LoadedStack
    resources: list[Registered] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"project": self.project, "stack": self.stack, "resources": [r.to_json() for r in self.resources]}


def run(stack_path: Path, project_dir: Path, *, preflight: bool = False) -> Plan:
    """Plan one stack file. Raises ConfigError for an invalid stack, StackFileError for an unreadable one.

    `preflight` asks the cloud about capacity even if the stack does not say `preflight.inPlan`.
    """
    project = project_name(project_dir)
    return run_stack_file(project, read_stack_file(stack_path, project), preflight=preflight)


def run_stack_file(project: str, stack_file: StackFile, *, preflight: bool = False) -> Plan:
    """Plan a stack file already read (the CLI reads it before importing Pulumi, so a bad file fails at once)."""
    result = run_config(project, stack_file.stack, stack_file.config, stack_file.secret_keys, preflight=preflight)
    result.warnings.extend(
        f"the stack file's environment: imports {env} (Pulumi ESC), which the offline plan cannot resolve; "
        "config it provides is missing here" for env in stack_file.unresolved_environments
    )
    return result


def run_config(
    project: str, stack: str, config: Mapping[str, str], secret_keys: Sequence[str], *, preflight: bool = False
) -> Plan:
    """Plan from config as Pulumi hands it to a program (`ns:key` to text; objects as JSON)."""
    # A fresh context: no root stack or config left over from an earlier plan in this process.
    return contextvars.Context().run(_run, project, stack, dict(config), list(secret_keys), preflight)


def _run(project: str, stack: str, config: dict[str, str], secret_keys: list[str], preflight: bool) -> Plan:
    pulumi.runtime.set_all_config(config, secret_keys)
    monitor = PlanMonitor(PlanMocks())
    mocks.set_mocks(monitor.mocks, project=project, stack=stack, preview=False, monitor=monitor)
    loaded = program.load(project, stack)
    problems, warnings = program.preflight(loaded, offline=True, forced=preflight)
    if problems:
        raise ConfigError(problems)
    _execute(lambda: program.build(loaded))
    return Plan(project, stack, loaded, sorted(monitor.registered.values(), key=lambda r: r.urn), warnings)


def _execute(fn: Callable[[], None]) -> None:
    _sync_await(run_pulumi_func(fn))
