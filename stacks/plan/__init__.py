"""The offline plan: run the real program under Pulumi's mock engine and check what it would send.

`engine` runs it and records every registration; `render` writes plan.json and the manifests;
`validate` checks the manifests against the pinned schemas; `summary` says what will be created;
`cli` is `python -m stacks plan`.
"""
