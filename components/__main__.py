"""`python -m components plan|diff|doctor`."""

import os
import sys

from components.cli.main import main

code = main(sys.argv[1:])
try:
    sys.stdout.flush()
    sys.stderr.flush()
except BrokenPipeError:  # e.g. `plan | head`: the reader has what it wanted
    pass
# Exit without interpreter finalization: the mock engine leaves asyncio loops in Pulumi's worker
# threads that, collected at shutdown, print "Exception ignored ... Invalid file descriptor"
# tracebacks; nothing is left to clean up once the answer is written.
os._exit(code)
