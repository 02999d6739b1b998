"""The error a component raises for invalid arguments (Pulumi prints its message, not a traceback)."""

import pulumi

from components.core.model import InvalidInput


class InvalidArguments(InvalidInput, pulumi.RunError):
    """A component was given invalid arguments: every problem, one per line."""
