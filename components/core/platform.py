"""Platform and application stacks (pure): the output contract a platform stack exports, and an application
stack's config with the clusters, OIDC providers and defaults it takes from the platform it references.

A platform stack is any irsa stack (its workloads may be none): it exports `irsaPlatform` (contract version
`CONTRACT`). An application stack sets `irsa:platform: {stack: <org>/<project>/<stack>}` and no clusters or
defaults of its own; `pulumi up` reads the outputs through a StackReference, `plan` and `diff` from the
platform's stack file in stacks/ or a JSON file of its outputs (`--stack-outputs`), else from the kinds the
application pins (`clusters: {<name>: {kind, mechanism}}`), every platform value a placeholder. A pulumi-eks
program's outputs are accepted too (`pulumiEks: {clusterName}`: its `oidcProviderArn` and `oidcProviderUrl`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from components.core.aws import provider_arn
from components.core.config.collector import Collector, show
from components.core.kube import CLUSTER_NAME
from components.core.model import KINDS, MECHANISMS, InvalidInput, Problem, Settings, uses_web_identity
from components.core.unknowns import is_unknown, unknown

OUTPUT = "irsaPlatform"
CONTRACT = 1
KEY = "irsa:platform"
PLATFORM_KEYS = ("stack", "pulumiEks", "clusters")
PIN_KEYS = ("kind", "mechanism")
OWNED = ("irsa:cluster", "irsa:clusters", "irsa:defaults")  # what an application stack takes from its platform
STACK_REF = re.compile(r"[A-Za-z0-9][\w.-]{0,99}/[A-Za-z0-9][\w.-]{0,99}/[A-Za-z0-9][\w.-]{0,99}", re.ASCII)
STACK_REF_RULE = "<organization>/<project>/<stack>, as `pulumi stack ls --all` names it"
CLUSTER_FIELDS = ("kind", "name", "resourceGroup", "mechanism", "audience", "oidcProviderArn", "issuerUrl")


def reference_of(config: Mapping[str, Any]) -> str | None:
    """The platform stack an application stack's config references, if it is one (checked: InvalidInput)."""
    raw = config.get(KEY)
    if raw is None:
        return None
    c = Collector()
    if c.is_map(KEY, raw, "a map with stack (and pulumiEks)"):
        c.unknown_keys(KEY, raw, PLATFORM_KEYS)
        stack = raw.get("stack")
        if not isinstance(stack, str) or not STACK_REF.fullmatch(stack):
            c.add(f"{KEY}.stack", "is required" if stack is None else f"{show(stack)} is not a stack reference",
                  STACK_REF_RULE)  # fmt: skip
        eks = raw.get("pulumiEks")
        if eks is not None and (not isinstance(eks, Mapping) or not isinstance(eks.get("clusterName"), str)):
            c.add(f"{KEY}.pulumiEks", f"{show(eks)} is not a map with clusterName",
                  "{clusterName: <the EKS cluster's name>}: the stack exports pulumi-eks's oidcProviderArn and "
                  "oidcProviderUrl")  # fmt: skip
        pins_of(c, raw.get("clusters"))
    for key in OWNED:
        if key in config:
            c.add(key, f"is set by the platform stack {show(raw.get('stack')) if isinstance(raw, Mapping) else ''}",
                  f"remove it: an application stack takes its clusters and defaults from {KEY}")  # fmt: skip
    if c.problems:
        raise InvalidInput(c.problems)
    return str(raw["stack"])


def pins_of(c: Collector, raw: Any) -> dict[str, tuple[str, str]]:
    """`irsa:platform.clusters`: what the application expects of the platform clusters it runs in, by name
    (kind, and mechanism: irsa unless said). A check everywhere, and offline what its plan's shape rests on
    when the platform's outputs are not at hand."""
    path = f"{KEY}.clusters"
    allowed = "a map of cluster name to {kind: eks or aks, mechanism: irsa, pod-identity or both (default irsa)}"
    if raw is None or not c.is_map(path, raw, allowed):
        return {}
    pins = {}
    for name, pin in raw.items():
        where = f"{path}.{show(name)[1:-1] if isinstance(name, str) else show(name)}"
        if not c.is_map(where, pin, "{kind, mechanism}"):
            continue
        c.unknown_keys(where, pin, PIN_KEYS)
        kind, mechanism = pin.get("kind"), pin.get("mechanism", "irsa")
        if kind not in KINDS:
            wrong = "is required" if kind is None else f"{show(kind)} is not a cluster kind"
            c.add(f"{where}.kind", wrong, "eks or aks")
        elif not isinstance(name, str) or not CLUSTER_NAME[kind][0].fullmatch(name):
            c.add(where, f"{show(name)} is not an {kind.upper()} cluster name", CLUSTER_NAME[kind][1])
        elif mechanism not in MECHANISMS or (kind == "aks" and mechanism != "irsa"):
            c.add(f"{where}.mechanism", f"{show(mechanism)} is not a mechanism of an {kind} cluster",
                  "irsa, pod-identity or both on eks; irsa on aks")  # fmt: skip
        else:
            pins[name] = (kind, mechanism)
    return pins


