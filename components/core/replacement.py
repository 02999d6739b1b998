"""What the providers replace instead of updating (pure data, standard library only).

For each resource type irsa registers: the inputs whose change makes the provider delete the resource and
create a new one, and what that means for this type in one line. Read from the providers' code at these
versions (tests/engine/test_replacing_sources.py derives the same sets again from that code and fails on any
drift; the engine tests check that the real `pulumi preview` replaces what `diff` marks):

- AWS: `ForceNew: true` (plugin SDK) or `RequiresReplace()` (plugin framework) in the Terraform AWS provider's
  resource schemas behind pulumi-aws, at TERRAFORM_AWS. pulumi-aws bundles its own fork of that provider at a
  commit this machine cannot reach; TERRAFORM_AWS is the one version of the module the Go proxy serves here.
  Input names are the schema's, camelCased as pulumi-aws names them (`policy_arn` → `policyArn`).
- Kubernetes: `forceNewProperties` in pulumi-kubernetes at KUBERNETES (provider/pkg/provider/diff.go): every
  object's `metadata.name` and `metadata.namespace`; a ConfigMap's `data` and `binaryData` (the provider
  option `enableConfigMapMutable` is off: irsa never sets it); a Job's `spec.completions`, `spec.parallelism`,
  `spec.selector` and `spec.template`. A change at or below one of these paths replaces.

Whether a replacement deletes first (`delete_first`) — the engine then deletes the old resource before it creates
the new one, and nothing exists in between:
- AWS, "name": the Terraform bridge's Diff sets DeleteBeforeReplace when the resource is replaced and an autonamed
  input was given by the program rather than filled in by the autonamer (pulumi-terraform-bridge BRIDGE,
  pkg/tfbridge/provider.go `deleteBeforeReplace :=` and pkg/tfbridge/schema.go `nameRequiresDeleteBeforeReplace`);
  pulumi-aws autonames `name` on every resource whose Terraform schema has `name` as an input
  (provider/autonaming.go, `setAutonaming`). irsa always gives role and policy names, so their replacements
  delete first.
- Kubernetes, "same-name": pulumi-kubernetes' Diff deletes first when the object is replaced, named (not
  generateName, not autonamed) and keeps its name and namespace (provider/pkg/provider/provider.go at KUBERNETES).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

TERRAFORM_AWS = "github.com/hashicorp/terraform-provider-aws@v1.60.1-0.20260602190131-5f2286d6d836"
KUBERNETES = "github.com/pulumi/pulumi-kubernetes/provider/v4@v4.0.0-20260115033456-f47bc2d6f199"
# The newest bridge the Go proxy serves here; pulumi-aws 7.51.1's own pin cannot be fetched (its provider module
# is not served). The delete-before-replace rule read from it has stood unchanged since bridge v3.
BRIDGE = "github.com/pulumi/pulumi-terraform-bridge/v3@v3.120.0"


@dataclass(frozen=True)
class Replacing:
    """The inputs (dotted paths) whose change replaces a resource of one type, and what a replacement means."""

    inputs: tuple[str, ...]
    meaning: str
    source: str  # the file at TERRAFORM_AWS or KUBERNETES that says so
    defaults: Mapping[str, Any] = field(default_factory=dict)  # what an absent input is (the schema's Default)
    names: tuple[str, ...] = ()  # the inputs that name the object, when not the first of `inputs`
    delete_first: str = ""  # "name" or "same-name": when its replacement deletes first (see above)
    gap: str = ""  # what is missing between the delete and the create, when it deletes first

    @property
    def identity(self) -> tuple[str, ...]:
        """The inputs naming the object: two resources agreeing on them manage one object."""
        return self.names or self.inputs[:1]


_ROLE = "a new role: its ARN stays only if name and path stay, its unique ID (AROA…) changes, so trusts and " \
        "bucket policies naming that ID stop matching; pods lose credentials until it exists"  # fmt: skip
_OBJECT_IDENTITY = ("metadata.name", "metadata.namespace")

REPLACING: dict[str, Replacing] = {
    "aws:iam/role:Role": Replacing(
        ("name", "namePrefix", "path"), _ROLE, "internal/service/iam/role.go", {"path": "/"},
        delete_first="name", gap="has no credentials until the new role exists",
    ),
    "aws:iam/rolePolicy:RolePolicy": Replacing(
        ("name", "namePrefix", "role"),
        "the inline policy is deleted and put again: for a moment the role has none of these permissions",
        "internal/service/iam/role_policy.go",
        names=("name", "role"),
        delete_first="name",
        gap="lacks these permissions until the inline policy is put again",
    ),
    "aws:iam/policy:Policy": Replacing(
        ("description", "name", "namePrefix", "path"),
        "a new managed policy (new ARN): detached and deleted, created and attached again",
        "internal/service/iam/policy.go",
        {"path": "/"},
        names=("name", "path"),
        delete_first="name",
        gap="lacks these permissions until the new policy is created and attached",
    ),
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": Replacing(
        ("policyArn", "role"),
        "detached and attached again: for a moment the role lacks that policy",
        "internal/service/iam/role_policy_attachment.go",
        names=("policyArn", "role"),
    ),
    "aws:iam/openIdConnectProvider:OpenIdConnectProvider": Replacing(
        ("url",),
        "irsa protects it: `pulumi up` stops until `pulumi state unprotect` releases it; while it is recreated "
        "no role trusting it can be assumed with a web identity",
        "internal/service/iam/openid_connect_provider.go",
    ),
    "aws:eks/podIdentityAssociation:PodIdentityAssociation": Replacing(
        ("clusterName", "namespace", "serviceAccount"),
        "pods of that service account get no credentials between the delete and the create",
        "internal/service/eks/pod_identity_association.go",
        names=("clusterName", "namespace", "serviceAccount"),
    ),
    "kubernetes:core/v1:Namespace": Replacing(
        _OBJECT_IDENTITY,
        "deleting a namespace deletes everything in it",
        "provider/pkg/provider/diff.go",
        names=("metadata.name",),
        delete_first="same-name",
        gap="has no namespace, and nothing in it, until it is created again",
    ),
    "kubernetes:core/v1:ServiceAccount": Replacing(
        _OBJECT_IDENTITY,
        "pods cannot start as it while it is recreated; running pods keep their token until it expires",
        "provider/pkg/provider/diff.go",
        names=_OBJECT_IDENTITY,
        delete_first="same-name",
        gap="has no ServiceAccount: new pods cannot start until it is created again",
    ),
    "kubernetes:core/v1:ConfigMap": Replacing(
        (*_OBJECT_IDENTITY, "binaryData", "data"),
        "the verification script is deleted and created again (the Job that mounts it runs again)",
        "provider/pkg/provider/diff.go",
        names=_OBJECT_IDENTITY,
        delete_first="same-name",
        gap="has no verification script until it is created again",
    ),
    "kubernetes:batch/v1:Job": Replacing(
        (*_OBJECT_IDENTITY, "spec.completions", "spec.parallelism", "spec.selector", "spec.template"),
        "the verification Job is deleted and runs again",
        "provider/pkg/provider/diff.go",
        names=_OBJECT_IDENTITY,
        delete_first="same-name",
        gap="has no verification Job until it runs again",
    ),
}

PROVIDER_MEANING = "another provider (cluster or account): created there, then deleted where it was"


def with_defaults(type_: str, inputs: Mapping[str, Any]) -> dict[str, Any]:
    """Inputs with the provider's default in place of each absent input it defaults (role path "/")."""
    found = REPLACING.get(type_)
    defaults = found.defaults if found else {}
    return {**{k: v for k, v in defaults.items() if inputs.get(k) is None}, **inputs}


