"""inferfleet: `pulumi up` entry point. See README.md; the program lives in stacks/program.py."""

from stacks.program import main

main()
