"""Stack configuration → validated, frozen settings (pure: no Pulumi resources)."""

from __future__ import annotations

import dataclasses
import difflib
import ipaddress
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from components import names
from components.display import one_line, quote

DEFAULT_AUDIENCE = "sts.amazonaws.com"
DEFAULT_JOB_IMAGE = "public.ecr.aws/lambda/python:3.12"
DEFAULT_TRUST_POLICY_MAX_CHARS = 2048
KINDS = ("eks", "aks")
ACCESS_LEVELS = ("read", "write", "read-write")

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
)
WORKLOAD_KEYS = (
    "name",
    "namespace",
    "serviceAccount",
    "s3",
    "sampleJob",
    "createNamespace",
    "maxSessionDuration",
    "tokenExpirationSeconds",
    "jobImage",
    "extraSubjects",
    "assumeRoles",
    "presets",
    "presetOptions",
    "createServiceAccount",
)
PRESET_OPTION_KEYS = ("hostedZoneIds", "secretArns", "parameterArns")
GRANT_KEYS = ("bucket", "prefix", "access")
CROSS_ACCOUNT_KEYS = ("accountId", "profile", "roleArn", "region", "roles")
CROSS_ROLE_KEYS = ("name", "trustedWorkloads", "externalId", "s3")
PROJECT_KEYS = ("cluster", "workloads", "trustPolicyMaxChars", "crossAccount")
MECHANISMS = ("irsa", "pod-identity")

STACK_NAME = re.compile(r"[A-Za-z0-9_.-]{1,100}", re.ASCII)
STACK_NAME_RULE = "1-100 letters, digits, '-', '_', '.'"
ENCRYPTED_KUBECONFIG = "[secret: encrypted in the stack file]"
CLUSTER_NAME = {
    "eks": (
        re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,99}", re.ASCII),
        "an EKS cluster name: 1-100 letters, digits, '-' and '_', starting with a letter or digit",
    ),
    "aks": (
        re.compile(r"[A-Za-z0-9]([A-Za-z0-9_-]{0,61}[A-Za-z0-9])?", re.ASCII),
        "an AKS cluster name: 1-63 letters, digits, '-' and '_', starting and ending with a letter or digit",
    ),
}
_RESOURCE_GROUP = re.compile(r"[\w().-]{1,90}")
_IMAGE = re.compile(
    r"([A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?(:[0-9]{1,5})?/)?"
    r"[a-z0-9]+(([._]|__|-+)[a-z0-9]+)*(/[a-z0-9]+(([._]|__|-+)[a-z0-9]+)*)*"
    r"(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(@sha256:[a-f0-9]{64})?",
    re.ASCII,
)
_DNS_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?", re.ASCII)
_DNS_SUBDOMAIN = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*", re.ASCII)
_WORKLOAD_NAME = re.compile(r"[a-z]([-a-z0-9]*[a-z0-9])?", re.ASCII)
_BUCKET = re.compile(r"[a-z0-9][a-z0-9.-]*[a-z0-9]", re.ASCII)
_PROVIDER_ARN = re.compile(
    r"arn:(aws|aws-cn|aws-us-gov|aws-iso|aws-iso-b|aws-iso-e|aws-iso-f):iam::(\d{12}):oidc-provider/(\S+)", re.ASCII
)
_EKS_ISSUER = re.compile(r"https://oidc\.eks\.[a-z0-9-]+\.amazonaws\.com(\.cn)?/id/[0-9A-F]{32}", re.ASCII)
_AKS_HOST = re.compile(r"[a-z0-9-]+\.oic\.prod-aks\.azure\.com", re.ASCII)
_REGION = re.compile(r"[a-z]{2}(-[a-z]+)+-\d+", re.ASCII)
_SUBJECT = re.compile(r"system:serviceaccount:([a-z0-9*?-]{1,63}):([a-z0-9.*?-]{1,253})", re.ASCII)
_ROLE_ARN = re.compile(
    r"arn:(aws|aws-cn|aws-us-gov|aws-iso|aws-iso-b|aws-iso-e|aws-iso-f):iam::(\d{12}):role/([\w+=,.@/-]{1,512})",
    re.ASCII,
)
_ROLE_NAME = re.compile(r"[\w+=,.@-]{1,64}", re.ASCII)
_EXTERNAL_ID = re.compile(r"[\w+=,.@:/-]{2,1224}", re.ASCII)
_THUMBPRINT = re.compile(r"[0-9a-fA-F]{40}", re.ASCII)
_BUCKET_PREFIXES = ("xn--", "sthree-", "amzn-s3-demo-")
_BUCKET_SUFFIXES = ("-s3alias", "--ol-s3", ".mrap", "--x-s3")


@dataclass(frozen=True)
class Problem:
    """One invalid input: where, what is wrong, what is allowed."""

    path: str
    wrong: str
    allowed: str

    def __str__(self) -> str:
        return one_line(f"{self.path}: {self.wrong} ({self.allowed})")


