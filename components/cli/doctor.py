"""Doctor: would STS accept this ServiceAccount token for this workload's planned role, and if not, why.

The token is untrusted input: it is read bounded, decoded by hand (no library trusts its header), and
every claim is type-checked before it is compared. An unverified signature is never part of "accept".
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
import time
from dataclasses import asdict, dataclass, field
from typing import Any

from components.cli.issuer_check import STS_ALGORITHMS, Check
from components.cli.untrusted import TOKEN_MAX_BYTES, Unreadable, parse_json, read_bytes, utf8
from components.core import documents, manifests, trust
from components.core.aws import issuer_host
from components.core.display import quote
from components.core.model import Cluster, InvalidInput, Problem, Settings, Workload

OK, FAIL, UNCHECKED = "✔", "✘", "?"
NUMERIC_DATE_MAX = 253402300799  # 9999-12-31T23:59:59Z
_B64URL = re.compile(r"[A-Za-z0-9_-]+", re.ASCII)


@dataclass
class Report:
    """Everything doctor found for one token and workload."""

    stack: str
    workload: str
    claims: dict[str, Any]
    checks: list[Check] = field(default_factory=list)
    could_not_check: str | None = None
    cluster: str | None = None  # the cluster whose trust statement was checked (stacks with several)

    @property
    def rejected(self) -> bool:
        return any(c.ok is False for c in self.checks)

    @property
    def accepted(self) -> bool:
        """Every check passed, the signature and the issuer included."""
        names = {c.name for c in self.checks if c.ok}
        return (
            not self.rejected
            and self.could_not_check is None
            and {"iss", "signature"} <= names
            and all(c.ok for c in self.checks)
        )

    @property
    def verdict(self) -> str:
        if self.rejected:
            return "STS would reject this token"
        if self.could_not_check is not None:
            return f"could not check: {self.could_not_check}"
        if self.accepted:
            return "STS would accept this token"
        unchecked = [c.name for c in self.checks if c.ok is None]
        if "signature" not in {c.name for c in self.checks}:
            unchecked.append("signature")
        hint = " (run with --issuer-check)" if "signature" in unchecked else ""
        return f"claims match; not checked: {', '.join(unchecked)}{hint}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "stack": self.stack,
            "workload": self.workload,
            **({"cluster": self.cluster} if self.cluster is not None else {}),
            "accepted": self.accepted,
            "verdict": self.verdict,
            "claims": self.claims,
            "checks": [asdict(c) for c in self.checks],
        }

    def to_text(self) -> str:
        where = f", cluster {self.cluster}" if self.cluster is not None else ""
        lines = [
            f"doctor: stack {self.stack}, workload {self.workload}{where}, token sub {quote(self.claims.get('sub'))}"
        ]
        for c in self.checks:
            mark = OK if c.ok else FAIL if c.ok is False else UNCHECKED
            lines.append(f"  {mark} {c.name:<9} {c.detail}")
            if c.fix and c.ok is False:
                lines += [
                    f"    fix: {line}" if i == 0 else f"         {line}" for i, line in enumerate(c.fix.splitlines())
                ]
        lines.append(f"result: {self.verdict}")
        return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class Token:
    """A token as read: its text, its header and its claims (unverified; floats that are not finite kept as text)."""

    text: str
    header: dict[str, Any]
    claims: dict[str, Any]


def _finite(text: str) -> float | str:
    value = float(text)
    return value if math.isfinite(value) else text


def _part(segment: str, what: str) -> dict[str, Any]:
    if not _B64URL.fullmatch(segment):
        raise ValueError(f"its {what} is not base64url")
    try:
        raw = base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
        value = parse_json(raw, parse_float=_finite, parse_constant=str)
    except binascii.Error:
        raise ValueError(f"its {what} is not base64url-encoded UTF-8") from None
    except Unreadable as error:
        raise ValueError(f"its {what} {error.wrong}") from None
    if not isinstance(value, dict):
        raise ValueError(f"its {what} is not a JSON object")
    return value


def read_token(path: str) -> Token:
    """Token text, header and unverified claims from a file; InvalidInput if unreadable or not a JWT."""
    text = utf8(read_bytes(path, "--token", "token file", TOKEN_MAX_BYTES), "--token", "token").strip()
    segments = text.split(".")
    try:
        if len(segments) != 3:
            raise ValueError(f"it has {len(segments)} part(s)")
        header, claims = _part(segments[0], "header"), _part(segments[1], "payload")
    except ValueError as error:
        raise InvalidInput(
            [
                Problem(
                    "--token",
                    f"{quote(path)[1:-1]} is not a JWT: {error}",
                    "a ServiceAccount token: three base64url parts separated by dots",
                )
            ]
        ) from None
    return Token(text, header, claims)


def _plain_claim(value: Any) -> bool:
    """Whether a claim value can be shown as it is: small, flat, and valid JSON."""
    if isinstance(value, bool) or value is None:
        return True
    if isinstance(value, (int, float)):
        return abs(value) < 2**63
    if isinstance(value, str):
        return len(value) <= 512
    return isinstance(value, list) and len(value) <= 10 and all(isinstance(v, str) and len(v) <= 512 for v in value)


def shown_claims(claims: dict[str, Any]) -> dict[str, Any]:
    """The claims doctor judges, as a report shows them: strings bounded, odd values described."""
    keys = ("iss", "sub", "aud", "exp", "nbf", "iat")
    return {k: claims[k] if _plain_claim(claims[k]) else quote(claims[k]) for k in keys if k in claims}


def provider_arn(settings: Settings, issuer: str, cluster: Cluster | None = None) -> str:
    """The provider the trust policy names: the configured one, or the one this stack would create."""
    return (cluster or settings.cluster).oidc_provider_arn or (
        f"arn:{settings.partition}:iam::<account>:oidc-provider/{issuer_host(issuer).rstrip('/')}"
    )


def _projected_fix(w: Workload, audience: str) -> str:
    volume = manifests.pod_identity_fragment(
        w.service_account, "<role ARN>", "<region>", audience, w.token_expiration_seconds
    )["volumes"][0]
    return (
        f"mint a token for exactly that audience: kubectl create token {w.service_account} "
        f"--namespace {w.namespace} --audience {audience}\n"
        f"in pods, mount a projected token (the workload's podIdentity output does): {json.dumps(volume)}"
    )


def _alg_check(header: dict[str, Any]) -> Check:
    alg = header.get("alg")
    if alg in STS_ALGORITHMS:
        return Check("alg", True, f"{alg} is a signature STS verifies")
    return Check(
        "alg",
        False,
        f"alg {quote(alg)}: STS accepts only RSA or ECDSA signatures ({', '.join(STS_ALGORITHMS)})",
        "use a token the cluster's API server issued (kubectl create token, or the pod's projected token)",
    )


def _iss_check(token_iss: Any, planned_issuer: str | None, others: tuple[str, ...] = ()) -> Check:
    """The token's issuer against the planned one; `others`: the workload's other clusters, to name."""
    if not isinstance(token_iss, str) or not token_iss:
        return Check(
            "iss", False, f"the token's iss is {quote(token_iss)}", "use a ServiceAccount token from the cluster"
        )
    if planned_issuer is None:
        return Check(
            "iss",
            None,
            f"not checked: {quote(token_iss)} (issuer looked up at deploy; pass --issuer or set "
            "irsa:cluster.issuerUrl)",
        )
    if token_iss == planned_issuer:
        return Check("iss", True, f"{quote(token_iss)} equals the provider URL")
    if token_iss.rstrip("/") == planned_issuer.rstrip("/"):
        return Check(
            "iss",
            False,
            f"{quote(token_iss)} and the provider URL {quote(planned_issuer)} differ only by a "
            "trailing slash; IAM compares issuers exactly",
            f"set irsa:cluster.issuerUrl to {quote(token_iss)} exactly (AKS issuers end with '/', EKS "
            "issuers do not), then pulumi up: the provider URL and trust condition keys follow it",
        )
    return Check(
        "iss",
        False,
        f"{quote(token_iss)} is not the provider URL {quote(planned_issuer)}: STS finds no "
        "OIDC provider for this issuer (InvalidIdentityToken)",
        f"the workload also runs in {', '.join(others)}: pass --cluster NAME for the one that issued the token"
        if others
        else "use a token from this stack's cluster, or point irsa:cluster.issuerUrl at the cluster that issued it",
    )


def _aud_check(aud: Any, audience: str, workload: Workload) -> tuple[Check, list[str]]:
    """The aud check, and the audiences as strings when the claim has a usable shape."""
    auds = aud if isinstance(aud, list) else [] if aud is None else [aud]
    if not all(isinstance(a, str) for a in auds):
        return Check(
            "aud", False, f"the token's aud is {quote(aud)}: not strings", _projected_fix(workload, audience)
        ), []
    if len(auds) == 1 and auds[0] == audience:
        return Check("aud", True, f"{quote(audience)} is the provider's client ID and the trust aud"), auds
    if len(auds) > 1:
        shown = ", ".join(quote(a, 60) for a in auds[:5]) + (", ..." if len(auds) > 5 else "")
        detail = (
            f"the token carries {len(auds)} audiences [{shown}]; STS needs exactly one, equal to the "
            f"provider's client ID {quote(audience)}. This is the default ServiceAccount token (on AKS it "
            "names the API server): it cannot be used with STS"
        )
        return Check("aud", False, detail, _projected_fix(workload, audience)), auds
    seen = quote(auds[0]) if auds else "no audience"
    detail = (
        f"the token has {seen}; the provider registers client ID {quote(audience)} and the trust policy requires it"
    )
    return Check("aud", False, detail, _projected_fix(workload, audience)), auds


def _numeric_date(claims: dict[str, Any], name: str) -> tuple[int | None, Check | None]:
    """A NumericDate claim as STS reads it (an integer of seconds), or the ✘ that says why it is not one."""
    value = claims.get(name)
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= NUMERIC_DATE_MAX:
        return value, None
    return None, Check(
        name,
        False,
        f"{name} is {quote(value)}: STS reads timestamps only as integer seconds since 1970",
        "use a ServiceAccount token from the cluster",
    )


def _time_checks(claims: dict[str, Any], now: float) -> list[Check]:
    checks = []
    if "exp" not in claims:
        checks.append(Check("exp", False, "the token has no expiry", "use a ServiceAccount token from the cluster"))
    else:
        exp, bad = _numeric_date(claims, "exp")
        if bad is not None:
            checks.append(bad)
        elif exp is not None and exp <= now:
            checks.append(
                Check(
                    "exp",
                    False,
                    f"expired {int(now - exp)} s ago",
                    "mint a fresh token (kubelet refreshes projected tokens; kubectl create token lasts --duration)",
                )
            )
        elif exp is not None:
            checks.append(Check("exp", True, f"valid for {int(exp - now)} more s"))
    for name in ("nbf", "iat"):
        if name not in claims:
            continue
        value, bad = _numeric_date(claims, name)
        if bad is not None:
            checks.append(bad)
        elif name == "nbf" and value is not None and value > now:
            checks.append(
                Check(
                    "nbf",
                    False,
                    f"not valid for another {int(value - now)} s",
                    "check the clocks of the cluster and of this machine",
                )
            )
    return checks


def diagnose(
    settings: Settings,
    workload: Workload,
    token: Token,
    now: float | None = None,
    issuer: str | None = None,
    cluster: Cluster | None = None,
) -> Report:
    """Evaluate a token against the planned provider and the trust statement of one cluster (default: the
    stack's first), claim by claim.

    `issuer` is the issuer to compare with when the stack looks it up at deploy time (--issuer).
    """
    now = time.time() if now is None else now
    claims = token.claims
    cluster = cluster or settings.cluster
    audience = cluster.audience
    planned_issuer = cluster.issuer_url or issuer
    report = Report(
        settings.stack, workload.name, shown_claims(claims), cluster=cluster.name if settings.multi_cluster else None
    )
    checks = report.checks
    checks.append(_alg_check(token.header))
    others = tuple(c.name for c in settings.clusters_of(workload) if c.name != cluster.name)
    checks.append(_iss_check(claims.get("iss"), planned_issuer, others))
    aud_check, auds = _aud_check(claims.get("aud"), audience, workload)
    checks.append(aud_check)

    sub = claims.get("sub")
    token_iss = claims.get("iss") if isinstance(claims.get("iss"), str) else ""
    host = issuer_host(planned_issuer or str(token_iss))
    principal = provider_arn(settings, planned_issuer or str(token_iss), cluster)
    policy = documents.trust_policy(principal, host, list(workload.subjects), audience)
    context = {f"{host}:sub": sub} if isinstance(sub, str) else {}
    if len(auds) == 1:
        context[f"{host}:aud"] = auds[0]
    decision = trust.evaluate(policy, principal, context)
    sub_results = [r for r in decision.conditions if r.key.endswith(":sub")]
    expected = documents.subject(workload.namespace, workload.service_account)
    if isinstance(sub, str) and sub_results and all(r.held for r in sub_results):
        checks.append(Check("sub", True, f"{quote(sub)} is trusted by the role"))
    else:
        trusted = ", ".join(quote(s) for s in workload.subjects)
        checks.append(
            Check(
                "sub",
                False,
                f"the token is for {quote(sub)}; the role trusts {trusted}",
                f"run the pod with serviceAccountName: {workload.service_account} in namespace "
                f"{workload.namespace} (subject {expected}), or add the token's subject to "
                "extraSubjects",
            )
        )
    checks += _time_checks(claims, now)
    checks.append(
        Check(
            "trust",
            decision.allowed,
            f"trust policy evaluation: {decision.reason}",
            None if decision.allowed else "fix the claims marked ✘ above",
        )
    )
    return report
