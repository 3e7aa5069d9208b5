"""Compare two offline plans (plan.json) resource by resource, ignoring the parent-type chain of URNs.

    python tools/plan_diff.py BEFORE/plan.json AFTER/plan.json [--rename OLD=NEW ...]

A refactor that moves code between components changes each URN's type chain
(`inferfleet:index:Operations$kubernetes:...`) but should change no logical name, type or input.
This prints the resources only one side has, and for the others every input, dependency,
provider or protect flag that differs. `--rename` maps a logical name that was changed on purpose.
Exit status: 0 identical, 1 differences.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any


def _key(urn: str) -> str:
    """`type::name` with only the resource's own type (the last link of the chain)."""
    _, _, chain, name = urn.split("::", 3)
    return f"{chain.rsplit('$', 1)[-1]}::{name}"


def _flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for k, v in value.items():
            out.update(_flatten(v, f"{prefix}.{k}" if prefix else str(k)))
        return out or {prefix: {}}
    if isinstance(value, list):
        out = {}
        for i, v in enumerate(value):
            out.update(_flatten(v, f"{prefix}[{i}]"))
        return out or {prefix: []}
    return {prefix: value}


def _load(path: Path, renames: dict[str, str]) -> dict[str, dict[str, Any]]:
    def rename(key: str) -> str:
        typ, _, name = key.partition("::")
        return f"{typ}::{renames.get(name, name)}"

    resources = {}
    for r in json.loads(path.read_text())["resources"]:
        resources[rename(_key(r["urn"]))] = {
            "inputs": _flatten(r["inputs"]),
            "dependencies": sorted(rename(_key(d)) for d in r["dependencies"]),
            "provider": rename(_key(r["provider"])) if r["provider"] else None,
            "protect": r["protect"],
        }
    return resources


def diff(before: Path, after: Path, renames: dict[str, str]) -> list[str]:
    old, new = _load(before, renames), _load(after, renames)
    lines = [f"- {k}" for k in sorted(old.keys() - new.keys())] + [f"+ {k}" for k in sorted(new.keys() - old.keys())]
    for key in sorted(old.keys() & new.keys()):
        a, b = old[key], new[key]
        for path in sorted(a["inputs"].keys() | b["inputs"].keys()):
            if a["inputs"].get(path, "<absent>") != b["inputs"].get(path, "<absent>"):
                lines.append(f"~ {key} {path}: {a['inputs'].get(path, '<absent>')!r} -> {b['inputs'].get(path, '<absent>')!r}")
        for field in ("dependencies", "provider", "protect"):
            if a[field] != b[field]:
                lines.append(f"~ {key} {field}: {a[field]!r} -> {b[field]!r}")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    parser.add_argument("--rename", action="append", default=[], metavar="OLD=NEW")
    args = parser.parse_args(argv)
    renames = dict(r.split("=", 1) for r in args.rename)
    lines = diff(args.before, args.after, renames)
    print("\n".join(lines) if lines else "identical (ignoring the parent-type chain of URNs)")
    return 1 if lines else 0


if __name__ == "__main__":
    sys.exit(main())
