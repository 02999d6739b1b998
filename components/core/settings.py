"""A stack's config → Settings (pure): read by `config/`, then held to IAM's size quotas, which the plan
measures (the reader itself does not depend on the planner)."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from components.core import account_quotas
from components.core.config.parse import read_settings
from components.core.model import InvalidInput, Settings
from components.core.quotas import size_report


def parse_settings(config: Mapping[str, Any], stack: str, platform: str | None = None) -> Settings:
    """Validate a stack's config map (keys like `irsa:cluster`); raise ConfigError listing every problem, those
    of IAM's size quotas included. `platform`: the platform stack its clusters and defaults came from."""
    settings = read_settings(config, stack, platform)
    size_problems, size_warnings = size_report(settings)
    own = account_quotas.report(settings, [account_quotas.usage_of(settings, f"stack {stack}")])
    settings = dataclasses.replace(settings, warnings=settings.warnings + tuple(size_warnings))
    if size_problems or own[0]:
        raise InvalidInput(size_problems + own[0])
    return settings
