"""`python -m benchmarks` (and `make bench`): run the suite, write results.json, print the table."""

import sys

from benchmarks.suite import main

sys.exit(main())
