"""Which workload, and which of its clusters, doctor checks a token against (and when it cannot)."""

from __future__ import annotations

from typing import Any

from components.core.display import quote
from components.core.model import Cluster, InvalidInput, Problem, Settings, Workload
from components.core.unknowns import is_unknown


def find_workload(settings: Settings, name: str) -> Workload:
    for w in settings.workloads:
        if w.name == name:
            return w
    known = ", ".join(w.name for w in settings.workloads)
    raise InvalidInput(
        [Problem("--workload", f"{quote(name)} is not a workload of stack {settings.stack}", f"one of: {known}")]
    )


def pick_cluster(settings: Settings, workload: Workload, iss: Any, name: str | None) -> Cluster:
    """The cluster whose trust statement the token is checked against: `--cluster`, the workload's only
    cluster, or the one whose configured issuer is the token's (unverified) `iss`: it only picks, the iss
    check still compares exactly."""
    clusters = settings.clusters_of(workload)
    names = ", ".join(c.name for c in clusters)
    if name is not None:
        for c in clusters:
            if c.name == name:
                return c
        raise InvalidInput(
            [
                Problem(
                    "--cluster",
                    f"{quote(name)} is not a cluster workload {workload.name!r} runs in",
                    f"one of: {names}",
                )
            ]
        )
    if len(clusters) == 1:
        return clusters[0]
    if isinstance(iss, str):
        for exact in (True, False):
            for c in clusters:
                if c.issuer_url is not None and (
                    c.issuer_url == iss if exact else c.issuer_url.rstrip("/") == iss.rstrip("/")
                ):
                    return c
    raise InvalidInput(
        [
            Problem(
                "--cluster",
                f"is needed: workload {workload.name!r} runs in {names}, and the token's iss {quote(iss)} is "
                "none of their configured issuerUrl",
                "--cluster NAME, the cluster that issued the token (or set each cluster's issuerUrl)",
            )
        ]
    )


def require_web_identity(settings: Settings, workload: Workload, cluster: Cluster | None = None) -> None:
    """Doctor checks web-identity tokens; with EKS Pod Identity none is involved, so say what to check instead."""
    cluster = cluster or settings.cluster
    if settings.mechanism_of(workload, cluster) == "pod-identity":
        raise InvalidInput(
            [
                Problem(
                    "--workload",
                    f'"{workload.name}" uses EKS Pod Identity (its mechanism), so no web-identity token is '
                    "involved: the Pod Identity Agent hands the pod credentials of the associated role",
                    "check the association: aws eks list-pod-identity-associations --cluster-name "
                    f"{cluster.name} --namespace {workload.namespace} --service-account "
                    f"{workload.service_account}; and that the eks-pod-identity-agent add-on runs",
                )
            ]
        )


def require_platform_values(settings: Settings, cluster: Cluster) -> None:
    """An application stack's token is checked against its platform's issuer, audience and provider: refused
    while the plan has them only as placeholders (pinned clusters, or values only the platform's deployment
    knows), where a comparison would fail every token."""
    values = (cluster.issuer_url, cluster.audience, cluster.oidc_provider_arn)
    if settings.platform is None or not any(is_unknown(v) for v in values):
        return
    raise InvalidInput([Problem(
        "--stack-outputs",
        f"cluster {cluster.name}'s issuer, audience or OIDC provider are placeholders until platform stack "
        f"{settings.platform} is known",
        f"pass --stack-outputs {settings.platform}=FILE (what `pulumi stack output --json` printed for it)",
    )])  # fmt: skip
