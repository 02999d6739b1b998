"""IAM's per-account quotas on what irsa creates (pure): roles (1,000 by default, up to 5,000 on request) and OpenID
Connect providers (100 by default, up to 700), counted per stack and across the stack files that name the same
account (IAM quotas page: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from components.core.model import Problem, Settings

ROLES, ROLES_MOST = 1000, 5000
PROVIDERS, PROVIDERS_MOST = 100, 700
NEAR = 0.8  # past this share of a quota the plan says how close it is
KEY = "irsa:accountQuotas"


@dataclass(frozen=True)
class Usage:
    """What one stack creates in its account: a role per workload (one per shared role for the workloads sharing it),
    an OIDC provider per cluster it owns one for."""

    label: str  # the stack file, as the plan names it
    account: str | None
    roles: int
    providers: int


def usage_of(settings: Settings, label: str) -> Usage:
    providers = sum(1 for c in settings.clusters if settings.provider_in(c) and c.oidc_provider_arn is None)
    own = sum(1 for w in settings.workloads if w.shared_role is None)
    return Usage(label, settings.account_id, own + len(settings.sharing), providers)


def _shares(rows: Sequence[Usage], field: str) -> str:
    return "; ".join(f"{u.label} {getattr(u, field):,}" for u in rows if getattr(u, field))


def report(settings: Settings, rows: Sequence[Usage]) -> tuple[list[Problem], list[str]]:
    """Problems when the stacks of one account (`rows`, this stack's first) would pass a quota, and a line when
    they come near one."""
    problems, lines = [], []
    account = f"account {rows[0].account}" if rows[0].account else "this stack's account (irsa:accountId unset: "\
        "other stack files are not counted)"  # fmt: skip
    for field, quota, most, what in (("roles", settings.role_quota, ROLES_MOST, "roles"),
                                     ("providers", settings.provider_quota, PROVIDERS_MOST, "OIDC providers")):
        used = sum(getattr(u, field) for u in rows)
        key = f"{KEY}.{'roles' if field == 'roles' else 'oidcProviders'}"
        if used > quota:
            problems.append(Problem(
                key, f"{account} would hold {used:,} {what} irsa creates ({_shares(rows, field)}), past its quota "
                f"of {quota:,}",
                f"the quota AWS set for the account (up to {most:,} on request), or fewer {what} per account: put "
                "workloads in stacks of another account" + (", or share clusters' providers through a platform "
                                                             "stack" if field == "providers" else
                                                             ", or let Pod Identity workloads share roles (sharedRole)"
                                                             )))  # fmt: skip
        elif used >= NEAR * quota:
            lines.append(f"{key}: {account} would hold {used:,} of its {quota:,} {what} ({_shares(rows, field)})")
    return problems, lines
