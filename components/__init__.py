"""irsa: AWS IAM web identity for Kubernetes workloads on EKS and AKS, as Pulumi components."""

from components.cross_account_role import CrossAccountRole, CrossAccountRoleArgs
from components.grant_args import S3GrantArgs
from components.oidc_provider import ClusterOidcProvider, ClusterOidcProviderArgs
from components.verification_job import VerificationJob, VerificationJobArgs
from components.workload_identity import WorkloadIdentity, WorkloadIdentityArgs

__all__ = [
    "ClusterOidcProvider",
    "ClusterOidcProviderArgs",
    "CrossAccountRole",
    "CrossAccountRoleArgs",
    "S3GrantArgs",
    "VerificationJob",
    "VerificationJobArgs",
    "WorkloadIdentity",
    "WorkloadIdentityArgs",
]
