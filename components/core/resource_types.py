"""The resource types irsa registers, and the IAM documents each carries (pure data, standard library only).

One table per concept: plan, diff, the policy pack (through the link policy/resource_types.py) and the tests
import these instead of spelling type tokens or document inputs again.
"""

from __future__ import annotations

ROLE = "aws:iam/role:Role"
INLINE_POLICY = "aws:iam/rolePolicy:RolePolicy"
MANAGED_POLICY = "aws:iam/policy:Policy"
ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
OIDC_PROVIDER = "aws:iam/openIdConnectProvider:OpenIdConnectProvider"
ASSOCIATION = "aws:eks/podIdentityAssociation:PodIdentityAssociation"

# Type → (what its document says, the input carrying it as JSON text).
IAM_DOCUMENTS: dict[str, tuple[str, str]] = {
    ROLE: ("trust", "assumeRolePolicy"),
    INLINE_POLICY: ("permissions", "policy"),
    MANAGED_POLICY: ("permissions", "policy"),
}
DOCUMENT_INPUTS: dict[str, str] = {kind: key for kind, (_, key) in IAM_DOCUMENTS.items()}
PERMISSION_TYPES: tuple[str, ...] = tuple(t for t, (what, _) in IAM_DOCUMENTS.items() if what == "permissions")