def pinned_outputs(config: Mapping[str, Any], source: str) -> dict[str, Any] | None:
    """The platform's outputs as placeholders naming `source` and each output, shaped by the clusters the
    application pins (a pulumi-eks program's: one EKS cluster); None when it pins none (its plan would rest
    on a guess of their kinds)."""
    c = Collector()
    raw = config.get(KEY)
    pins = pins_of(c, raw.get("clusters") if isinstance(raw, Mapping) else None)
    if c.problems:
        raise InvalidInput(c.problems)
    if isinstance(raw, Mapping) and raw.get("pulumiEks") is not None:  # one EKS cluster on web identity
        return {key: unknown(f"{key} of platform stack {source}") for key in ("oidcProviderArn", "oidcProviderUrl")}
    if not pins:
        return None
    used = _used_clusters(config)
    for name in sorted(used - set(pins) if used is not None else ()):
        c.add(f"{KEY}.clusters", f"does not pin {show(name)}, which this stack's workloads run in",
              f"pin every platform cluster the workloads run in (planned without platform stack {source}'s "
              "outputs, the pins are all it knows of them)")  # fmt: skip
    if "aws:region" not in config:
        c.add("aws:region", f"is required to plan without platform stack {source}'s outputs",
              "the region this stack deploys in (set it in the stack, or pass --stack-outputs)")  # fmt: skip
    if c.problems:
        raise InvalidInput(c.problems)

    def later(output: str, note: str = "") -> str:
        return unknown(f"{OUTPUT}.{output} of platform stack {source}{note}")

    clusters: dict[str, Any] = {}
    for name, (kind, mechanism) in pins.items():
        found: dict[str, Any] = {"kind": kind, "name": name, "mechanism": mechanism}
        if kind == "aks":
            found["resourceGroup"] = later(f"clusters.{name}.resourceGroup")
        if uses_web_identity(mechanism):  # type: ignore[arg-type]
            found.update({key: later(f"clusters.{name}.{key}") for key in ("audience", "oidcProviderArn", "issuerUrl")})
        clusters[name] = found
    defaults = {"rolePath": later("defaults.rolePath"), "tags": later("defaults.tags"),
                "permissionsBoundary": later("defaults.permissionsBoundary", "; none if it sets none")}  # fmt: skip
    return {OUTPUT: {"version": CONTRACT, "clusters": clusters, "defaults": defaults}}


def pinned_warning(source: str) -> str:
    """What a plan from pins (or of a pulumi-eks platform without its outputs) does not know."""
    return (f"{KEY}: planned without platform stack {source}'s outputs: its providers, issuers, audiences, "
            "resource groups, role path, permissions boundary and tags are placeholders; pass --stack-outputs "
            f"{source}=FILE (`pulumi stack output --json`) to plan them")


def platform_outputs(settings: Settings, source: str) -> dict[str, Any]:
    """What a platform stack exports as `irsaPlatform`, derived offline from its settings: values only a
    deployment knows are placeholders naming the platform stack (`source`) and the output."""
    clusters: dict[str, Any] = {}
    for cluster in settings.clusters:
        found: dict[str, Any] = {"kind": cluster.kind, "name": cluster.name, "mechanism": cluster.mechanism}
        if cluster.resource_group:
            found["resourceGroup"] = cluster.resource_group
        if uses_web_identity(cluster.mechanism):
            where = f"{OUTPUT}.clusters.{cluster.name}"
            issuer = cluster.issuer_url or unknown(f"{where}.issuerUrl of platform stack {source}")
            arn = cluster.oidc_provider_arn
            if arn is None:
                account = settings.account_id
                arn = (
                    provider_arn(settings.partition, account, issuer)
                    if account and not is_unknown(issuer)
                    else unknown(f"{where}.oidcProviderArn of platform stack {source}")
                )
            found.update(audience=cluster.audience, oidcProviderArn=arn, issuerUrl=issuer)
        clusters[cluster.name] = found
    return {"version": CONTRACT, "region": settings.region, "clusters": clusters, "defaults": defaults_of(settings)}