def _under(path: str, prefix: str) -> bool:
    return path == prefix or path.startswith((f"{prefix}.", f"{prefix}["))


def forcing(type_: str, changed: Iterable[str]) -> list[str]:
    """Of the changed input paths of a resource of `type_`, the ones that make its provider replace it."""
    found = REPLACING.get(type_)
    if found is None:
        return []
    hits: set[str] = set()
    for path in changed:
        hits.update(prefix for prefix in found.inputs if _under(path, prefix) or _under(prefix, path))
    return sorted(hits)


def _metadata(inputs: Mapping[str, Any]) -> tuple[Any, Any]:
    found = inputs.get("metadata")
    return (found.get("name"), found.get("namespace")) if isinstance(found, Mapping) else (None, None)


def deletes_first(type_: str, old: Mapping[str, Any], new: Mapping[str, Any]) -> bool:
    """Whether the provider deletes the old resource before it creates its replacement (the engine then does)."""
    found = REPLACING.get(type_)
    if found is None or not found.delete_first:
        return False
    if found.delete_first == "name":
        return new.get("name") is not None  # given by the program: pulumi-aws's autonamer left it alone
    name, namespace = _metadata(new)
    return name is not None and (name, namespace) == _metadata(old)


AVOID = {  # what would keep a workload's credentials through the change, per type that deletes first
    "aws:iam/role:Role": "no alias or resource option avoids it, since a role's name and path cannot change in "
    "place: keep rolePath and the role name, or move the workload to a new role first",
    "aws:iam/rolePolicy:RolePolicy": "no alias or resource option avoids it: keep the policy and role names",
    "aws:iam/policy:Policy": "no alias or resource option avoids it: keep the role name and rolePath",
}


