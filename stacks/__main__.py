"""`python -m stacks plan <stack | path> [--out DIR]`: see `stacks.plan.cli`."""

import sys

from stacks.plan.cli import main

sys.exit(main())
