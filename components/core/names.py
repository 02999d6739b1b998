"""Names derived from a workload's name (pure): physical AWS/Kubernetes names and their limits."""

from __future__ import annotations

import re

STACK_NAME = re.compile(r"[A-Za-z0-9_.-]{1,100}", re.ASCII)
STACK_NAME_RULE = "1-100 letters, digits, '-', '_', '.'"
ROLE_NAME_MAX = 64
POLICY_NAME_MAX = 128
JOB_NAME_MAX = 63  # Job names become a pod label value


def role_name(stack: str, workload: str) -> str:
    """IAM role name: unique per stack so environments can share an account."""
    return f"irsa-{stack}-{workload}"


def policy_name(workload: str) -> str:
    """Inline policy name of a workload's role."""
    return f"irsa-{workload}-s3"


def job_name(workload: str) -> str:
    """Verification Job (and its script ConfigMap) name."""
    return f"{workload}-irsa-verify"


def derived_names(stack: str, workload: str, sample_job: bool = True) -> list[tuple[str, str, int]]:
    """Every name derived from a workload, as (what, name, limit)."""
    derived = [
        ("IAM role name", role_name(stack, workload), ROLE_NAME_MAX),
        ("inline policy name", policy_name(workload), POLICY_NAME_MAX),
    ]
    if sample_job:
        derived.append(("verification Job name", job_name(workload), JOB_NAME_MAX))
    return derived
