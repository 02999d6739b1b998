"""cloud-copilot's IAM simulator (npm, tests only): an evaluator we did not write, for trust policies.

`make test` installs it from `tests/iam_simulate/package-lock.json`; `decide` runs it once per call.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent / "iam_simulate"


@dataclass(frozen=True)
class Request:
    """One call to judge against a role's trust policy."""

    principal: str  # an OIDC provider ARN, a service principal (pods.eks.amazonaws.com) or a role ARN
    action: str
    resource: str  # the role's ARN
    account: str  # the role's account
    context: dict[str, str] = field(default_factory=dict)


def decide(
    batches: list[tuple[dict[str, Any] | None, list[Request]]], identity: list[dict[str, Any]] | None = None
) -> list[list[str]]:
    """Per (resource policy, requests): each request's decision — Allowed, ImplicitlyDenied or ExplicitlyDenied;
    a role's trust is its resource policy (None: there is none, only `identity` decides); `identity`: the caller's
    own policies (a cross-account call needs them to allow it too)."""
    return decide_each([(policy, identity or [], requests) for policy, requests in batches])


def decide_each(
    batches: Sequence[tuple[Mapping[str, Any] | None, Sequence[Mapping[str, Any]], Sequence[Request]]],
    sessions: Sequence[Mapping[str, Any] | None] | None = None,
) -> list[list[str]]:
    """As `decide`, with each batch's own identity policies: (resource policy, identity policies, requests);
    `sessions`: each batch's session policy (None: none), which limits its identity policies."""
    node = shutil.which("node")
    if node is None or not (HERE / "node_modules").is_dir():
        raise RuntimeError("the IAM simulator is not installed: run `make test` (npm ci in tests/iam_simulate)")
    limits = sessions or [None] * len(batches)
    payload = [{"policy": p, "identity": i, "session": limit, "requests": [asdict(r) for r in rs]}
               for (p, i, rs), limit in zip(batches, limits, strict=True)]  # fmt: skip
    done = subprocess.run(
        [node, str(HERE / "evaluate.mjs")], input=json.dumps(payload), capture_output=True, text=True, timeout=300
    )
    if done.returncode != 0:
        raise RuntimeError(f"the IAM simulator failed: {done.stderr.strip()}")
    decisions: list[list[str]] = json.loads(done.stdout)
    return decisions


Case = tuple[str, str, dict[str, str]]  # action, resource, request context


def default_key_policy(account: str) -> dict[str, Any]:
    """AWS's default key policy: it lets the account's IAM policies decide (KMS requires a key policy to say so)."""
    return {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{account}:root"}, "Action": "kms:*",
                       "Resource": "*"}],
    }  # fmt: skip


def agreed(
    identity: list[dict[str, Any]],
    cases: list[Case],
    principal: str,
    account: str,
    resource_policy: dict[str, Any] | None = None,
) -> list[bool]:
    """Whether each (action, resource, context) is allowed by these identity policies (and a resource policy,
    e.g. a key's), as the simulator judges it; `core/iam_eval.py` must judge every case the same, or this fails."""
    from components.core import iam_eval

    requests = [Request(principal, action, resource, account, context) for action, resource, context in cases]
    simulated = [d == "Allowed" for d in decide([(resource_policy, requests)], identity=identity)[0]]
    ours = [iam_eval.evaluate(identity, iam_eval.Request(a, r, c)).allowed for a, r, c in cases]
    disagreements = [case for case, sim, own in zip(cases, simulated, ours, strict=True) if sim != own]
    assert not disagreements, f"the simulator and core/iam_eval.py disagree on {disagreements}"
    return simulated