class ConfigError(Exception):
    """Every problem found in a stack configuration, reported at once."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass(frozen=True)
class S3Grant:
    bucket: str
    prefix: str
    access: str


@dataclass(frozen=True)
class Workload:
    name: str
    namespace: str
    service_account: str
    s3: tuple[S3Grant, ...]
    sample_job: bool = True
    create_namespace: bool = False
    max_session_duration: int = 3600
    token_expiration_seconds: int = 3600
    job_image: str = DEFAULT_JOB_IMAGE
    extra_subjects: tuple[str, ...] = ()
    assume_roles: tuple[str, ...] = ()
    presets: tuple[str, ...] = ()
    create_service_account: bool = True
    hosted_zone_ids: tuple[str, ...] = ()
    secret_arns: tuple[str, ...] = ()
    parameter_arns: tuple[str, ...] = ()

    @property
    def subjects(self) -> tuple[str, ...]:
        """Every `sub` the role trusts: its own ServiceAccount first."""
        return (f"system:serviceaccount:{self.namespace}:{self.service_account}", *self.extra_subjects)


@dataclass(frozen=True)
class CrossAccountRole:
    """A role the stack creates in another account for some of its workloads to assume."""

    name: str
    trusted_workloads: tuple[str, ...]
    s3: tuple[S3Grant, ...]
    external_id: str | None = None


@dataclass(frozen=True)
class CrossAccount:
    """The other account, how to reach it, and the roles to create there."""

    account_id: str
    roles: tuple[CrossAccountRole, ...]
    profile: str | None = None
    role_arn: str | None = None
    region: str | None = None

    def role_arn_of(self, role: CrossAccountRole, partition: str) -> str:
        return f"arn:{partition}:iam::{self.account_id}:role/{role.name}"


@dataclass(frozen=True)
class Cluster:
    kind: str
    name: str
    resource_group: str | None = None
    issuer_url: str | None = None
    audience: str = DEFAULT_AUDIENCE
    oidc_provider_arn: str | None = None
    thumbprints: tuple[str, ...] = ()
    kubeconfig: str | None = None
    mechanism: str = "irsa"


@dataclass(frozen=True)
class Settings:
    stack: str
    region: str
    cluster: Cluster
    workloads: tuple[Workload, ...]
    trust_policy_max_chars: int = DEFAULT_TRUST_POLICY_MAX_CHARS
    project: str = "irsa"
    warnings: tuple[str, ...] = ()
    cross_account: CrossAccount | None = None

    @property
    def partition(self) -> str:
        return partition_of(self.region)


def partition_of(region: str) -> str:
    """AWS partition that a region belongs to."""
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    if region.startswith("us-isob-"):
        return "aws-iso-b"
    if region.startswith("us-iso-"):
        return "aws-iso"
    return "aws"


def issuer_host(issuer_url: str) -> str:
    """Condition-key prefix of an issuer: the URL without https://, verbatim."""
    return issuer_url.removeprefix("https://")


