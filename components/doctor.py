"""Doctor: would STS accept this ServiceAccount token for this workload's planned role, and if not, why."""

from __future__ import annotations

import hashlib
import http.client
import json
import socket
import ssl
import time
from dataclasses import asdict, dataclass, field
from typing import Any
from urllib.parse import urlsplit

import jwt

from components import documents, manifests, trust
from components.errors import InputError
from components.settings import Settings, Workload, issuer_host

OK, FAIL = "✔", "✘"


class DoctorInputError(InputError):
    """Invalid doctor input (token file, workload name)."""


@dataclass
class Check:
    """One diagnosis line: the claim or step, whether it passes, what was seen, and the fix."""

    name: str
    ok: bool
    detail: str
    fix: str | None = None


@dataclass
class Report:
    """Everything doctor found for one token and workload."""

    stack: str
    workload: str
    claims: dict[str, Any]
    checks: list[Check] = field(default_factory=list)

    @property
    def accepted(self) -> bool:
        return all(c.ok for c in self.checks)

    def to_dict(self) -> dict[str, Any]:
        return {
            "stack": self.stack,
            "workload": self.workload,
            "accepted": self.accepted,
            "claims": self.claims,
            "checks": [asdict(c) for c in self.checks],
        }

    def to_text(self) -> str:
        lines = [f"doctor: stack {self.stack}, workload {self.workload}, token sub {self.claims.get('sub')!r}"]
        for c in self.checks:
            lines.append(f"  {OK if c.ok else FAIL} {c.name:<9} {c.detail}")
            if c.fix and not c.ok:
                lines += [
                    f"    fix: {line}" if i == 0 else f"         {line}" for i, line in enumerate(c.fix.splitlines())
                ]
        verdict = "STS would accept this token" if self.accepted else "STS would reject this token"
        lines.append(f"result: {verdict}")
        return "\n".join(lines) + "\n"