def defaults_of(settings: Settings) -> dict[str, Any]:
    d = settings.defaults
    found: dict[str, Any] = {"rolePath": d.role_path}
    if d.permissions_boundary:
        found["permissionsBoundary"] = d.permissions_boundary
    if d.tags:
        found["tags"] = dict(d.tags)
    return found


def deployed(outputs: Any, where: str) -> Any:
    """A deployed platform's outputs (a StackReference's, or a file of them): InvalidInput when one holds an
    offline placeholder, which only a plan of the platform's stack file may (and never reaches a deployment)."""
    def walk(value: Any, path: str) -> None:
        if is_unknown(value):
            allowed = "outputs of a deployed platform stack (`pulumi stack output --json`)"
            raise InvalidInput([Problem(where, f"holds an offline placeholder at {path}", allowed)])
        if isinstance(value, Mapping):
            for key, item in value.items():
                walk(item, f"{path}.{key}")
        elif isinstance(value, list):
            for i, item in enumerate(value):
                walk(item, f"{path}[{i}]")

    walk(outputs, "outputs")
    return outputs


def with_platform(config: Mapping[str, Any], app: str, platform: str, outputs: Any) -> dict[str, Any]:
    """The application stack's config with its platform's clusters and defaults; InvalidInput naming both
    stacks when the platform's outputs miss what the application needs or speak another contract version."""
    raw = config.get(KEY) or {}
    where = f"{KEY}.stack"
    both = f"application stack {app}, platform stack {platform}"
    if not isinstance(outputs, Mapping):
        raise InvalidInput([Problem(where, f"{both}: the platform's outputs are not a map", "its stack outputs")])
    eks = raw.get("pulumiEks") if isinstance(raw, Mapping) else None
    contract = _from_pulumi_eks(outputs, eks, both, where) if eks is not None else outputs.get(OUTPUT)
    if not isinstance(contract, Mapping):
        raise InvalidInput([Problem(where, f"{both}: the platform exports no {OUTPUT}",
                                    "an irsa stack (version 0.3.0 or later) as the platform, or pulumiEks "
                                    "for a pulumi-eks program's outputs")])  # fmt: skip
    if contract.get("version") != CONTRACT:
        raise InvalidInput([Problem(where, f"{both}: {OUTPUT} is contract version {show(contract.get('version'))}",
                                    f"version {CONTRACT}: upgrade irsa in the older of the two stacks")])  # fmt: skip
    clusters = contract.get("clusters")
    if not isinstance(clusters, Mapping) or not clusters:
        raise InvalidInput([Problem(where, f"{both}: {OUTPUT}.clusters names no cluster", "at least one")])
    _check_workload_clusters(config, clusters, both)
    _check_pins(config, clusters, both)
    found = {k: v for k, v in config.items() if k != KEY}
    used = _used_clusters(config)  # only those its workloads run in: no lookup of, or provider for, the others
    listed = [
        {k: v for k, v in dict(c).items() if k in CLUSTER_FIELDS and v is not None}
        for name, c in clusters.items()
        if used is None or name in used
    ]
    if len(listed) == 1:
        found["irsa:cluster"] = listed[0]
    else:
        found["irsa:clusters"] = listed
    defaults = contract.get("defaults")
    if isinstance(defaults, Mapping) and defaults:
        found["irsa:defaults"] = dict(defaults)
    if "aws:region" not in found and isinstance(contract.get("region"), str):
        found["aws:region"] = contract["region"]
    return found


