"""A local OIDC issuer for tests: HTTPS on 127.0.0.1 with a CA the test creates, discovery + JWKS,
and tokens shaped like the Kubernetes API server's projected ServiceAccount tokens."""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import io
import ipaddress
import json
import ssl
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jwt
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

KID = "test-key-1"


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def _cert(
    subject: str,
    key: rsa.RSAPrivateKey,
    issuer: str,
    issuer_key: rsa.RSAPrivateKey,
    ca: bool,
    hosts: list[str] | None = None,
) -> x509.Certificate:
    now = datetime.datetime.now(datetime.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(_name(issuer))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if ca:
        builder = builder.add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True
        )
    if hosts:
        sans: list[x509.GeneralName] = [x509.DNSName(h) for h in hosts] + [
            x509.IPAddress(ipaddress.ip_address("127.0.0.1"))
        ]
        builder = builder.add_extension(x509.SubjectAlternativeName(sans), critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


@dataclass
class LocalIssuer:
    """Serves discovery and JWKS for every issuer URL in `issuers`, all on one loopback port."""

    issuers: list[str]
    workdir: Path
    discovery_overrides: dict[str, str] = field(default_factory=dict)
    port: int = 0
    # path → a function that writes the whole raw answer (status line included) itself: hostile issuers
    raw_answers: dict[str, Callable[[io.BufferedIOBase], None]] = field(default_factory=dict)
    requests: list[tuple[str, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.signing_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        root_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        mid_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        leaf_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        hosts = sorted({urlsplit(u).hostname or "" for u in self.issuers})
        self.root = _cert("irsa test root CA", root_key, "irsa test root CA", root_key, ca=True)
        self.intermediate = _cert("irsa test intermediate CA", mid_key, "irsa test root CA", root_key, ca=True)
        leaf = _cert(hosts[0], leaf_key, "irsa test intermediate CA", mid_key, ca=False, hosts=hosts)
        pem = serialization.Encoding.PEM
        self.ca_file = self.workdir / "ca.pem"
        self.ca_file.write_bytes(self.root.public_bytes(pem))
        chain_file, key_file = self.workdir / "chain.pem", self.workdir / "key.pem"
        chain_file.write_bytes(leaf.public_bytes(pem) + self.intermediate.public_bytes(pem))
        key_file.write_bytes(
            leaf_key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        )
        self._context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self._context.load_cert_chain(chain_file, key_file)

    @property
    def intermediate_thumbprint(self) -> str:
        """SHA-1 of the top certificate this server sends (the intermediate), as AWS computes it."""
        return hashlib.sha1(self.intermediate.public_bytes(serialization.Encoding.DER)).hexdigest()  # noqa: S324

    def jwks(self) -> dict[str, Any]:
        public = jwt.algorithms.RSAAlgorithm.to_jwk(self.signing_key.public_key(), as_dict=True)
        return {"keys": [{**public, "kid": KID, "use": "sig", "alg": "RS256"}]}

    def _route(self, host: str, path: str) -> Any:
        for issuer in self.issuers:
            parts = urlsplit(issuer)
            base = parts.path.rstrip("/")
            if parts.hostname != host:
                continue
            if path == f"{base}/.well-known/openid-configuration":
                return {
                    "issuer": self.discovery_overrides.get(issuer, issuer),
                    "jwks_uri": f"https://{host}{base}/openid/v1/jwks",
                    "response_types_supported": ["id_token"],
                    "subject_types_supported": ["public"],
                    "id_token_signing_alg_values_supported": ["RS256"],
                }
            if path == f"{base}/openid/v1/jwks":
                return self.jwks()
        return None

    def start(self) -> LocalIssuer:
        issuer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                host = (self.headers.get("Host") or "").split(":")[0]
                issuer.requests.append((host, self.path))
                raw = issuer.raw_answers.get(self.path)
                if raw is not None:
                    with contextlib.suppress(OSError):
                        raw(self.wfile)
                    self.close_connection = True
                    return
                body = issuer._route(host, self.path)
                data = json.dumps(body).encode() if body is not None else b"{}"
                self.send_response(200 if body is not None else 404)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.socket = self._context.wrap_socket(self._server.socket, server_side=True)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def token(
        self,
        iss: str,
        namespace: str,
        service_account: str,
        audiences: list[str],
        lifetime: int = 3600,
        age: int = 0,
        not_before_in: int = 0,
        sub: str | None = None,
    ) -> str:
        """A token shaped like a projected ServiceAccount token from the Kubernetes API server."""
        now = int(time.time()) - age
        claims = {
            "iss": iss,
            "sub": sub or f"system:serviceaccount:{namespace}:{service_account}",
            "aud": audiences,
            "iat": now,
            "nbf": now + not_before_in,
            "exp": now + lifetime,
            "kubernetes.io": {
                "namespace": namespace,
                "serviceaccount": {"name": service_account, "uid": str(uuid.uuid4())},
                "pod": {"name": f"{service_account}-0", "uid": str(uuid.uuid4())},
            },
        }
        return jwt.encode(claims, self.signing_key, algorithm="RS256", headers={"kid": KID})
