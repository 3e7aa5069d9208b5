"""`python -m stacks plan <stack | path> [--out DIR]`: the offline plan of a stack.

Exit status: 0 planned, 2 invalid configuration (problems on stderr), 1 anything else (an invalid
manifest, or a workload Kueue would not admit or no pool could hold: one line each on stdout).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[2]


def _stack_path(stack: str) -> Path:
    path = Path(stack)
    if path.suffix in (".yaml", ".yml") or path.exists():
        return path
    return PROJECT_DIR / f"Pulumi.{stack}.yaml"


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["schemas"]:
        from . import schemas

        return schemas.main(argv[1:])
    parser = argparse.ArgumentParser(prog="python -m stacks", description="inferfleet stack tools")
    commands = parser.add_subparsers(dest="command", required=True)
    plan_cmd = commands.add_parser("plan", help="render what `pulumi up` would send, without a cloud")
    plan_cmd.add_argument("stack", help="stack name (reads Pulumi.<stack>.yaml) or a stack file path")
    plan_cmd.add_argument("--out", type=Path, help="write plan.json and manifests/ here")
    plan_cmd.add_argument("--no-validate", action="store_true", help="skip schema validation and the behaviour check of the manifests")
    plan_cmd.add_argument("--preflight", action="store_true", help="ask the cloud about capacity (needs credentials)")
    commands.add_parser("schemas", help="download the pinned CRDs and chart values: schemas fetch | schemas lock --from DIR")
    args = parser.parse_args(argv)

    from components.core.problems import ConfigError

    from ..load import StackFileError, project_name, read_stack_file

    try:
        project = project_name(PROJECT_DIR)
        stack_file = read_stack_file(_stack_path(args.stack), project)  # before Pulumi's imports: a bad file fails at once
        from . import behaviour, chart_values, engine, render, summary, validate

        result = engine.run_stack_file(project, stack_file, preflight=args.preflight)
    except ConfigError as e:
        print(f"{args.stack}: invalid stack configuration", file=sys.stderr)
        print(e.report(), file=sys.stderr)
        return 2
    except StackFileError as e:
        print(str(e), file=sys.stderr)
        return 2
    print(summary.summary(result))
    status = 0
    if not args.no_validate:
        report = validate.validate_all(render.manifests(result), result.loaded.platform.pins)
        # A value key the chart does not read fails the plan like an invalid manifest.
        report.charts, chart_problems = chart_values.check_plan(result, validate.schemas_root() / "charts")
        report.errors += chart_problems
        print("")
        print(report.summary())
        # Valid objects can still never run: prove each workload is admitted by Kueue and placed.
        behaved = behaviour.check(result)
        print("")
        print(behaved.summary())
        status = 0 if report.ok and behaved.ok else 1
    if args.out:
        render.write(result, args.out)
        print(f"\nwrote {args.out / 'plan.json'} and {args.out / 'manifests'}/")
    return status


