"""How far an IAM pattern reaches, by IAM's own matching rules (pure, standard library only).

IAM matches Action and Resource values as globs: `*` is any run of characters, `?` any one character,
and action names are case-insensitive (the IAM user guide, "IAM JSON policy elements: Action" and
"Resource"). So `s3:?*`, `s3:**` and `S3:*` all mean every S3 action, and `arn:aws:s3:::?*` every bucket
and object. The raw-statement check (components/core/config/service_config.py) and the policy pack
(policy/invariants.py, through the symlink policy/wildcards.py) both ask this module, so they cannot
disagree about what a wildcard reaches.
"""

from __future__ import annotations

import re
from functools import lru_cache

WILDCARDS = frozenset("*?")


@lru_cache(maxsize=4096)
def _regex(pattern: str, fold: bool) -> re.Pattern[str]:
    body = "".join(".*" if ch == "*" else "." if ch == "?" else re.escape(ch) for ch in pattern)
    return re.compile(body, re.DOTALL | (re.IGNORECASE if fold else 0))


def matches(pattern: str, value: str, fold: bool = False) -> bool:
    """Whether an IAM glob matches a value (`fold`: case-insensitively, as for action names)."""
    return _regex(pattern, fold).fullmatch(value) is not None


def action_matches(pattern: str, action: str) -> bool:
    """Whether an Action pattern covers an action (`service:Name`), as IAM decides it: `*` alone covers every
    action; otherwise the service prefix is literal (IAM does not expand wildcards there) and the name a glob,
    both case-insensitive."""
    if pattern == "*":
        return True
    service, colon, name = pattern.partition(":")
    wanted_service, _, wanted_name = action.partition(":")
    return bool(colon) and service.lower() == wanted_service.lower() and matches(name, wanted_name, fold=True)


def wildcard_service(pattern: str) -> bool:
    """An Action pattern with `*` or `?` in its service prefix: IAM matches no action with it."""
    return pattern != "*" and any(ch in WILDCARDS for ch in pattern.partition(":")[0])


def _wildcard_only(text: str, also: str = "") -> bool:
    """Text made of nothing but wildcards (and `also`), with at least one `*`: it matches anything long enough."""
    return "*" in text and all(ch in WILDCARDS or ch in also for ch in text)


def covers_every_action(pattern: str) -> bool:
    """`*`, or every action of one service (`s3:*`, `s3:?*`, `S3:**`)."""
    if pattern == "*":
        return True
    service, colon, name = pattern.partition(":")
    return bool(colon) and not wildcard_service(pattern) and _wildcard_only(name)


def services_of(pattern: str, services: tuple[str, ...]) -> tuple[str, ...]:
    """Which of these services an Action pattern belongs to (`IAM:PassRole` is iam's: prefixes ignore case)."""
    service = pattern.partition(":")[0].lower()
    return tuple(s for s in services if s == service or pattern == "*")


def covers_every_resource(pattern: str) -> bool:
    """`*`, or an ARN pattern whose service or whole resource part is nothing but wildcards (`arn:aws:s3:::?*`,
    `arn:aws:s3:::*/*`, `arn:*:*:*:*:*`): every resource of a service. A typed pattern (`table/*`) names a kind
    of resource, which upstream add-on policies use with reason, and is left to the rules that know the kind."""
    if _wildcard_only(pattern):
        return True
    fields = pattern.split(":", 5)
    if len(fields) < 6 or fields[0] != "arn":
        return False
    service, resource = fields[2], fields[5]
    return _wildcard_only(service) or _wildcard_only(resource, also="/:")
