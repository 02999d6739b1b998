"""Security invariants of web-identity roles and Kubernetes workloads (pure: documents in, problems out).

Shared by the policy pack and the property tests, so both enforce the same rules.
"""

from __future__ import annotations

import json
from typing import Any

from wildcards import action_matches, covers_every_action, covers_every_resource, matches

WEB_IDENTITY = "sts:AssumeRoleWithWebIdentity"
MAX_TOKEN_SECONDS = 86400
MIN_TOKEN_SECONDS = 600
BARE_SUBJECTS = {"*", "system:serviceaccount:*", "system:serviceaccount:*:*"}


def _list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def as_document(value: Any) -> dict[str, Any] | None:
    """A policy document from a JSON string or a dict; None if it is neither."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except (ValueError, RecursionError):
            return None
    return value if isinstance(value, dict) else None


POD_IDENTITY_SERVICE = "pods.eks.amazonaws.com"
UNTAGGED_POD_IDENTITY_SID = "PodIdentityWithoutSessionTags"  # an association with disableSessionTags
POD_IDENTITY_TAGS = ("aws:RequestTag/kubernetes-namespace", "aws:RequestTag/kubernetes-service-account")


def _account_wide(principal: Any) -> bool:
    text = str(principal)
    return text == "*" or text.endswith(":root") or text.isdigit()


def untagged_pod_identity_problems(document: dict[str, Any]) -> list[str]:
    """Pod Identity statements that declare (by Sid) they cannot pin the session tags."""
    return [
        f"Statement[{i}]: Pod Identity trust without session tags: it pins only the account, so any association "
        "there (by whoever may pass this role) can use it"
        for i, st in enumerate(_list(document.get("Statement")))
        if isinstance(st, dict) and st.get("Sid") == UNTAGGED_POD_IDENTITY_SID
    ]


def shape_problems(document: Any) -> list[str]:
    """Why a document is not a policy this pack can judge: then it fails the check instead of crashing it."""
    if not isinstance(document, dict):
        return ["is not a JSON object"]
    statements = document.get("Statement")
    if not isinstance(statements, (list, dict)):
        return ["has no Statement list"]
    problems = []
    for i, st in enumerate(_list(statements)):
        where = f"Statement[{i}]"
        if not isinstance(st, dict):
            problems.append(f"{where} is not an object")
            continue
        for key in ("Action", "NotAction", "Resource", "NotResource"):
            if key in st and not all(isinstance(v, str) for v in _list(st[key])):
                problems.append(f"{where}.{key} is not a string or a list of strings")
        principal = st.get("Principal")
        if principal is not None and not (principal == "*" or isinstance(principal, dict)):
            problems.append(f"{where}.Principal is not \"*\" or an object")
        condition = st.get("Condition")
        if condition is not None and not (
            isinstance(condition, dict) and all(isinstance(tests, dict) for tests in condition.values())
        ):
            problems.append(f"{where}.Condition is not an object of operator objects")
    return problems


def _principals(st: dict[str, Any], kind: str) -> list[Any]:
    principal = st.get("Principal")
    if principal == "*":
        return ["*"]
    return _list(principal.get(kind)) if isinstance(principal, dict) else []


def _web_identity(st: dict[str, Any]) -> bool:
    """Whether the statement can allow AssumeRoleWithWebIdentity, as IAM matches actions (`sts:AssumeRoleWith*`,
    `sts:*`, `*`, any letter case), or trusts a federated principal at all."""
    return any(action_matches(a, WEB_IDENTITY) for a in _list(st.get("Action"))) or bool(_principals(st, "Federated"))


SYSTEM_NAMESPACES = ("kube-system", "kube-public", "default")


def subject_reach(pattern: str) -> str | None:
    """What a StringLike `sub` pattern reaches beyond one team's ServiceAccounts, by IAM's matching: every
    namespace, or a system one; None when it stays inside named namespaces."""
    parts = pattern.split(":", 3)
    if len(parts) != 4 or parts[:2] != ["system", "serviceaccount"]:
        if matches(pattern, "system:serviceaccount:default:default"):
            return "every ServiceAccount"
        return "no ServiceAccount subject (system:serviceaccount:<namespace>:<name>)"
    namespace = parts[2]
    if namespace[:1] in ("*", "?"):
        return "ServiceAccounts of any namespace"
    system = [n for n in SYSTEM_NAMESPACES if matches(namespace, n)]
    return f"ServiceAccounts of {', '.join(system)}" if system else None


def trust_policy_problems(document: dict[str, Any]) -> list[str]:
    """Why a trust policy lets more than one pinned ServiceAccount and audience (or role) assume the role."""
    shape = shape_problems(document)
    if shape:
        return [f"is not a policy document this pack can judge: {p}" for p in shape]
    problems = []
    for i, st in enumerate(_list(document.get("Statement"))):
        if st.get("Effect") != "Allow":
            continue
        condition = st.get("Condition") or {}
        equals = condition.get("StringEquals") or {}
        for p in _principals(st, "AWS"):
            if _account_wide(p):
                problems.append(f"Statement[{i}]: trusts {p!r}: a whole account; name the roles instead")
        if POD_IDENTITY_SERVICE in _principals(st, "Service"):
            missing = [t for t in POD_IDENTITY_TAGS if t not in equals]
            if missing and st.get("Sid") != UNTAGGED_POD_IDENTITY_SID:  # declared: the advisory rule reports it
                problems.append(
                    f"Statement[{i}]: Pod Identity trust without {', '.join(missing)}: any association "
                    "in the account can use this role"
                )
            if "aws:SourceAccount" not in equals and "aws:SourceOrgId" not in equals:
                problems.append(
                    f"Statement[{i}]: Pod Identity trust without aws:SourceAccount or aws:SourceOrgId (confused deputy)"
                )
        if not _web_identity(st):
            continue
        where = f"Statement[{i}]"
        if not _principals(st, "Federated"):
            problems.append(f"{where}: web identity without a Federated principal (the OIDC provider ARN)")
        like = condition.get("StringLike") or {}
        subs = {k: v for k, v in {**equals, **like}.items() if k.lower().endswith(":sub")}
        auds = {k: v for k, v in {**equals, **like}.items() if k.lower().endswith(":aud")}
        if not subs:
            problems.append(
                f"{where}: no `sub` condition: any ServiceAccount of any cluster on this issuer can assume it"
            )
        if not auds:
            problems.append(f"{where}: no `aud` condition: tokens minted for any audience are accepted")
        for key, values in subs.items():
            for value in _list(values):
                text = str(value)
                if value in BARE_SUBJECTS:
                    problems.append(f"{where}: {key} = {value!r} trusts every ServiceAccount")
                elif key in like and (reach := subject_reach(text)) is not None:
                    problems.append(f"{where}: {key} = {value!r} reaches {reach}")
                elif key in equals and ("*" in text or "?" in text):
                    problems.append(
                        f"{where}: {key} = {value!r} under StringEquals is literal and matches nothing; "
                        "use StringLike for wildcards"
                    )
        for key, values in auds.items():
            if key in like and any(_wildcard(str(v)) for v in _list(values)):
                problems.append(f"{where}: {key} = {values!r} accepts tokens of any audience")
    return problems


def _wildcard(text: str) -> bool:
    return "*" in text or "?" in text


# Read actions AWS does not scope to resources: allowed on "*" (the add-on presets need them).
UNSCOPABLE_READS = frozenset(
    {
        "route53:ListHostedZones",
        "route53:ListHostedZonesByName",
        "autoscaling:DescribeAutoScalingGroups",
        "autoscaling:DescribeAutoScalingInstances",
        "autoscaling:DescribeLaunchConfigurations",
        "autoscaling:DescribeScalingActivities",
        "ec2:DescribeImages",
        "ec2:DescribeInstanceTypes",
        "ec2:DescribeLaunchTemplateVersions",
        "ec2:GetInstanceTypesFromInstanceRequirements",
        "eks:DescribeNodegroup",
        "ec2:DescribeAccountAttributes",
        "ec2:DescribeAddresses",
        "ec2:DescribeAvailabilityZones",
        "ec2:DescribeInternetGateways",
        "ec2:DescribeVpcs",
        "ec2:DescribeVpcPeeringConnections",
        "ec2:DescribeSubnets",
        "ec2:DescribeSecurityGroups",
        "ec2:DescribeInstances",
        "ec2:DescribeNetworkInterfaces",
        "ec2:DescribeTags",
        "ec2:DescribeCoipPools",
        "ec2:DescribeRouteTables",
        "ec2:GetCoipPoolUsage",
        "ec2:GetSecurityGroupsForVpc",
        "elasticloadbalancing:DescribeLoadBalancers",
        "elasticloadbalancing:DescribeLoadBalancerAttributes",
        "elasticloadbalancing:DescribeListeners",
        "elasticloadbalancing:DescribeListenerCertificates",
        "elasticloadbalancing:DescribeListenerAttributes",
        "elasticloadbalancing:DescribeSSLPolicies",
        "elasticloadbalancing:DescribeRules",
        "elasticloadbalancing:DescribeTargetGroups",
        "elasticloadbalancing:DescribeTargetGroupAttributes",
        "elasticloadbalancing:DescribeTargetHealth",
        "elasticloadbalancing:DescribeTags",
        "elasticloadbalancing:DescribeTrustStores",
        "cognito-idp:DescribeUserPoolClient",
        "acm:ListCertificates",
        "acm:DescribeCertificate",
        "iam:ListServerCertificates",
        "iam:GetServerCertificate",
        "wafv2:GetWebACL",
        "wafv2:GetWebACLForResource",
        "shield:GetSubscriptionState",
        "shield:DescribeProtection",
        "elasticloadbalancing:DescribeCapacityReservation",
        "ec2:DescribeIpamPools",
        "waf-regional:GetWebACL",
        "waf-regional:GetWebACLForResource",
        "ecr:GetAuthorizationToken",  # the ecr grant kind's registry login (no resource type)
        "secretsmanager:ListSecrets",
        "secretsmanager:BatchGetSecretValue",
        "ssm:DescribeParameters",
        "ec2:DescribeCapacityReservations",
        "ec2:DescribeInstanceStatus",
        "ec2:DescribeInstanceTypeOfferings",
        "ec2:DescribeLaunchTemplates",
        "ec2:DescribePlacementGroups",
        "ec2:DescribeSpotPriceHistory",
        "pricing:GetProducts",
        "iam:ListInstanceProfiles",
    }
)
# Writes that aws-load-balancer-controller v3.5.0's own policy (docs/install/iam_policy.json) grants on
# "*": node security groups carry no ownership tag, CreateSecurityGroup also authorizes the VPC (no request
# tags), listeners and rules are created before they are tagged, and web ACL and Shield calls name
# resources the controller does not own. Narrowing them breaks the controller; these alone may be
# written on "*" without a tag condition.
UPSTREAM_WILDCARD_WRITES = frozenset(
    {
        "ec2:AuthorizeSecurityGroupIngress",
        "ec2:RevokeSecurityGroupIngress",
        "ec2:CreateSecurityGroup",
        "elasticloadbalancing:CreateListener",
        "elasticloadbalancing:DeleteListener",
        "elasticloadbalancing:CreateRule",
        "elasticloadbalancing:DeleteRule",
        "elasticloadbalancing:SetWebAcl",
        "elasticloadbalancing:ModifyListener",
        "elasticloadbalancing:AddListenerCertificates",
        "elasticloadbalancing:RemoveListenerCertificates",
        "elasticloadbalancing:ModifyRule",
        "elasticloadbalancing:SetRulePriorities",
        "waf-regional:AssociateWebACL",
        "waf-regional:DisassociateWebACL",
        "wafv2:AssociateWebACL",
        "wafv2:DisassociateWebACL",
        "shield:CreateProtection",
        "shield:DeleteProtection",
    }
)
# Condition keys that scope a "*" resource to what this cluster owns or to one service.
SCOPING_KEYS = (
    "aws:ResourceTag/",
    "aws:RequestTag/",
    "iam:AWSServiceName",
    "kms:ViaService",
    "arc-zonal-shift:ResourceIdentifier",
)


def _scoped_by_condition(statement: dict[str, Any]) -> bool:
    keys = [k for tests in (statement.get("Condition") or {}).values() for k in (tests or {})]
    return any(k.startswith(SCOPING_KEYS) for k in keys)


def permission_policy_problems(document: dict[str, Any]) -> list[str]:
    """Actions that reach a whole service, or resources that reach every resource of a kind ("*",
    `arn:aws:s3:::?*`), other than unscopable reads and tag-scoped statements; IAM's matching decides."""
    shape = shape_problems(document)
    if shape:
        return [f"is not a policy document this pack can judge: {p}" for p in shape]
    problems = []
    for i, st in enumerate(_list(document.get("Statement"))):
        if st.get("Effect") != "Allow":
            continue
        where = f"Statement[{i}]"
        for key in ("NotAction", "NotResource"):
            if key in st:
                problems.append(f"{where}: {key} allows everything not listed")
        for action in _list(st.get("Action")):
            if covers_every_action(action):
                problems.append(f"{where}: wildcard action {action!r}")
        allowed_on_any = UNSCOPABLE_READS | UPSTREAM_WILDCARD_WRITES
        unscopable = all(a in allowed_on_any for a in _list(st.get("Action"))) or _scoped_by_condition(st)
        for resource in _list(st.get("Resource")):
            if covers_every_resource(resource) and not unscopable:
                problems.append(f"{where}: wildcard resource {resource!r}")
    return problems