def cluster_of(contract: Any, cluster: str, path: str) -> dict[str, Any]:
    """One cluster of a platform's `irsaPlatform` output (the component door: WorkloadIdentity's `platform`)."""
    if not isinstance(contract, Mapping) or contract.get("version") != CONTRACT:
        found = contract.get("version") if isinstance(contract, Mapping) else contract
        raise InvalidInput([Problem(path, f"{show(found)} is not {OUTPUT} contract version {CONTRACT}",
                                    f"a platform stack's {OUTPUT} output (StackReference.get_output)")])  # fmt: skip
    clusters = contract.get("clusters")
    if not isinstance(clusters, Mapping) or not isinstance(clusters.get(cluster), Mapping):
        names = ", ".join(map(str, clusters)) if isinstance(clusters, Mapping) else "none"
        raise InvalidInput([Problem(path, f"has no cluster {show(cluster)}", f"its clusters: {names}")])
    return dict(clusters[cluster])


def _from_pulumi_eks(outputs: Mapping[str, Any], eks: Any, both: str, where: str) -> dict[str, Any]:
    """A pulumi-eks program's `oidcProviderArn` and `oidcProviderUrl` (host/path, no scheme) as one EKS cluster."""
    arn, url = outputs.get("oidcProviderArn"), outputs.get("oidcProviderUrl")
    if not isinstance(arn, str) or not isinstance(url, str):
        raise InvalidInput([Problem(where, f"{both}: the platform exports no oidcProviderArn and oidcProviderUrl",
                                    "pulumi-eks's Cluster outputs, exported under those names")])  # fmt: skip
    issuer = url if url.startswith("https://") or is_unknown(url) else f"https://{url}"
    name = eks["clusterName"]
    cluster = {"kind": "eks", "name": name, "mechanism": "irsa", "oidcProviderArn": arn, "issuerUrl": issuer}
    return {"version": CONTRACT, "clusters": {name: cluster}}


def _used_clusters(config: Mapping[str, Any]) -> set[str] | None:
    """The clusters the workloads name; None when one names none (it runs in every cluster)."""
    workloads = config.get("irsa:workloads")
    used: set[str] = set()
    for w in workloads if isinstance(workloads, list) else []:
        named = w.get("clusters") if isinstance(w, Mapping) else None
        if not isinstance(named, list) or not named:
            return None
        used.update(n for n in named if isinstance(n, str))
    return used or None


def _check_pins(config: Mapping[str, Any], clusters: Mapping[str, Any], both: str) -> None:
    """The platform's clusters against what the application pins: each pinned one there, of that kind and
    mechanism; and, once anything is pinned, every cluster the application runs in pinned."""
    raw = config.get(KEY)
    pins = pins_of(Collector(), raw.get("clusters") if isinstance(raw, Mapping) else None)
    if not pins:
        return
    problems = []
    for name, (kind, mechanism) in pins.items():
        where = f"{KEY}.clusters.{name}"
        found = clusters.get(name)
        if not isinstance(found, Mapping):
            problems.append(Problem(where, f"is not a cluster of the platform ({both})",
                                    f"its clusters: {', '.join(map(str, clusters))}"))  # fmt: skip
        elif (found.get("kind"), found.get("mechanism", "irsa")) != (kind, mechanism):
            problems.append(Problem(where, f"pins {kind} with {mechanism}; the platform has "
                                    f"{show(found.get('kind'))} with {show(found.get('mechanism'))} ({both})",
                                    "the platform's kind and mechanism: update the pin with the platform")) # fmt: skip
    used = _used_clusters(config)
    for name in sorted((set(clusters) if used is None else used) - set(pins)):
        problems.append(Problem(f"{KEY}.clusters", f"does not pin {show(name)}, which this stack's workloads "
                                f"run in ({both})", "pin every platform cluster the workloads run in, or none"))
    if problems:
        raise InvalidInput(problems)


def _check_workload_clusters(config: Mapping[str, Any], clusters: Mapping[str, Any], both: str) -> None:
    workloads = config.get("irsa:workloads")
    problems = []
    for i, w in enumerate(workloads if isinstance(workloads, list) else []):
        named = w.get("clusters") if isinstance(w, Mapping) else None
        for j, name in enumerate(named if isinstance(named, list) else []):
            if name not in clusters:
                problems.append(Problem(f"irsa:workloads[{i}].clusters[{j}]",
                                        f"{show(name)} is not a cluster of the platform ({both})",
                                        f"its clusters: {', '.join(map(str, clusters))}"))  # fmt: skip
    if problems:
        raise InvalidInput(problems)
