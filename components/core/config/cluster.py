"""irsa:cluster (pure): kind, name, issuer, audience, provider, thumbprints, kubeconfig, mechanism."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from components.core.aws import EKS_ISSUER, PROVIDER_ARN, THUMBPRINT, issuer_host
from components.core.config import fields
from components.core.config.collector import Collector, show
from components.core.kube import AKS_HOST, CLUSTER_NAME, RESOURCE_GROUP
from components.core.model import (
    ENCRYPTED_KUBECONFIG,
    KINDS,
    Cluster,
    Problem,
)
from components.core.unknowns import is_unknown

CLUSTER_KEYS = (
    "kind",
    "name",
    "resourceGroup",
    "issuerUrl",
    "audience",
    "oidcProviderArn",
    "thumbprints",
    "kubeconfig",
    "mechanism",
    "customIssuer",
    "adoptOidcProvider",
)


def read_cluster(
    c: Collector, raw: Any, region: str | None, path: str = "irsa:cluster", from_platform: bool = False
) -> Cluster | None:
    """One cluster; `from_platform`: taken from a platform stack's outputs, where a value only its deployment
    knows is a placeholder naming the platform stack (kept as it is, never checked or derived from)."""
    if raw is None:
        c.add(path, "is required", "a map with kind, name and, for aks, resourceGroup")
        return None
    if not c.is_map(path, raw, "a map with kind, name and, for aks, resourceGroup"):
        return None
    c.unknown_keys(path, raw, CLUSTER_KEYS)
    kind = raw.get("kind")
    if kind not in KINDS:
        wrong = "is required" if kind is None else f"{show(kind)} is not a supported cluster kind"
        c.add(f"{path}.kind", wrong, "eks or aks")
        kind = None
    name = c.string(f"{path}.name", raw.get("name"))
    if name is not None and kind in CLUSTER_NAME and not CLUSTER_NAME[kind][0].fullmatch(name):
        c.add(f"{path}.name", f"{show(name)} is not an {kind.upper()} cluster name", CLUSTER_NAME[kind][1])
        name = None
    rg = c.string(f"{path}.resourceGroup", raw.get("resourceGroup"), required=kind == "aks")
    if rg is not None and kind == "eks":
        c.add(f"{path}.resourceGroup", "is only used by aks clusters", "remove it for kind: eks")
    elif rg is not None and not (from_platform and is_unknown(rg)) and (
        not RESOURCE_GROUP.fullmatch(rg) or rg.endswith(".")
    ):
        c.add(
            f"{path}.resourceGroup",
            f"{show(rg)} is not an Azure resource group name",
            "1-90 letters, digits, '_', '-', '.', '(' and ')', not ending in '.'",
        )
    custom = c.boolean(f"{path}.customIssuer", raw.get("customIssuer"), False)
    if custom and kind == "eks":
        c.add(f"{path}.customIssuer", "is only used by aks clusters", "remove it: EKS issuers have one shape")
    issuer = c.string(f"{path}.issuerUrl", raw.get("issuerUrl"), required=False)
    if issuer is not None and not (from_platform and is_unknown(issuer)):
        issuer = read_issuer(c, f"{path}.issuerUrl", issuer, kind, custom)
    audience = raw["audience"] if from_platform and is_unknown(raw.get("audience")) else (
        fields.audience(c, f"{path}.audience", raw.get("audience")))
    arn = c.string(f"{path}.oidcProviderArn", raw.get("oidcProviderArn"), required=False)
    if arn is not None and not (from_platform and is_unknown(arn)):
        arn = read_provider_arn(c, f"{path}.oidcProviderArn", arn, None if is_unknown(issuer) else issuer, region)
    thumbprints = read_thumbprints(c, f"{path}.thumbprints", raw.get("thumbprints"))
    kubeconfig = read_kubeconfig(c, f"{path}.kubeconfig", raw.get("kubeconfig"))
    mechanism = fields.mechanism(c, f"{path}.mechanism", raw.get("mechanism"), kind) or "irsa"
    if mechanism == "pod-identity":
        for key in ("issuerUrl", "oidcProviderArn", "audience", "thumbprints"):
            if key in raw:
                c.add(
                    f"{path}.{key}",
                    "is only used with mechanism irsa",
                    "remove it: Pod Identity needs no OIDC provider",
                )
    adopt = c.boolean(f"{path}.adoptOidcProvider", raw.get("adoptOidcProvider"), False)
    if adopt and "oidcProviderArn" in raw:
        c.add(f"{path}.adoptOidcProvider", "is given with oidcProviderArn",
              "one of them: adoptOidcProvider imports and manages it; oidcProviderArn only reuses it")  # fmt: skip
    if adopt and mechanism == "pod-identity":
        c.add(f"{path}.adoptOidcProvider", "is only used with mechanism irsa", "remove it: Pod Identity needs none")
    if kind is None or name is None:
        return None
    return Cluster(kind, name, rg, issuer, audience, arn, thumbprints, kubeconfig, mechanism, adopt)


def read_kubeconfig(c: Collector, path: str, raw: Any) -> str | None:
    """A kubeconfig path or contents; a Pulumi `secure:` value (encrypted in the stack file) is accepted and,
    offline, stands for contents nobody may print."""
    if isinstance(raw, Mapping) and set(raw) == {"secure"} and isinstance(raw["secure"], str):
        return ENCRYPTED_KUBECONFIG
    return c.string(path, raw, required=False)


def check_issuer(path: str, url: str, kind: str | None, custom: bool = False) -> list[Problem]:
    """What is wrong with an issuer URL for a cluster kind (the stack's issuerUrl, or doctor's --issuer)."""
    c = Collector()
    read_issuer(c, path, url, kind, custom)
    return c.problems


def read_issuer(c: Collector, path: str, url: str, kind: str | None, custom: bool = False) -> str | None:
    allowed = "https://<host>[/<path>], no port, query or fragment, at most 255 characters"
    m = re.fullmatch(r"https://([A-Za-z0-9.-]+)(/[\x21-\x7e]*)?", url, re.ASCII)
    if len(url) > 255:
        c.add(path, f"is {len(url)} characters long", allowed)
        return None
    if not url.startswith("https://"):
        c.add(path, f"{show(url)} is not an https URL", allowed)
        return None
    if m is None or "?" in url or "#" in url or "${" in url:
        c.add(path, f"{show(url)} is not a valid OIDC issuer URL", allowed)
        return None
    host, rest = m.group(1), m.group(2) or ""
    if kind == "eks" and not EKS_ISSUER.fullmatch(url):
        c.add(
            path,
            f"{show(url)} is not an EKS issuer URL",
            "https://oidc.eks.<region>.amazonaws.com/id/<32 hex>, no trailing slash",
        )
        return None
    if kind == "aks" and not custom and not AKS_HOST.fullmatch(host):
        c.add(
            path,
            f"{show(url)} is not an AKS issuer URL",
            "https://<region>.oic.prod-aks.azure.com/<tenant>/<cluster>/; for another issuer (a sovereign "
            "cloud, a self-hosted one) say so with customIssuer: true",
        )
        return None
    if kind == "aks" and AKS_HOST.fullmatch(host) and not rest.endswith("/"):
        c.add(
            path,
            f"{show(url)} lacks the trailing slash AKS issuers have",
            "https://<region>.oic.prod-aks.azure.com/<tenant>/<cluster>/ exactly as `az aks show` prints it",
        )
        return None
    return url


def read_provider_arn(c: Collector, path: str, arn: str, issuer: str | None, region: str | None) -> str | None:
    m = PROVIDER_ARN.fullmatch(arn)
    if m is None:
        c.add(
            path,
            f"{show(arn)} is not an IAM OIDC provider ARN",
            "arn:<partition>:iam::<12-digit account>:oidc-provider/<issuer host/path>",
        )
        return None
    if not fields.partition_matches(c, path, m.group(1), region):
        return None
    if issuer is not None and m.group(3).rstrip("/") != issuer_host(issuer).rstrip("/"):
        c.add(
            path,
            f"provider {m.group(3)!r} is not the provider of issuerUrl {issuer!r}",
            f"arn:{m.group(1)}:iam::<account>:oidc-provider/{issuer_host(issuer).rstrip('/')}",
        )
        return None
    return arn


def read_thumbprints(c: Collector, path: str, raw: Any) -> tuple[str, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list) or not 1 <= len(raw) <= 5:
        c.add(
            path,
            f"{show(raw)} is not a list of 1 to 5 thumbprints",
            "1 to 5 SHA-1 fingerprints, 40 hex characters each",
        )
        return ()
    for i, t in enumerate(raw):
        if not isinstance(t, str) or not THUMBPRINT.fullmatch(t):
            c.add(f"{path}[{i}]", f"{show(t)} is not a thumbprint", "40 hex characters")
    return tuple(t.lower() for t in raw if isinstance(t, str))