def _map(value: Any) -> dict[str, Any]:
    """A map where one is expected; anything else reads as empty (its problems are then reported as missing)."""
    return value if isinstance(value, dict) else {}


def _not_maps(values: list[Any], what: str) -> list[str]:
    return [f"{what}[{i}] is {type(v).__name__}, not a map" for i, v in enumerate(values) if not isinstance(v, dict)]


def pod_spec_problems(pod: Any) -> list[str]:
    """Missing hardening in a pod spec: non-root, no escalation, read-only root, no capabilities, seccomp.
    A part of another shape than Kubernetes gives it is a problem of its own, never a crash."""
    if not isinstance(pod, dict):
        return [f"the pod spec is {type(pod).__name__}, not a map"]
    containers = _list(pod.get("containers")) + _list(pod.get("initContainers"))
    problems = _not_maps(containers, "containers")
    pod_ctx = _map(pod.get("securityContext"))
    pod_seccomp = _map(pod_ctx.get("seccompProfile")).get("type")
    for c in filter(_is_map, containers):
        ctx = _map(c.get("securityContext"))
        name = c.get("name", "?")
        if ctx.get("runAsNonRoot", pod_ctx.get("runAsNonRoot")) is not True:
            problems.append(f"container {name}: runAsNonRoot is not true")
        if ctx.get("allowPrivilegeEscalation") is not False:
            problems.append(f"container {name}: allowPrivilegeEscalation is not false")
        if ctx.get("readOnlyRootFilesystem") is not True:
            problems.append(f"container {name}: readOnlyRootFilesystem is not true")
        if "ALL" not in _list(_map(ctx.get("capabilities")).get("drop")):
            problems.append(f"container {name}: capabilities do not drop ALL")
        if (_map(ctx.get("seccompProfile")).get("type") or pod_seccomp) != "RuntimeDefault":
            problems.append(f"container {name}: seccomp profile is not RuntimeDefault")
    volumes = _list(pod.get("volumes"))
    problems += _not_maps(volumes, "volumes")
    for v in filter(_is_map, volumes):
        for source in _list(_map(v.get("projected")).get("sources")):
            token = _map(source).get("serviceAccountToken")
            if token is None:
                continue
            if not isinstance(token, dict):
                problems.append(f"volume {v.get('name')}: serviceAccountToken is {type(token).__name__}, not a map")
                continue
            seconds = token.get("expirationSeconds", 3600)
            # The engine hands numbers to a policy as floats (3600.0); a whole float is a whole number.
            if isinstance(seconds, float) and seconds.is_integer():
                seconds = int(seconds)
            if isinstance(seconds, bool) or not isinstance(seconds, int):
                problems.append(f"volume {v.get('name')}: token expirationSeconds {seconds!r} is not a whole number")
            elif not MIN_TOKEN_SECONDS <= seconds <= MAX_TOKEN_SECONDS:
                problems.append(
                    f"volume {v.get('name')}: token expirationSeconds {seconds} is outside "
                    f"{MIN_TOKEN_SECONDS}-{MAX_TOKEN_SECONDS}"
                )
            if not token.get("audience"):
                problems.append(f"volume {v.get('name')}: projected token without an audience")
    return problems


def _is_map(value: Any) -> bool:
    return isinstance(value, dict)


def job_problems(job_spec: Any) -> list[str]:
    """A Job that can retry forever, linger, or run unhardened pods."""
    if not isinstance(job_spec, dict):
        return [f"the Job spec is {type(job_spec).__name__}, not a map"]
    problems = []
    pod = _map(job_spec.get("template")).get("spec") or {}
    if _map(pod).get("restartPolicy") not in ("Never", "OnFailure"):
        problems.append("restartPolicy is not Never or OnFailure")
    for key in ("backoffLimit", "ttlSecondsAfterFinished", "activeDeadlineSeconds"):
        if job_spec.get(key) is None:
            problems.append(f"{key} is not set")
    return problems + pod_spec_problems(pod)