class _Collector:
    """Accumulates problems while reading raw config values."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, path: str, wrong: str, allowed: str) -> None:
        self.problems.append(Problem(path, wrong, allowed))

    def unknown_keys(self, path: str, value: Mapping[str, Any], known: tuple[str, ...]) -> None:
        for key in value:
            if key not in known:
                close = difflib.get_close_matches(str(key)[:100], known, n=1)
                hint = f"did you mean {close[0]!r}? " if close else ""
                self.add(f"{path}.{_key(key)}", "unknown key", f"{hint}known keys: {', '.join(known)}")

    def items(self, path: str, value: Any, allowed: str, *, required: bool = True) -> list[Any] | None:
        """A non-empty list, or None after saying why not (silently None when absent and optional)."""
        if value is None:
            if required:
                self.add(path, "is required", allowed)
            return None
        if not isinstance(value, list) or not value:
            self.add(path, f"{_show(value)} is not a non-empty list", allowed)
            return None
        return value

    def string(self, path: str, value: Any, *, required: bool = True) -> str | None:
        if value is None:
            if required:
                self.add(path, "is required", "a non-empty string")
            return None
        if not isinstance(value, str) or not value:
            self.add(path, f"{_show(value)} is not a non-empty string", "a non-empty string")
            return None
        return value

    def boolean(self, path: str, value: Any, default: bool) -> bool:
        if value is None:
            return default
        if not isinstance(value, bool):
            self.add(path, f"{_show(value)} is not a boolean", "true or false")
            return default
        return value

    def integer(self, path: str, value: Any, default: int, low: int, high: int, what: str) -> int:
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int):
            self.add(path, f"{_show(value)} is not an integer", f"{what}: an integer from {low} to {high}")
            return default
        if not low <= value <= high:
            self.add(path, f"{value} is out of range", f"{what}: {low} to {high}")
            return default
        return value


def _show(value: Any) -> str:
    return quote(value)


def _key(key: Any) -> str:
    """A map key as a path segment: escaped and bounded like any shown value."""
    return quote(key, 60)[1:-1] if isinstance(key, str) else quote(key, 60)


def parse_settings(config: Mapping[str, Any], stack: str) -> Settings:
    """Validate a stack's config map (keys like `irsa:cluster`); raise ConfigError listing every problem."""
    c = _Collector()
    if not isinstance(stack, str) or not STACK_NAME.fullmatch(stack):
        c.add("stack", f"{_show(stack)} is not a valid stack name", STACK_NAME_RULE)
        stack = "stack"
    for key in config:
        if isinstance(key, str) and key.startswith("irsa:") and key[5:] not in PROJECT_KEYS:
            known = tuple(f"irsa:{k}" for k in PROJECT_KEYS)
            close = difflib.get_close_matches(key[:100], known, n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            c.add(_key(key), "unknown key", f"{hint}known keys: {', '.join(known)}")

    region = c.string("aws:region", config.get("aws:region"))
    if region is not None and not _REGION.fullmatch(region):
        c.add("aws:region", f"{_show(region)} is not an AWS region", "for example ap-northeast-2")
        region = None
    max_trust = c.integer(
        "irsa:trustPolicyMaxChars",
        config.get("irsa:trustPolicyMaxChars"),
        DEFAULT_TRUST_POLICY_MAX_CHARS,
        2048,
        8192,
        "IAM trust policy size quota",
    )
    cluster = _cluster(c, config.get("irsa:cluster"), region)
    workloads = _workloads(c, config.get("irsa:workloads"), stack, region)
    cross = _cross_account(c, config.get("irsa:crossAccount"), region, workloads)
    if cluster is not None and cluster.mechanism == "pod-identity":
        for i, w in enumerate(workloads):
            if w.extra_subjects:
                c.add(
                    f"irsa:workloads[{i}].extraSubjects",
                    "is only used with mechanism irsa",
                    "Pod Identity pins one namespace/ServiceAccount per association: add a workload instead",
                )

    if c.problems or cluster is None or region is None:
        raise ConfigError(c.problems)
    if cross is not None:
        # Workloads a cross-account role trusts may assume it: their policies name it.
        extra_arns = {
            w.name: [cross.role_arn_of(r, partition_of(region)) for r in cross.roles if w.name in r.trusted_workloads]
            for w in workloads
        }
        workloads = tuple(
            dataclasses.replace(w, assume_roles=tuple(dict.fromkeys([*w.assume_roles, *extra_arns[w.name]])))
            for w in workloads
        )
    warnings = tuple(
        f"irsa:workloads[{i}].extraSubjects: {sub!r} is a wildcard: the trust policy uses StringLike and "
        "every matching ServiceAccount can assume the role"
        for i, w in enumerate(workloads)
        for sub in w.extra_subjects
        if is_wildcard(sub)
    )
    settings = Settings(stack, region, cluster, workloads, max_trust, warnings=warnings, cross_account=cross)
    size_problems = policy_size_problems(settings)
    if size_problems:
        raise ConfigError(size_problems)
    return settings


def _cluster(c: _Collector, raw: Any, region: str | None) -> Cluster | None:
    path = "irsa:cluster"
    if raw is None:
        c.add(path, "is required", "a map with kind, name and, for aks, resourceGroup")
        return None
    if not isinstance(raw, Mapping):
        c.add(path, f"{_show(raw)} is not a map", "a map with kind, name and, for aks, resourceGroup")
        return None
    c.unknown_keys(path, raw, CLUSTER_KEYS)
    kind = raw.get("kind")
    if kind not in KINDS:
        wrong = "is required" if kind is None else f"{_show(kind)} is not a supported cluster kind"
        c.add(f"{path}.kind", wrong, "eks or aks")
        kind = None
    name = c.string(f"{path}.name", raw.get("name"))
    if name is not None and kind in CLUSTER_NAME and not CLUSTER_NAME[kind][0].fullmatch(name):
        c.add(f"{path}.name", f"{_show(name)} is not an {kind.upper()} cluster name", CLUSTER_NAME[kind][1])
        name = None
    rg = c.string(f"{path}.resourceGroup", raw.get("resourceGroup"), required=kind == "aks")
    if rg is not None and kind == "eks":
        c.add(f"{path}.resourceGroup", "is only used by aks clusters", "remove it for kind: eks")
    elif rg is not None and (not _RESOURCE_GROUP.fullmatch(rg) or rg.endswith(".")):
        c.add(
            f"{path}.resourceGroup",
            f"{_show(rg)} is not an Azure resource group name",
            "1-90 letters, digits, '_', '-', '.', '(' and ')', not ending in '.'",
        )
    custom = c.boolean(f"{path}.customIssuer", raw.get("customIssuer"), False)
    if custom and kind == "eks":
        c.add(f"{path}.customIssuer", "is only used by aks clusters", "remove it: EKS issuers have one shape")
    issuer = c.string(f"{path}.issuerUrl", raw.get("issuerUrl"), required=False)
    if issuer is not None:
        issuer = _issuer(c, f"{path}.issuerUrl", issuer, kind, custom)
    audience = c.string(f"{path}.audience", raw.get("audience"), required=False) or DEFAULT_AUDIENCE
    if len(audience) > 255:
        c.add(f"{path}.audience", f"is {len(audience)} characters long", "an IAM client ID: 1 to 255 characters")
    arn = c.string(f"{path}.oidcProviderArn", raw.get("oidcProviderArn"), required=False)
    if arn is not None:
        arn = _provider_arn(c, f"{path}.oidcProviderArn", arn, issuer, region)
    thumbprints = _thumbprints(c, f"{path}.thumbprints", raw.get("thumbprints"))
    kubeconfig = _kubeconfig(c, f"{path}.kubeconfig", raw.get("kubeconfig"))
    mechanism = raw.get("mechanism", "irsa")
    if mechanism not in MECHANISMS:
        c.add(f"{path}.mechanism", f"{_show(mechanism)} is not a mechanism", "irsa or pod-identity")
        mechanism = "irsa"
    elif mechanism == "pod-identity":
        if kind == "aks":
            c.add(
                f"{path}.mechanism",
                "pod-identity is only for kind: eks",
                "irsa for aks: EKS Pod Identity needs the EKS Pod Identity Agent",
            )
        for key in ("issuerUrl", "oidcProviderArn", "audience", "thumbprints"):
            if key in raw:
                c.add(
                    f"{path}.{key}",
                    "is only used with mechanism irsa",
                    "remove it: Pod Identity needs no OIDC provider",
                )
    if kind is None or name is None:
        return None
    return Cluster(kind, name, rg, issuer, audience, arn, thumbprints, kubeconfig, mechanism)


def _kubeconfig(c: _Collector, path: str, raw: Any) -> str | None:
    """A kubeconfig path or contents; a Pulumi `secure:` value (encrypted in the stack file) is accepted and,
    offline, stands for contents nobody may print."""
    if isinstance(raw, Mapping) and set(raw) == {"secure"} and isinstance(raw["secure"], str):
        return ENCRYPTED_KUBECONFIG
    return c.string(path, raw, required=False)


def is_kubeconfig_contents(value: str) -> bool:
    """Whether a kubeconfig setting holds the file's contents (credentials) rather than a path to it."""
    return value == ENCRYPTED_KUBECONFIG or "\n" in value or value.lstrip().startswith(("{", "apiVersion"))


def check_issuer(path: str, url: str, kind: str | None, custom: bool = False) -> list[Problem]:
    """What is wrong with an issuer URL for a cluster kind (the stack's issuerUrl, or doctor's --issuer)."""
    c = _Collector()
    _issuer(c, path, url, kind, custom)
    return c.problems


def _issuer(c: _Collector, path: str, url: str, kind: str | None, custom: bool = False) -> str | None:
    allowed = "https://<host>[/<path>], no port, query or fragment, at most 255 characters"
    m = re.fullmatch(r"https://([A-Za-z0-9.-]+)(/[\x21-\x7e]*)?", url, re.ASCII)
    if len(url) > 255:
        c.add(path, f"is {len(url)} characters long", allowed)
        return None
    if not url.startswith("https://"):
        c.add(path, f"{_show(url)} is not an https URL", allowed)
        return None
    if m is None or "?" in url or "#" in url or "${" in url:
        c.add(path, f"{_show(url)} is not a valid OIDC issuer URL", allowed)
        return None
    host, rest = m.group(1), m.group(2) or ""
    if kind == "eks" and not _EKS_ISSUER.fullmatch(url):
        c.add(
            path,
            f"{_show(url)} is not an EKS issuer URL",
            "https://oidc.eks.<region>.amazonaws.com/id/<32 hex>, no trailing slash",
        )
        return None
    if kind == "aks" and not custom and not _AKS_HOST.fullmatch(host):
        c.add(
            path,
            f"{_show(url)} is not an AKS issuer URL",
            "https://<region>.oic.prod-aks.azure.com/<tenant>/<cluster>/; for another issuer (a sovereign "
            "cloud, a self-hosted one) say so with customIssuer: true",
        )
        return None
    if kind == "aks" and _AKS_HOST.fullmatch(host) and not rest.endswith("/"):
        c.add(
            path,
            f"{_show(url)} lacks the trailing slash AKS issuers have",
            "https://<region>.oic.prod-aks.azure.com/<tenant>/<cluster>/ exactly as `az aks show` prints it",
        )
        return None
    return url


def _provider_arn(c: _Collector, path: str, arn: str, issuer: str | None, region: str | None) -> str | None:
    m = _PROVIDER_ARN.fullmatch(arn)
    if m is None:
        c.add(
            path,
            f"{_show(arn)} is not an IAM OIDC provider ARN",
            "arn:<partition>:iam::<12-digit account>:oidc-provider/<issuer host/path>",
        )
        return None
    if region is not None and m.group(1) != partition_of(region):
        c.add(
            path,
            f"partition {m.group(1)!r} does not match region {region!r}",
            f"an ARN in partition {partition_of(region)!r}",
        )
        return None
    if issuer is not None and m.group(3).rstrip("/") != issuer_host(issuer).rstrip("/"):
        c.add(
            path,
            f"provider {m.group(3)!r} is not the provider of issuerUrl {issuer!r}",
            f"arn:{m.group(1)}:iam::<account>:oidc-provider/{issuer_host(issuer).rstrip('/')}",
        )
        return None
    return arn


def _thumbprints(c: _Collector, path: str, raw: Any) -> tuple[str, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list) or not 1 <= len(raw) <= 5:
        c.add(
            path,
            f"{_show(raw)} is not a list of 1 to 5 thumbprints",
            "1 to 5 SHA-1 fingerprints, 40 hex characters each",
        )
        return ()
    for i, t in enumerate(raw):
        if not isinstance(t, str) or not _THUMBPRINT.fullmatch(t):
            c.add(f"{path}[{i}]", f"{_show(t)} is not a thumbprint", "40 hex characters")
    return tuple(t.lower() for t in raw if isinstance(t, str))


def _workloads(c: _Collector, raw: Any, stack: str, region: str | None) -> tuple[Workload, ...]:
    path = "irsa:workloads"
    raw = c.items(path, raw, "a non-empty list of workloads")
    if raw is None:
        return ()
    result: list[Workload] = []
    seen_names: dict[str, int] = {}
    seen_role_names: dict[str, int] = {}
    seen_subjects: dict[tuple[str, str], int] = {}
    for i, item in enumerate(raw):
        w = _workload(c, f"{path}[{i}]", item, stack, region)
        if w is not None:
            result.append(w)
        if not isinstance(item, Mapping):
            continue
        # Clashes are checked on the raw values too, so an invalid workload still reports its duplicate.
        name, ns, sa = item.get("name"), item.get("namespace"), item.get("serviceAccount")
        if isinstance(name, str):
            if name in seen_names:
                c.add(
                    f"{path}[{i}].name",
                    f"{_show(name)} is already used by {path}[{seen_names[name]}]",
                    "unique workload names",
                )
            else:
                seen_names[name] = i
                role = names.role_name(stack, name).lower()
                if role in seen_role_names:
                    c.add(
                        f"{path}[{i}].name",
                        f"IAM role name {names.role_name(stack, name)!r} clashes with {path}[{seen_role_names[role]}]",
                        "IAM role names unique case-insensitively",
                    )
                seen_role_names.setdefault(role, i)
        if isinstance(ns, str) and isinstance(sa, str):
            if (ns, sa) in seen_subjects:
                c.add(
                    f"{path}[{i}].serviceAccount",
                    f"{ns}/{sa} is already used by {path}[{seen_subjects[(ns, sa)]}]",
                    "one workload per namespace/ServiceAccount",
                )
            else:
                seen_subjects[(ns, sa)] = i
    return tuple(result)


def _workload(c: _Collector, path: str, raw: Any, stack: str, region: str | None) -> Workload | None:
    if not isinstance(raw, Mapping):
        c.add(path, f"{_show(raw)} is not a map", "a map with name, namespace, serviceAccount and s3")
        return None
    c.unknown_keys(path, raw, WORKLOAD_KEYS)
    before = len(c.problems)
    sample_job = c.boolean(f"{path}.sampleJob", raw.get("sampleJob"), True)
    name = c.string(f"{path}.name", raw.get("name"))
    if name is not None:
        name = _workload_name(c, f"{path}.name", name, stack, sample_job)
    namespace = c.string(f"{path}.namespace", raw.get("namespace"))
    if namespace is not None and (len(namespace) > 63 or not _DNS_LABEL.fullmatch(namespace)):
        c.add(
            f"{path}.namespace",
            f"{_show(namespace)} is not a valid Kubernetes namespace",
            "lowercase RFC 1123 label, at most 63 characters",
        )
    sa = c.string(f"{path}.serviceAccount", raw.get("serviceAccount"))
    if sa is not None and (len(sa) > 253 or not _DNS_SUBDOMAIN.fullmatch(sa)):
        c.add(
            f"{path}.serviceAccount",
            f"{_show(sa)} is not a valid ServiceAccount name",
            "lowercase RFC 1123 subdomain, at most 253 characters",
        )
    assume_roles = _role_arns(c, f"{path}.assumeRoles", raw.get("assumeRoles"), region)
    presets, zones, secrets, parameters = _presets(c, path, raw.get("presets"), raw.get("presetOptions"))
    create_sa = c.boolean(f"{path}.createServiceAccount", raw.get("createServiceAccount"), True)
    # no cascade: a workload listing (even misspelt) presets or roles needs no S3 grant
    grants = _grants(c, f"{path}.s3", raw.get("s3"), required=not raw.get("assumeRoles") and not raw.get("presets"))
    create_ns = c.boolean(f"{path}.createNamespace", raw.get("createNamespace"), False)
    max_session = c.integer(
        f"{path}.maxSessionDuration",
        raw.get("maxSessionDuration"),
        3600,
        3600,
        43200,
        "IAM MaxSessionDuration in seconds",
    )
    expiration = c.integer(
        f"{path}.tokenExpirationSeconds",
        raw.get("tokenExpirationSeconds"),
        3600,
        600,
        86400,
        "projected token expirationSeconds: at least 600, at most one day",
    )
    image = c.string(f"{path}.jobImage", raw.get("jobImage"), required=False) or DEFAULT_JOB_IMAGE
    if len(image) > 255 or not _IMAGE.fullmatch(image):
        c.add(
            f"{path}.jobImage",
            f"{_show(image)} is not a container image reference",
            "[registry[:port]/]repository[:tag][@sha256:digest], at most 255 characters",
        )
    extra = _extra_subjects(c, f"{path}.extraSubjects", raw.get("extraSubjects"))
    if len(c.problems) > before or name is None or namespace is None or sa is None:
        return None
    return Workload(
        name,
        namespace,
        sa,
        grants,
        sample_job,
        create_ns,
        max_session,
        expiration,
        image,
        extra,
        assume_roles,
        presets=presets,
        create_service_account=create_sa,
        hosted_zone_ids=zones,
        secret_arns=secrets,
        parameter_arns=parameters,
    )


_ZONE_ID = re.compile(r"Z[A-Z0-9]{1,32}", re.ASCII)
_SECRET_ARN = re.compile(r"arn:[a-z-]+:secretsmanager:[a-z0-9-]+:\d{12}:secret:[\w/+=.@-]+\*?", re.ASCII)
_PARAMETER_ARN = re.compile(r"arn:[a-z-]+:ssm:[a-z0-9-]+:\d{12}:parameter/[\w/.-]+\*?", re.ASCII)


def _presets(
    c: _Collector, path: str, raw: Any, raw_options: Any
) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    from components.presets import PRESETS  # local: presets is pure but not needed by most stacks

    names: list[str] = []
    listed = c.items(f"{path}.presets", raw, f"preset names: {', '.join(PRESETS)}", required=False) or []
    for i, name in enumerate(listed):
        if not isinstance(name, str) or name not in PRESETS:
            close = difflib.get_close_matches(str(name), list(PRESETS), n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            c.add(
                f"{path}.presets[{i}]",
                f"{_show(name)} is not a known preset",
                f"{hint}known presets: {', '.join(PRESETS)}",
            )
        elif name not in names:
            names.append(name)
    options = raw_options if isinstance(raw_options, Mapping) else {}
    if raw_options is not None and not isinstance(raw_options, Mapping):
        c.add(f"{path}.presetOptions", f"{_show(raw_options)} is not a map", "hostedZoneIds, secretArns, parameterArns")
    elif raw_options is not None:
        c.unknown_keys(f"{path}.presetOptions", options, PRESET_OPTION_KEYS)

    def values(key: str, pattern: re.Pattern[str], what: str) -> tuple[str, ...]:
        got = options.get(key)
        if got is None:
            return ()
        if not isinstance(got, list) or not all(isinstance(v, str) and pattern.fullmatch(v) for v in got):
            c.add(f"{path}.presetOptions.{key}", f"{_show(got)} is not a list of {what}", f"a list of {what}")
            return ()
        return tuple(got)

    zones = values("hostedZoneIds", _ZONE_ID, "Route 53 hosted zone IDs (Z...)")
    secrets = values("secretArns", _SECRET_ARN, "Secrets Manager secret ARNs")
    parameters = values("parameterArns", _PARAMETER_ARN, "SSM parameter ARNs")
    given = {"hostedZoneIds": zones, "secretArns": secrets, "parameterArns": parameters}
    for name in names:
        for need in PRESETS[name].needs:
            if not any(given[k] for k in need.split("|")):
                c.add(
                    f"{path}.presetOptions",
                    f"preset {name!r} needs {' or '.join(need.split('|'))}",
                    "scoping inputs, so the preset never grants on every zone, secret or parameter",
                )
    return tuple(names), zones, secrets, parameters


def _role_arns(c: _Collector, path: str, raw: Any, region: str | None) -> tuple[str, ...]:
    allowed = "IAM role ARNs: arn:<partition>:iam::<12-digit account>:role/<name> (never an account root)"
    raw = c.items(path, raw, allowed, required=False)
    if raw is None:
        return ()
    arns = []
    for i, arn in enumerate(raw):
        m = _ROLE_ARN.fullmatch(arn) if isinstance(arn, str) else None
        if m is None:
            c.add(f"{path}[{i}]", f"{_show(arn)} is not an IAM role ARN", allowed)
        elif region is not None and m.group(1) != partition_of(region):
            c.add(
                f"{path}[{i}]",
                f"partition {m.group(1)!r} does not match region {region!r}",
                f"an ARN in partition {partition_of(region)!r}",
            )
        else:
            arns.append(arn)
    return tuple(arns)


def _cross_account(c: _Collector, raw: Any, region: str | None, workloads: tuple[Workload, ...]) -> CrossAccount | None:
    path = "irsa:crossAccount"
    if raw is None:
        return None
    if not isinstance(raw, Mapping):
        c.add(path, f"{_show(raw)} is not a map", "a map with accountId, profile or roleArn, and roles")
        return None
    c.unknown_keys(path, raw, CROSS_ACCOUNT_KEYS)
    account = raw.get("accountId")
    if isinstance(account, int) and not isinstance(account, bool):
        c.add(f"{path}.accountId", f"{account} is a number", "a 12-digit string: quote it, leading zeros matter")
        account = None
    elif not isinstance(account, str) or not re.fullmatch(r"\d{12}", account):
        wrong = "is required" if account is None else f"{_show(account)} is not an AWS account ID"
        c.add(f"{path}.accountId", wrong, "12 digits, as a string")
        account = None
    profile = c.string(f"{path}.profile", raw.get("profile"), required=False)
    role_arn = c.string(f"{path}.roleArn", raw.get("roleArn"), required=False)
    if role_arn is not None and not _role_arns(c, f"{path}.roleArn", [role_arn], region):
        role_arn = None
    if profile is None and role_arn is None and "profile" not in raw and "roleArn" not in raw:
        c.add(
            path,
            "names no credentials for the other account",
            "profile (an AWS profile) or roleArn (a role to assume there)",
        )
    target_region = c.string(f"{path}.region", raw.get("region"), required=False)
    if target_region is not None and not _REGION.fullmatch(target_region):
        c.add(f"{path}.region", f"{_show(target_region)} is not an AWS region", "for example ap-northeast-2")
    roles_raw = c.items(
        f"{path}.roles", raw.get("roles"), "a non-empty list of {name, trustedWorkloads, externalId, s3}"
    )
    if roles_raw is None:
        return None
    known = {w.name for w in workloads}
    roles = []
    seen: set[str] = set()
    for i, r in enumerate(roles_raw):
        p = f"{path}.roles[{i}]"
        if not isinstance(r, Mapping):
            c.add(p, f"{_show(r)} is not a map", "a map with name, trustedWorkloads, externalId and s3")
            continue
        c.unknown_keys(p, r, CROSS_ROLE_KEYS)
        name = c.string(f"{p}.name", r.get("name"))
        if name is not None and not _ROLE_NAME.fullmatch(name):
            c.add(f"{p}.name", f"{_show(name)} is not an IAM role name", "1-64 of letters, digits and +=,.@_-")
            name = None
        elif name is not None and name.lower() in seen:
            c.add(f"{p}.name", f"{_show(name)} is already used", "role names unique case-insensitively")
        elif name is not None:
            seen.add(name.lower())
        trusted = r.get("trustedWorkloads")
        if not isinstance(trusted, list) or not trusted or not all(isinstance(t, str) for t in trusted):
            c.add(
                f"{p}.trustedWorkloads",
                f"{_show(trusted)} is not a non-empty list of workload names",
                "names from irsa:workloads: their roles, never the whole account, are trusted",
            )
            trusted = []
        for t in trusted:
            if known and t not in known:
                c.add(
                    f"{p}.trustedWorkloads",
                    f"{_show(t)} is not a workload of this stack",
                    f"one of: {', '.join(sorted(known))}",
                )
        external = r.get("externalId")
        if external is not None and (not isinstance(external, str) or not _EXTERNAL_ID.fullmatch(external)):
            c.add(
                f"{p}.externalId", f"{_show(external)} is not an external ID", "2-1224 of letters, digits and +=,.@:/-"
            )
            external = None
        grants = _grants(c, f"{p}.s3", r.get("s3"))
        if name is not None and trusted:
            roles.append(CrossAccountRole(name, tuple(trusted), grants, external))
    if account is None:
        return None
    return CrossAccount(account, tuple(roles), profile, role_arn, target_region)


def is_wildcard(subject: str) -> bool:
    """Whether a subject needs StringLike (IAM's `*` and `?`)."""
    return "*" in subject or "?" in subject


def _extra_subjects(c: _Collector, path: str, raw: Any) -> tuple[str, ...]:
    if raw is None:
        return ()
    allowed = (
        "system:serviceaccount:<namespace>:<serviceAccount>; '*' and '?' only inside a name, "
        "the namespace keeping at least one literal character"
    )
    if not isinstance(raw, list):
        c.add(path, f"{_show(raw)} is not a list", f"a list of subjects: {allowed}")
        return ()
    subjects = []
    for i, sub in enumerate(raw):
        m = _SUBJECT.fullmatch(sub) if isinstance(sub, str) else None
        if m is None or not m.group(1).strip("*?"):
            c.add(f"{path}[{i}]", f"{_show(sub)} is not a ServiceAccount subject", allowed)
            continue
        subjects.append(sub)
    return tuple(subjects)


def _workload_name(c: _Collector, path: str, name: str, stack: str, sample_job: bool) -> str | None:
    if not _WORKLOAD_NAME.fullmatch(name):
        c.add(
            path,
            f"{_show(name)} is not a valid workload name",
            "lowercase letters, digits and '-', starting with a letter, ending with a letter or digit",
        )
        return None
    for what, derived, limit in names.derived_names(stack, name, sample_job):
        if len(derived) > limit:
            c.add(
                path,
                f"{what} {derived!r} would be {len(derived)} characters",
                f"{what}s are at most {limit}: shorten the workload name by {len(derived) - limit}",
            )
            return None
    return name


def _grants(c: _Collector, path: str, raw: Any, required: bool = True) -> tuple[S3Grant, ...]:
    raw = c.items(path, raw, "a non-empty list of {bucket, prefix, access} grants", required=required)
    if raw is None:
        return ()
    grants = []
    for i, g in enumerate(raw):
        p = f"{path}[{i}]"
        if not isinstance(g, Mapping):
            c.add(p, f"{_show(g)} is not a map", "a map with bucket, prefix (optional) and access")
            continue
        c.unknown_keys(p, g, GRANT_KEYS)
        bucket = c.string(f"{p}.bucket", g.get("bucket"))
        if bucket is not None:
            wrong = bucket_problem(bucket)
            if wrong:
                c.add(
                    f"{p}.bucket",
                    f"{_show(bucket)} {wrong}",
                    "an S3 bucket name: 3-63 lowercase letters, digits, '.', '-', "
                    "starting and ending with a letter or digit",
                )
                bucket = None
        prefix = g.get("prefix", "")
        if prefix is None:
            prefix = ""
        if not isinstance(prefix, str):
            c.add(f"{p}.prefix", f"{_show(prefix)} is not a string", "an object key prefix such as uploads/")
            prefix = None
        elif (
            any(ch in prefix for ch in "*?")
            or "${" in prefix
            or any(unicodedata.category(ch) == "Cc" for ch in prefix)
            or prefix.startswith("/")
            or len(prefix) > 1024
        ):
            c.add(
                f"{p}.prefix",
                f"{_show(prefix)} is not a literal key prefix",
                "no '*', '?' or '${', which IAM reads as wildcards and policy variables; no control characters; "
                "no leading '/'; at most 1024 characters; for example uploads/",
            )
            prefix = None
        access = g.get("access")
        if access not in ACCESS_LEVELS:
            wrong = "is required" if access is None else f"{_show(access)} is not an access level"
            c.add(f"{p}.access", wrong, "read, write or read-write")
            access = None
        if bucket is not None and prefix is not None and access is not None:
            grants.append(S3Grant(bucket, prefix, access))
    return tuple(grants)


def bucket_problem(bucket: str) -> str | None:
    """What is wrong with an S3 bucket name, or None."""
    if bucket.startswith("arn:"):
        return "is an ARN, not a bucket name"
    if not 3 <= len(bucket) <= 63:
        return f"is {len(bucket)} character{'s' if len(bucket) != 1 else ''} long"
    if not _BUCKET.fullmatch(bucket):
        return "has characters or ends that S3 does not allow"
    if ".." in bucket:
        return "contains '..'"
    try:
        ipaddress.IPv4Address(bucket)
        return "is formatted as an IP address"
    except ValueError:
        pass
    for prefix in _BUCKET_PREFIXES:
        if bucket.startswith(prefix):
            return f"starts with the reserved prefix {prefix!r}"
    for suffix in _BUCKET_SUFFIXES:
        if bucket.endswith(suffix):
            return f"ends with the reserved suffix {suffix!r}"
    return None


def measured_issuer_host(settings: Settings) -> str:
    """The issuer host/path, or one of the same length as a lookup would give (EKS: exact; AKS: typical)."""
    if settings.cluster.issuer_url is not None:
        return issuer_host(settings.cluster.issuer_url)
    if settings.cluster.kind == "eks":
        suffix = ".com.cn" if settings.partition == "aws-cn" else ".com"
        return f"oidc.eks.{settings.region}.amazonaws{suffix}/id/{'0' * 32}"
    return f"koreacentral.oic.prod-aks.azure.com/{'0' * 36}/{'0' * 36}/"


def policy_size_problems(settings: Settings) -> list[Problem]:
    """Rendered documents measured against IAM's size quotas (whitespace not counted)."""
    from components import documents  # local: documents imports settings types
    from components.presets import PresetOptions

    problems = []
    for i, w in enumerate(settings.workloads):
        host = measured_issuer_host(settings)
        arn = settings.cluster.oidc_provider_arn or f"arn:{settings.partition}:iam::123456789012:oidc-provider/{host}"
        trust = documents.compact_size(documents.trust_policy(arn, host, list(w.subjects), settings.cluster.audience))
        if trust > settings.trust_policy_max_chars:
            problems.append(
                Problem(
                    f"irsa:workloads[{i}]",
                    f"trust policy is {trust} characters",
                    f"IAM trust policies are at most {settings.trust_policy_max_chars} characters: "
                    "split the workload, use Pod Identity, or raise irsa:trustPolicyMaxChars "
                    "if AWS raised your account's quota",
                )
            )
        scope = PresetOptions(
            settings.cluster.name, settings.partition, w.hosted_zone_ids, w.secret_arns, w.parameter_arns
        )
        perms = documents.compact_size(
            documents.inline_policy(w.s3, settings.partition, w.assume_roles, w.presets, scope)
        )
        if perms > 10240:
            problems.append(
                Problem(
                    f"irsa:workloads[{i}].s3",
                    f"inline policies are {perms} characters",
                    "all inline policies of a role are at most 10240 characters: "
                    "split the workload or merge grants on the same bucket",
                )
            )
    return problems