def gap(type_: str, owner: str) -> str:
    """The sentence a reviewer reads for a replacement that deletes first."""
    found = REPLACING.get(type_)
    said = found.gap if found and found.gap else "is without it until it is created again"
    avoid = AVOID.get(type_)
    return f"delete, then create: {owner} {said}" + (f" ({avoid})" if avoid else "")


def meaning(type_: str) -> str:
    found = REPLACING.get(type_)
    return found.meaning if found else "deleted and created again"


def _identity_text(resource: Mapping[str, Any]) -> str | None:
    """What a value taken from this resource carries in a plan: its name (an AWS resource's `name`, an object's
    `metadata.name`; a value only known once it exists, its ARN, names it in its placeholder)."""
    inputs = resource.get("inputs") or {}
    name = inputs.get("name") if not isinstance(inputs.get("metadata"), Mapping) else inputs["metadata"].get("name")
    return name if isinstance(name, str) and name else None


def dependents_replaced(resources: Mapping[str, Mapping[str, Any]], first: Iterable[str]) -> dict[str, list[str]]:
    """What the engine also replaces when `first` (URNs) are deleted before their replacements exist: each resource
    whose input takes a value from one of them — those inputs unknown until the new one exists — if its provider
    replaces on such an input; and so on down (pulumi/pulumi pkg/resource/deploy/step_generator.go,
    calculateDependentReplacements). URN → the inputs (and where they come from) that make it so."""
    replaced = set(first)
    found: dict[str, list[str]] = {}
    changed = True
    while changed:
        changed = False
        for urn, r in resources.items():
            if urn in replaced:
                continue
            inputs = r.get("inputs") or {}
            reasons = []
            for dep in sorted(set(r.get("dependsOn") or []) & replaced):
                text = _identity_text(resources.get(dep) or {})
                for key, value in inputs.items():
                    if text is not None and text in json.dumps(value) and forcing(str(r.get("type")), [key]):
                        reasons.append(f"{key} (from {dep.rsplit('::', 1)[-1]}, deleted first)")
            if reasons:
                found[urn] = sorted(set(reasons))
                replaced.add(urn)
                changed = True
    return found
