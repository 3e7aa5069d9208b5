"""Check every Helm chart's values against that chart's pinned defaults.

Helm silently ignores a value the chart's templates never read, so a misspelt or outdated key
is a no-op nobody sees. Every key path the program sets must therefore exist in the chart's
default `values.yaml`, or sit under a map or list that is empty (free-form) there; where the
chart ships `values.schema.json`, the values Helm would render with (defaults coalesced with
the program's) must also pass it. Subcharts' values nest under their names (or aliases).

The defaults come from `<schemas root>/charts/<chart name>-<version>/`, the folder the CRD
schemas sit beside (see `validate.schemas_root`). A chart with no pinned defaults is an error,
never skipped, as is a key under a subchart whose defaults are not pinned.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterator, Mapping

import jsonschema
import yaml

from components.core.versions import HelmChart

from .engine import Plan, masked
from .schemas import FETCH_COMMAND
from .summary import HELM_CHART
from .validate import SCHEMAS_ENV

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_SHOWN_KEYS = 10
"""How many of the valid sibling keys an unknown-key message lists."""


@dataclass(frozen=True)
class ChartDefaults:
    """A pinned chart's default values, with its subcharts' nested under their keys as Helm coalesces them."""

    folder: Path
    values: Mapping[str, Any]
    schema: Mapping[str, Any] | None
    subcharts: Mapping[str, "ChartDefaults | None"]
    """By key; None for a dependency whose defaults are not pinned."""
    subchart_folders: Mapping[str, Path]
    """By key: where each dependency's files are (or would be)."""


