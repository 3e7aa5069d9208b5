"""Load the stack: from Pulumi's runtime config in `pulumi up`, from a stack file in the plan.

Both paths end in `parse`, which turns raw `inferfleet:*` values into a `StackSpec` and
reports every problem at once.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from pydantic import ValidationError

from components.core import names
from components.core.problems import NAMESPACE, ConfigError, Problem, problems_from_validation
from .schema import SECRET_KEYS, StackSpec
from .stackfile import StackFileError, read_with_lines

__all__ = ["StackFileError", "project_name", "read_stack_file", "parse", "from_pulumi_runtime", "RawConfig", "mask_secure"]

SECRET_PLACEHOLDER = "[secret]"
"""Stands in for a `secure:` value the offline plan cannot decrypt; it stays marked secret."""


@dataclass(frozen=True)
class RawConfig:
    """The `inferfleet:*` config of one stack: values by key (no namespace), and which are secret."""

    values: Mapping[str, Any]
    secret_keys: frozenset[str]


def _spelling(key: str) -> str:
    """A key with case, '_' and '-' ignored: `hf_token`, `HF-TOKEN` and `hfToken` are one spelling."""
    return key.replace("_", "").replace("-", "").lower()


_SECRET_SPELLINGS = {_spelling(key): key for key in SECRET_KEYS}


def parse(raw: RawConfig) -> StackSpec:
    problems: list[Problem] = []
    values = dict(raw.values)
    for key in raw.values:
        secret_key = _SECRET_SPELLINGS.get(_spelling(key))
        if secret_key is None or key in raw.secret_keys:
            continue  # a secret under another spelling is an unknown key, with "did you mean", below
        command = f"pulumi config set --secret {NAMESPACE}:{secret_key} <value>"
        if key == secret_key:
            problems.append(Problem(key, f"must be stored as a secret; set it with: {command}"))
        else:
            # Plaintext under another spelling: the secret line alone, and the value kept out of validation.
            del values[key]
            problems.append(Problem(key, f"is a secret in plaintext, under another spelling of {secret_key}; "
                                         f"remove it and set it with: {command}"))
    try:
        spec = StackSpec.model_validate(values)
    except ValidationError as e:
        problems.extend(problems_from_validation(StackSpec, e))
        raise ConfigError(sorted(set(problems))) from None
    if problems:
        raise ConfigError(problems)
    return spec


def from_pulumi_runtime() -> RawConfig:
    """The config Pulumi hands a program: strings, with objects and lists as JSON."""
    import pulumi.runtime.config as rc

    prefix = f"{NAMESPACE}:"
    every = {*rc.CONFIG.get(), *rc.get_config_env()}
    misspelt = sorted(k for k in every if ":" in k and _near_miss(k.split(":", 1)[0]))
    if misspelt:
        raise ConfigError(
            Problem(k.split(":", 1)[1], f"is set under the namespace '{k.split(':', 1)[0]}'; did you mean '{NAMESPACE}:"
                    f"{k.split(':', 1)[1]}'?") for k in misspelt
        )
    keys = {k for k in every if k.startswith(prefix)}
    secret = set(rc.get_config_secret_keys_env()) | {k for k in keys if rc.is_config_secret(k)}
    values = {}
    for full in keys:
        key = full[len(prefix):]
        value = rc.get_config(full)
        values[key] = value if key in SECRET_KEYS else _decode(value)  # a JSON kubeconfig stays text
    return RawConfig(values, frozenset(k[len(prefix):] for k in keys & secret))


def _decode(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in ("{", "["):
        try:
            return json.loads(value)
        except (ValueError, RecursionError):
            # Not JSON (JSONDecodeError), an integer of 4300+ digits, or nesting past Python's stack:
            # left as text, which the schema refuses where it wants a mapping or a list.
            return value
    return value


@dataclass(frozen=True)
class StackFile:
    """A `Pulumi.<stack>.yaml` as Pulumi would pass it to the program."""

    stack: str
    config: Mapping[str, str]
    """Full keys (`ns:key`) to values as Pulumi passes them: strings, objects as JSON."""
    secret_keys: tuple[str, ...]
    unresolved_environments: tuple[str, ...]


def project_name(project_dir: Path) -> str:
    """The project's name, from its Pulumi.yaml (the project's own file, not user input to the plan)."""
    import yaml

    return str(yaml.safe_load((project_dir / "Pulumi.yaml").read_text())["name"])


def read_stack_file(path: Path, project: str) -> StackFile:
    """The stack file as Pulumi would pass it to the program; a StackFileError names what is wrong."""
    document, lines = read_with_lines(path)
    config = document.get("config") or {}
    values: dict[str, str] = {}
    secret: list[str] = []
    for key, value in config.items():
        full = _config_key(path, lines.get(key, 1), key, project)
        masked, is_secret = mask_secure(value)
        values[full] = _config_string(masked)
        if is_secret:
            secret.append(full)
    stack = path.name.removeprefix("Pulumi.").removesuffix(".yaml").removesuffix(".yml")
    problem = names.check("pulumi-stack", stack)
    if problem:  # Pulumi would not select this stack, and the names derived from it would be wrong
        raise StackFileError(f"{path}: the stack name {names.show_value(stack)}, from the file name, is not a Pulumi "
                             f"stack name: {problem}; name the file Pulumi.<stack>.yaml with a valid stack name")
    return StackFile(stack, values, tuple(sorted(secret)), _environments(document.get("environment")))


def _config_key(path: Path, line: int, key: str, project: str) -> str:
    """`ns:name` as Pulumi parses a config key (pulumi/pulumi@v3.259.0 sdk/go/common/resource/config/key.go:45-69:
    one ':', or the old `ns:config:name`; anything else fails `pulumi up`, map.go:318-322)."""
    parts = key.split(":")
    if len(parts) == 3 and parts[1] == "config":
        parts = [parts[0], parts[2]]
    if len(parts) != 2 or not all(parts):
        raise StackFileError(
            f"{path}:{line}: config.{key}: not a Pulumi config key; write <namespace>:<name>, e.g. {NAMESPACE}:cluster"
        )
    namespace, name = parts
    if namespace != project and _near_miss(namespace):
        # A key in a misspelt namespace is silently another program's config; say which was meant.
        raise StackFileError(
            f"{path}:{line}: config.{key}: unknown namespace '{namespace}'; did you mean '{NAMESPACE}:{name}'?"
        )
    return f"{namespace}:{name}"


def _near_miss(namespace: str) -> bool:
    """A namespace one or two letters away from ours (`inferfeet`): a typo, not another program's config."""
    return namespace != NAMESPACE and bool(difflib.get_close_matches(namespace, [NAMESPACE], n=1, cutoff=0.75))


def _environments(value: Any) -> tuple[str, ...]:
    """What the plan cannot resolve: the ESC environments a stack imports (a list, or `imports:` of a definition)."""
    if isinstance(value, dict):
        imports = value.get("imports")
        names = [str(i) for i in imports] if isinstance(imports, list) else []
        return tuple(f"'{n}'" for n in names) or ("an inline environment definition",)
    return tuple(f"'{n}'" for n in value or ())


def mask_secure(value: Any) -> tuple[Any, bool]:
    """Replace `{secure: ...}` ciphertexts with a placeholder; report whether any was found."""
    if isinstance(value, dict):
        if set(value) == {"secure"}:
            return SECRET_PLACEHOLDER, True
        found = False
        out = {}
        for k, v in value.items():
            out[k], inner = mask_secure(v)
            found = found or inner
        return out, found
    if isinstance(value, list):
        items = [mask_secure(v) for v in value]
        return [v for v, _ in items], any(s for _, s in items)
    return value, False


def _config_string(value: Any) -> str:
    """How Pulumi passes a config value to a program: scalars as text, the rest as JSON."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    return json.dumps(value)
