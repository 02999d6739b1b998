"""`python -m components plan|diff|doctor`."""

import sys

from components.cli import main

sys.exit(main(sys.argv[1:]))