def _deep_merge(base: Mapping[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    """`over` on `base` as Helm coalesces values: maps merge, anything else replaces, None deletes
    (helm@v3.19.5 pkg/chartutil/coalesce.go:285-296)."""
    out = copy.deepcopy(dict(base))
    for key, value in over.items():
        if value is None:
            out.pop(key, None)
        elif isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = _deep_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def _read_yaml(path: Path) -> Any:
    return yaml.load(path.read_text(), Loader=_LOADER)


@lru_cache(maxsize=32)
def load_defaults(folder: Path) -> ChartDefaults | None:
    """The chart in `folder` (None without a `values.yaml`), subcharts' defaults merged in place."""
    if not (folder / "values.yaml").is_file():
        return None
    values = _read_yaml(folder / "values.yaml") or {}
    schema_file = folder / "values.schema.json"
    schema = json.loads(schema_file.read_text()) if schema_file.is_file() else None
    chart_file = folder / "Chart.yaml"
    dependencies = (_read_yaml(chart_file) or {}).get("dependencies") or [] if chart_file.is_file() else []
    subcharts: dict[str, ChartDefaults | None] = {}
    folders: dict[str, Path] = {}
    for dep in dependencies:
        # Values nest under the alias, else the name; the files sit in charts/<name>/ as Helm
        # lays out a packaged chart.
        key = dep.get("alias") or dep["name"]
        folders[key] = folder / "charts" / dep["name"]
        loaded = load_defaults(folders[key])
        subcharts[key] = loaded
        if loaded is not None:
            # A subchart's defaults are overridden by the parent's block under its key, and the
            # globals are shared (helm@v3.19.5 pkg/chartutil/coalesce.go:105-126).
            block = values.get(key)
            parent_block: Mapping[str, Any] = block if isinstance(block, Mapping) else {}
            values[key] = _deep_merge(loaded.values, parent_block)
            values["global"] = _deep_merge(loaded.values.get("global") or {}, values.get("global") or {})
    return ChartDefaults(folder, values, schema, subcharts, folders)


def _is_free_form(default: Any) -> bool:
    return default is None or default == {} or default == []


def _schema_node(schema: Mapping[str, Any], root: Mapping[str, Any]) -> Mapping[str, Any]:
    """`schema` with its local `$ref` followed (cert-manager's schema is all `#/$defs/...` refs)."""
    while isinstance(schema, Mapping) and isinstance(schema.get("$ref"), str) and schema["$ref"].startswith("#/"):
        node: Any = root
        for part in schema["$ref"][2:].split("/"):
            node = node[part]
        schema = node
    return schema


def _schema_child(schema: Mapping[str, Any] | None, key: str, root: Mapping[str, Any]) -> tuple[Mapping[str, Any] | None, bool]:
    """The schema of `key` under `schema`, and whether that schema admits `key`: it declares it
    (charts document keys there that `values.yaml` leaves commented out) or allows extra keys."""
    if schema is None:
        return None, False
    node = _schema_node(schema, root)
    properties = node.get("properties") or {}
    if key in properties:
        return _schema_node(properties[key], root), True
    # Only an explicit allowance counts: a schema that lists properties and says nothing more
    # documents the chart's keys, it does not invite others.
    extra = node.get("additionalProperties")
    return None, extra is True or isinstance(extra, Mapping) or (not properties and node.get("type") == "object")


def unknown_keys(
    values: Mapping[str, Any],
    defaults: Mapping[str, Any],
    schema: Mapping[str, Any] | None = None,
    root: Mapping[str, Any] | None = None,
    path: str = "",
) -> Iterator[tuple[str, list[str]]]:
    """Each key path in `values` the defaults do not have, with the keys valid at that level.

    `schema` is the chart's values schema at this level (`root` the whole schema, for `$ref`s): a
    key the defaults lack but the schema admits is not unknown (the schema then checks its value).
    """
    root = root if root is not None else schema or {}
    for key, value in values.items():
        here = f"{path}.{key}" if path else key
        child_schema, schema_allows = _schema_child(schema, key, root)
        if key not in defaults:
            if not schema_allows:
                yield here, sorted(str(k) for k in defaults)
            continue
        default = defaults[key]
        if isinstance(value, Mapping) and isinstance(default, Mapping) and not _is_free_form(default):
            yield from unknown_keys(value, default, child_schema, root, here)


def _schema_errors(schema: Mapping[str, Any], coalesced: Mapping[str, Any], prefix: str) -> list[str]:
    # Helm compiles the schema with santhosh-tekuri/jsonschema v6, whose default draft is 2020-12
    # (helm@v3.19.5 pkg/chartutil/jsonschema.go:114-150); a chart's `$schema` overrides it.
    cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft202012Validator)
    return [
        f"'{(prefix + '.'.join(str(p) for p in e.absolute_path)).rstrip('.') or '(root)'}': {e.message} (values.schema.json)"
        for e in sorted(cls(schema).iter_errors(coalesced), key=lambda e: list(map(str, e.absolute_path)))
    ]


def _check(values: Mapping[str, Any], chart: ChartDefaults) -> list[str]:
    """Problems with the program's `values` for `chart`, as `'<path>': <what>` lines."""
    problems: list[str] = []
    unpinned = {key for key, sub in chart.subcharts.items() if sub is None}
    for key in sorted(unpinned):
        if values.get(key):
            problems.append(
                f"'{key}' configures the subchart {key}, whose default values are not pinned in "
                f"{chart.subchart_folders[key]}; pin them (run `{FETCH_COMMAND}`) or drop these values"
            )
    for path, valid in unknown_keys(values, chart.values, chart.schema):
        if path.split(".")[0] in unpinned:
            continue
        shown = ", ".join(valid[:_SHOWN_KEYS]) + (", ..." if len(valid) > _SHOWN_KEYS else "")
        problems.append(f"'{path}' is not a value of this chart; valid here: {shown or '(no keys)'}")
    coalesced = _deep_merge(chart.values, values)
    if chart.schema is not None:
        problems += _schema_errors(chart.schema, coalesced, "")
    for key, sub in chart.subcharts.items():
        if sub is not None and sub.schema is not None and isinstance(coalesced.get(key), Mapping):
            # Helm validates each subchart's values against the subchart's own schema
            # (helm@v3.19.5 pkg/chartutil/jsonschema.go:86-103).
            problems += _schema_errors(sub.schema, coalesced[key], f"{key}.")
    return problems


def check_chart(pinned: HelmChart, values: Mapping[str, Any], charts_root: Path) -> list[str]:
    """Problems with the values the program gives one pinned chart; [] when Helm would read every key."""
    folder = charts_root / pinned.values_folder
    defaults = load_defaults(folder)
    if defaults is None:
        return [f"no pinned default values in {folder}; run `{FETCH_COMMAND}` or point {SCHEMAS_ENV} at a copy"]
    return _check(values, defaults)


def check_plan(plan: Plan, charts_root: Path) -> tuple[int, list[str]]:
    """(charts checked, one line per problem) for every Helm chart the plan registers."""
    charts = [r for r in plan.resources if r.type == HELM_CHART]
    problems = []
    for r in charts:
        inputs = masked(r.inputs)
        pinned = HelmChart(inputs["chart"], inputs["version"])
        where = f"helm values for {inputs.get('name') or r.name} ({pinned.chart}@{pinned.version})"
        problems += [f"{where}: {p}" for p in check_chart(pinned, inputs.get("values") or {}, charts_root)]
    return len(charts), problems