def read_token(path: str) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """Token text, header and unverified claims from a file; DoctorInputError if unreadable or not a JWT."""
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read().strip()
    except (OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or str(error)
        raise DoctorInputError(
            [
                f"--token: cannot read {path}: {reason} (a readable file holding a ServiceAccount "
                "token, e.g. from kubectl create token)"
            ]
        ) from None
    try:
        header = jwt.get_unverified_header(text)
        claims = jwt.decode(text, options={"verify_signature": False})
    except jwt.PyJWTError as error:
        raise DoctorInputError(
            [f"--token: {path} is not a JWT: {error} (a ServiceAccount token: three base64url parts separated by dots)"]
        ) from None
    if not isinstance(claims, dict):
        raise DoctorInputError([f"--token: {path} has no JSON claims (a ServiceAccount token)"])
    return text, header, claims


def find_workload(settings: Settings, name: str) -> Workload:
    for w in settings.workloads:
        if w.name == name:
            return w
    known = ", ".join(w.name for w in settings.workloads)
    raise DoctorInputError([f'--workload: "{name}" is not a workload of stack {settings.stack} (one of: {known})'])


def require_web_identity(settings: Settings, workload: Workload) -> None:
    """Doctor checks web-identity tokens; with EKS Pod Identity none is involved, so say what to check instead."""
    if settings.cluster.mechanism == "pod-identity":
        raise DoctorInputError(
            [
                f'--workload: "{workload.name}" uses EKS Pod Identity (irsa:cluster.mechanism), so no web-identity '
                "token is involved: the Pod Identity Agent hands the pod credentials of the associated role (check "
                f"the association: aws eks list-pod-identity-associations --cluster-name {settings.cluster.name} "
                f"--namespace {workload.namespace} --service-account {workload.service_account}; and that the "
                "eks-pod-identity-agent add-on runs)"
            ]
        )


def provider_arn(settings: Settings, issuer: str) -> str:
    """The provider the trust policy names: the configured one, or the one this stack would create."""
    return settings.cluster.oidc_provider_arn or (
        f"arn:{settings.partition}:iam::<account>:oidc-provider/{issuer_host(issuer).rstrip('/')}"
    )


def _audiences(claims: dict[str, Any]) -> list[str]:
    aud = claims.get("aud")
    if aud is None:
        return []
    return [str(a) for a in aud] if isinstance(aud, list) else [str(aud)]


def _projected_fix(w: Workload, audience: str) -> str:
    volume = manifests.pod_identity_fragment(
        w.service_account, "<role ARN>", "<region>", audience, w.token_expiration_seconds
    )["volumes"][0]
    return (
        f"mint a token for exactly that audience: kubectl create token {w.service_account} "
        f"--namespace {w.namespace} --audience {audience}\n"
        f"in pods, mount a projected token (the workload's podIdentity output does): {json.dumps(volume)}"
    )


def diagnose(settings: Settings, workload: Workload, claims: dict[str, Any], now: float | None = None) -> Report:
    """Evaluate a token's claims against the planned provider and trust policy, claim by claim."""
    now = time.time() if now is None else now
    audience = settings.cluster.audience
    token_iss = str(claims.get("iss", ""))
    planned_issuer = settings.cluster.issuer_url
    issuer = planned_issuer or token_iss
    shown: dict[str, Any] = {k: claims.get(k) for k in ("iss", "sub", "aud", "exp", "nbf", "iat") if k in claims}
    report = Report(settings.stack, workload.name, shown)
    checks = report.checks

    if not token_iss:
        checks.append(Check("iss", False, "the token has no iss claim", "use a ServiceAccount token from the cluster"))
    elif planned_issuer is None:
        checks.append(
            Check(
                "iss",
                True,
                f"{token_iss} (the issuer is looked up at deploy time; "
                "set irsa:cluster.issuerUrl to compare it offline)",
            )
        )
    elif token_iss == planned_issuer:
        checks.append(Check("iss", True, f"{token_iss} equals the provider URL"))
    elif token_iss.rstrip("/") == planned_issuer.rstrip("/"):
        checks.append(
            Check(
                "iss",
                False,
                f"{token_iss!r} and the provider URL {planned_issuer!r} differ only by a "
                "trailing slash; IAM compares issuers exactly",
                f"set irsa:cluster.issuerUrl to {token_iss!r} exactly (AKS issuers end with '/', EKS "
                "issuers do not), then pulumi up: the provider URL and trust condition keys follow it",
            )
        )
    else:
        checks.append(
            Check(
                "iss",
                False,
                f"{token_iss!r} is not the provider URL {planned_issuer!r}: STS finds no "
                "OIDC provider for this issuer (InvalidIdentityToken)",
                "use a token from this stack's cluster, or point irsa:cluster.issuerUrl at the cluster that issued it",
            )
        )

    auds = _audiences(claims)
    if len(auds) == 1 and auds[0] == audience:
        checks.append(Check("aud", True, f"{audience!r} is the provider's client ID and the trust aud"))
    elif len(auds) > 1:
        checks.append(
            Check(
                "aud",
                False,
                f"the token carries {len(auds)} audiences {auds}; STS needs exactly one, "
                f"equal to the provider's client ID {audience!r}. This is the default ServiceAccount "
                "token (on AKS it names the API server): it cannot be used with STS",
                _projected_fix(workload, audience),
            )
        )
    else:
        seen = repr(auds[0]) if auds else "no audience"
        checks.append(
            Check(
                "aud",
                False,
                f"the token has {seen}; the provider registers client ID {audience!r} and the trust policy requires it",
                _projected_fix(workload, audience),
            )
        )

    host = issuer_host(issuer)
    principal = provider_arn(settings, issuer)
    policy = documents.trust_policy(principal, host, list(workload.subjects), audience)
    context = {f"{host}:sub": str(claims.get("sub", ""))}
    if len(auds) == 1:
        context[f"{host}:aud"] = auds[0]
    decision = trust.evaluate(policy, principal, context)
    sub_results = [r for r in decision.conditions if r.key.endswith(":sub")]
    expected = documents.subject(workload.namespace, workload.service_account)
    if sub_results and all(r.held for r in sub_results):
        checks.append(Check("sub", True, f"{claims.get('sub')!r} is trusted by the role"))
    else:
        trusted = ", ".join(repr(s) for s in workload.subjects)
        checks.append(
            Check(
                "sub",
                False,
                f"the token is for {claims.get('sub')!r}; the role trusts {trusted}",
                f"run the pod with serviceAccountName: {workload.service_account} in namespace "
                f"{workload.namespace} (subject {expected}), or add the token's subject to "
                "extraSubjects",
            )
        )

    exp, nbf = claims.get("exp"), claims.get("nbf")
    if not isinstance(exp, (int, float)):
        checks.append(Check("exp", False, "the token has no expiry", "use a ServiceAccount token from the cluster"))
    elif exp <= now:
        checks.append(
            Check(
                "exp",
                False,
                f"expired {int(now - exp)} s ago",
                "mint a fresh token (kubelet refreshes projected tokens; kubectl create token lasts --duration)",
            )
        )
    else:
        checks.append(Check("exp", True, f"valid for {int(exp - now)} more s"))
    if isinstance(nbf, (int, float)) and nbf > now:
        checks.append(
            Check(
                "nbf",
                False,
                f"not valid for another {int(nbf - now)} s",
                "check the clocks of the cluster and of this machine",
            )
        )

    checks.append(
        Check(
            "trust",
            decision.allowed,
            f"trust policy evaluation: {decision.reason}",
            None if decision.allowed else "fix the claims marked ✘ above",
        )
    )
    return report


# --- issuer check: network, HTTPS only ---------------------------------------------------------------------------


class _Connection(http.client.HTTPSConnection):
    """HTTPS to `host`, optionally through another address, verifying the certificate for `host`."""

    def __init__(self, host: str, address: tuple[str, int] | None, context: ssl.SSLContext):
        super().__init__(host, 443, timeout=10, context=context)
        self._address = address or (host, 443)
        self.chain: list[bytes] = []

    def connect(self) -> None:
        sock = socket.create_connection(self._address, self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]
        sslobj = getattr(self.sock, "_sslobj", None)
        chain = sslobj.get_unverified_chain() if sslobj is not None and hasattr(sslobj, "get_unverified_chain") else []
        self.chain = [c.public_bytes(2) for c in chain or []]  # 2 = DER


def fetch_json(url: str, connect_to: tuple[str, int] | None, ca_file: str | None) -> tuple[Any, list[bytes]]:
    """GET a JSON document over verified HTTPS; also return the certificate chain the server sent (DER)."""
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname:
        raise ValueError(f"{url} is not an https URL")
    context = ssl.create_default_context(cafile=ca_file) if ca_file else ssl.create_default_context()
    if ca_file:
        context.load_default_certs()
    conn = _Connection(parts.hostname, connect_to, context)
    try:
        conn.request(
            "GET", parts.path + (f"?{parts.query}" if parts.query else ""), headers={"Accept": "application/json"}
        )
        response = conn.getresponse()
        body = response.read()
        if response.status != 200:
            raise ValueError(f"{url} answered HTTP {response.status}")
        return json.loads(body), conn.chain
    finally:
        conn.close()


def thumbprint(chain: list[bytes]) -> str | None:
    """What IAM pins: SHA-1 of the top (root-most) certificate the server sends, lowercase hex."""
    return hashlib.sha1(chain[-1]).hexdigest() if chain else None  # noqa: S324 - the format AWS defines


def issuer_checks(issuer: str, token: str, connect_to: tuple[str, int] | None, ca_file: str | None) -> list[Check]:
    """Discovery issuer equals the issuer exactly; the JWKS answers; the token's signature verifies."""
    checks: list[Check] = []
    discovery_url = issuer.rstrip("/") + "/.well-known/openid-configuration"
    try:
        discovery, _ = fetch_json(discovery_url, connect_to, ca_file)
    except (OSError, ValueError, ssl.SSLError) as error:
        return [
            Check(
                "discovery",
                False,
                f"{discovery_url}: {error}",
                "the issuer must serve its discovery document publicly over HTTPS with a trusted certificate",
            )
        ]
    found = discovery.get("issuer") if isinstance(discovery, dict) else None
    if found == issuer:
        checks.append(Check("discovery", True, f"issuer {found!r} equals the configured issuer"))
    else:
        checks.append(
            Check(
                "discovery",
                False,
                f"the discovery document says issuer {found!r}, not {issuer!r}",
                f"set irsa:cluster.issuerUrl to {found!r} exactly",
            )
        )
    jwks_uri = discovery.get("jwks_uri") if isinstance(discovery, dict) else None
    try:
        jwks, chain = fetch_json(str(jwks_uri), connect_to, ca_file)
        keys = jwt.PyJWKSet.from_dict(jwks)
    except (OSError, ValueError, ssl.SSLError, jwt.PyJWTError) as error:
        checks.append(Check("jwks", False, f"{jwks_uri}: {error}", "the jwks_uri must answer with the signing keys"))
        return checks
    checks.append(Check("jwks", True, f"{jwks_uri} answers with {len(keys.keys)} key(s)"))
    kid = jwt.get_unverified_header(token).get("kid")
    key = next((k for k in keys.keys if k.key_id == kid), None)
    if key is None:
        checks.append(
            Check(
                "signature",
                False,
                f"no key with kid {kid!r} in the JWKS",
                "the token was signed by another cluster or a rotated key",
            )
        )
    else:
        try:
            jwt.decode(
                token,
                key=key.key,
                algorithms=[jwt.get_unverified_header(token).get("alg", "RS256")],
                options={"verify_aud": False, "verify_exp": False, "verify_iss": False, "verify_nbf": False},
            )
            checks.append(Check("signature", True, f"verifies with key {kid!r}"))
        except jwt.PyJWTError as error:
            checks.append(
                Check(
                    "signature",
                    False,
                    f"does not verify with key {kid!r}: {error}",
                    "the token was not issued by this issuer",
                )
            )
    print_ = thumbprint(chain)
    host = urlsplit(str(jwks_uri)).hostname
    checks.append(
        Check(
            "thumbprint",
            True,
            f"{print_} (SHA-1 of the top certificate {host} sends; only needed "
            "where IAM does not validate the CA itself)"
            if print_
            else "not available",
        )
    )
    return checks
