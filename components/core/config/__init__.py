"""Stack configuration → Settings (pure): one module per block, `parse` for the rules across blocks."""

from components.core.config.parse import parse_settings

__all__ = ["parse_settings"]
