"""doctor --issuer-check: fetch an issuer's discovery document and JWKS over verified HTTPS, then verify
the token's signature, as STS would. Everything the issuer sends is untrusted: one overall deadline,
a cap on every body, and any malformed answer becomes a ✘ line, never a traceback."""

from __future__ import annotations

import contextlib
import hashlib
import http.client
import socket
import ssl
import threading
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import jwt

from components.cli.untrusted import Unreadable, parse_json
from components.core.display import quote

DEADLINE_SECONDS = 20.0  # for the whole check: every connection, handshake, header and body
BODY_MAX_BYTES = 1024 * 1024
STS_ALGORITHMS = ("RS256", "RS384", "RS512", "ES256", "ES384", "ES512")  # the STS API reference's list
KEY_TYPES = {"RS": "RSA", "ES": "EC"}


class CouldNotCheck(Exception):  # noqa: N818 - an answer, not a bug
    """No answer from the network (refused, unresolvable, too slow): nothing is known about the issuer."""


class BadAnswer(Exception):  # noqa: N818
    """The issuer answered, but not with what STS needs."""


@dataclass
class Check:
    """One diagnosis line: the claim or step, whether it passes (None: not checked), what was seen, the fix."""

    name: str
    ok: bool | None
    detail: str
    fix: str | None = None


class _Connection(http.client.HTTPSConnection):
    """HTTPS to `host`, optionally through another address, verifying the certificate for `host`; `abort()`
    from another thread ends a read that is still waiting."""

    def __init__(self, host: str, port: int, address: tuple[str, int] | None, context: ssl.SSLContext, timeout: float):
        super().__init__(host, port, timeout=timeout, context=context)
        self._address = address or (host, port)
        self._raw: socket.socket | None = None
        self.chain: list[bytes] = []
        self.aborted = False

    def connect(self) -> None:
        self._raw = socket.create_connection(self._address, self.timeout)
        self.sock = self._context.wrap_socket(self._raw, server_hostname=self.host)  # type: ignore[attr-defined]
        sslobj = getattr(self.sock, "_sslobj", None)
        chain = sslobj.get_unverified_chain() if sslobj is not None and hasattr(sslobj, "get_unverified_chain") else []
        self.chain = [c.public_bytes(2) for c in chain or []]  # 2 = DER

    def abort(self) -> None:
        self.aborted = True
        # The file descriptor itself, under TLS too (wrapping detaches the raw socket object): a waiting
        # read then returns at once.
        for sock in (self.sock, self._raw):
            if sock is not None:
                with contextlib.suppress(OSError):
                    socket.socket.shutdown(sock, socket.SHUT_RDWR)


def _read_body(response: http.client.HTTPResponse, limit: int) -> bytes:
    chunks, total = [], 0
    while True:
        chunk = response.read(65536)
        if not chunk:
            break
        total += len(chunk)
        if total > limit:
            raise BadAnswer(f"the body is over {limit} bytes")
        chunks.append(chunk)
    if response.length:  # Content-Length promised more than arrived
        raise BadAnswer(f"the body ended {response.length} bytes early")
    return b"".join(chunks)


def fetch_json(
    url: str, connect_to: tuple[str, int] | None, ca_file: str | None, deadline: float
) -> tuple[Any, list[bytes]]:
    """GET a JSON document over verified HTTPS before `deadline` (time.monotonic()); also return the
    certificate chain the server sent (DER). `ca_file` holds extra PEM CA certificates (their text).
    CouldNotCheck without an answer, BadAnswer for a wrong one."""
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname:
        raise BadAnswer(f"{quote(url)} is not an https URL")
    try:
        port = parts.port or 443
    except ValueError:
        raise BadAnswer(f"{quote(url)} has an invalid port") from None
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise CouldNotCheck(f"no time left within the {DEADLINE_SECONDS:g} s deadline")
    context = ssl.create_default_context()
    if ca_file:
        try:
            context.load_verify_locations(cadata=ca_file)
        except (ssl.SSLError, ValueError) as error:
            raise BadAnswer(f"--ca-file holds no usable PEM certificate: {error}") from None
    conn = _Connection(parts.hostname, port, connect_to, context, remaining)
    watchdog = threading.Timer(remaining, conn.abort)
    watchdog.daemon = True
    watchdog.start()
    try:
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        conn.request("GET", path, headers={"Accept": "application/json"})
        response = conn.getresponse()
        if response.status != 200:
            raise BadAnswer(f"answered HTTP {response.status}")
        body = _read_body(response, BODY_MAX_BYTES)
    except ssl.SSLCertVerificationError as error:
        raise BadAnswer(f"certificate does not verify: {error.verify_message} (CERTIFICATE_VERIFY_FAILED)") from None
    except http.client.HTTPException as error:
        if conn.aborted:
            raise CouldNotCheck(f"no complete answer within {DEADLINE_SECONDS:g} s") from None
        raise BadAnswer(f"malformed HTTP answer: {type(error).__name__} {quote(str(error), 80)}") from None
    except (OSError, ValueError) as error:
        if conn.aborted:
            raise CouldNotCheck(f"no complete answer within {DEADLINE_SECONDS:g} s") from None
        raise CouldNotCheck(f"{type(error).__name__}: {quote(str(error), 120)[1:-1]}") from None
    finally:
        watchdog.cancel()
        conn.close()
    try:
        return parse_json(body), conn.chain
    except Unreadable as error:
        raise BadAnswer(f"the body {error.wrong}") from None


