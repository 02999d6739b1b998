"""The Pulumi program: stack config → settings → build → exports (all in components.program)."""

from components.program import main

main()
