"""irsa: AWS IAM web identity for Kubernetes workloads on EKS and AKS, as Pulumi components."""

from components.oidc_provider import ClusterOidcProvider, ClusterOidcProviderArgs
from components.verification_job import VerificationJob, VerificationJobArgs
from components.workload_identity import S3GrantArgs, WorkloadIdentity, WorkloadIdentityArgs

__all__ = [
    "ClusterOidcProvider",
    "ClusterOidcProviderArgs",
    "S3GrantArgs",
    "VerificationJob",
    "VerificationJobArgs",
    "WorkloadIdentity",
    "WorkloadIdentityArgs",
]