def thumbprint(chain: list[bytes]) -> str | None:
    """What IAM pins: SHA-1 of the top (root-most) certificate the server sends, lowercase hex."""
    return hashlib.sha1(chain[-1]).hexdigest() if chain else None  # noqa: S324 - the format AWS defines


def issuer_checks(
    issuer: str,
    token: str,
    header: dict[str, Any],
    connect_to: tuple[str, int] | None,
    ca_file: str | None,
    seconds: float = DEADLINE_SECONDS,
    pinned: tuple[str, ...] = (),
) -> list[Check]:
    """Discovery issuer equals the issuer exactly; the JWKS answers; the token's signature verifies; a
    certificate trusted only through `ca_file` is pinned by one of the provider's thumbprints (`pinned`).

    Raises CouldNotCheck when the network gives no answer at all.
    """
    deadline = time.monotonic() + seconds
    checks: list[Check] = []
    discovery_url = issuer.rstrip("/") + "/.well-known/openid-configuration"
    try:
        discovery, _ = fetch_json(discovery_url, connect_to, ca_file, deadline)
    except BadAnswer as error:
        fix = "the issuer must serve its discovery document publicly over HTTPS with a trusted certificate"
        return [Check("discovery", False, f"{discovery_url}: {error}", fix)]
    if not isinstance(discovery, dict):
        return [Check("discovery", False, f"{discovery_url}: is not a JSON object", "serve OIDC discovery JSON")]
    found = discovery.get("issuer")
    if found == issuer:
        checks.append(Check("discovery", True, f"issuer {quote(found)} equals the configured issuer"))
    else:
        checks.append(
            Check(
                "discovery",
                False,
                f"the discovery document says issuer {quote(found)}, not {quote(issuer)}",
                f"set irsa:cluster.issuerUrl to {quote(found)} exactly" if isinstance(found, str) else None,
            )
        )
    jwks_uri = discovery.get("jwks_uri")
    if not isinstance(jwks_uri, str):
        checks.append(Check("jwks", False, f"jwks_uri is {quote(jwks_uri)}", "discovery must name an https jwks_uri"))
        return checks
    try:
        jwks, chain = fetch_json(jwks_uri, connect_to, ca_file, deadline)
        keys = _key_set(jwks)
    except BadAnswer as error:
        checks.append(Check("jwks", False, f"{quote(jwks_uri)}: {error}", "the jwks_uri must answer with the keys"))
        return checks
    checks.append(Check("jwks", True, f"{quote(jwks_uri)} answers with {len(keys.keys)} key(s)"))
    checks.append(_signature(token, header, keys))
    print_ = thumbprint(chain)
    host = urlsplit(jwks_uri).hostname
    if ca_file is not None and not _publicly_trusted(jwks_uri, connect_to, deadline):
        # STS trusts what well-known CAs sign, or a certificate whose thumbprint the provider pins: not our CA file.
        ok = print_ is not None and print_.lower() in {p.lower() for p in pinned}
        detail = (f"{print_} (SHA-1 of the top certificate {host} sends): trusted only through --ca-file, so STS "
                  f"accepts it only if the provider pins this thumbprint — " + ("it does" if ok else "it does not"))
        remedy = None if ok else f"add {print_} to irsa:cluster.thumbprints, or serve a certificate of a public CA"
        checks.append(Check("thumbprint", ok, detail, remedy))
    else:
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


def _publicly_trusted(url: str, connect_to: tuple[str, int] | None, deadline: float) -> bool:
    """Whether the endpoint's certificate verifies against this machine's trust store alone (no --ca-file)."""
    try:
        fetch_json(url, connect_to, None, deadline)
    except BadAnswer:
        return False
    return True


def _key_set(jwks: Any) -> jwt.PyJWKSet:
    if not isinstance(jwks, dict) or not isinstance(jwks.get("keys"), list):
        raise BadAnswer("is not a JWKS (a JSON object with a list of keys)")
    try:
        return jwt.PyJWKSet.from_dict(jwks)
    except (jwt.PyJWTError, ValueError, TypeError, KeyError, AttributeError) as error:
        raise BadAnswer(f"has no usable key: {quote(str(error), 100)[1:-1]}") from None


def _signature(token: str, header: dict[str, Any], keys: jwt.PyJWKSet) -> Check:
    alg, kid = header.get("alg"), header.get("kid")
    if alg not in STS_ALGORITHMS:
        return Check(
            "signature",
            False,
            f"alg {quote(alg)} is not one STS accepts",
            f"STS verifies only {', '.join(STS_ALGORITHMS)}: the token must come from the cluster's issuer",
        )
    key = next((k for k in keys.keys if k.key_id == kid), None)
    if key is None:
        return Check(
            "signature",
            False,
            f"no key with kid {quote(kid)} in the JWKS",
            "the token was signed by another cluster or a rotated key",
        )
    if getattr(key, "key_type", None) != KEY_TYPES[alg[:2]]:
        return Check(
            "signature",
            False,
            f"alg {alg} needs an {KEY_TYPES[alg[:2]]} key, but key {quote(kid)} is {quote(key.key_type)}",
            "the token was not issued by this issuer",
        )
    try:
        jwt.decode(
            token,
            key=key.key,
            algorithms=[alg],
            options={
                "verify_aud": False,
                "verify_exp": False,
                "verify_iss": False,
                "verify_nbf": False,
                "verify_iat": False,
            },
        )
    except Exception as error:  # noqa: BLE001 - any failure to verify is the answer "does not verify"
        return Check(
            "signature",
            False,
            f"does not verify with key {quote(kid)}: {quote(str(error), 100)[1:-1]}",
            "the token was not issued by this issuer",
        )
    return Check("signature", True, f"verifies with key {quote(kid)}")
