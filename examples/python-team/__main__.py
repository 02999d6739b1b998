"""A team's own Pulumi program: its Deployment, and the AWS identity irsa gives it.

The platform stack (`stacks/Pulumi.platform.yaml` in irsa) owns the AKS cluster and its IAM OIDC provider;
this program reads them through a StackReference, creates the workload's role and ServiceAccount with
`WorkloadIdentity`, and splices the token fragment into its Deployment (on AKS no webhook does it).
"""

import sys
from pathlib import Path

import pulumi
import pulumi_kubernetes as k8s

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # irsa's checkout root holds `components`

from components import S3Access, WorkloadIdentity  # noqa: E402

config = pulumi.Config()
platform = pulumi.StackReference(config.get("platform") or "organization/irsa/platform")
cluster = "shared-aks"

identity = WorkloadIdentity(
    "reports",
    {
        "platform": platform.get_output("irsaPlatform"),  # the cluster's provider, issuer, boundary and tags
        "cluster_name": cluster,
        "role_path": "/apps/",  # decides the role's ARN, so it is given plainly here
        "region": "eu-west-1",
        "namespace": "reports",
        "service_account": "reports",
        "s3": [{"bucket": "orders-invoices", "prefix": "invoices/", "access": S3Access.READ}],
        "sample_job": False,  # the Deployment below proves the identity
    },
)


def pod_spec(fragment: dict) -> dict:
    """The Deployment's pod: the fragment's ServiceAccount, env, volume and mount, and its role-ARN annotation
    (pods roll when the role changes)."""
    return {
        "metadata": {"labels": {"app": "reports"}, "annotations": fragment["podAnnotations"]},
        "spec": {
            "serviceAccountName": fragment["serviceAccountName"],
            "containers": [
                {
                    "name": "reports",
                    "image": "public.ecr.aws/aws-cli/aws-cli:2.17.0",
                    "command": ["sh", "-c", "aws s3 ls s3://orders-invoices/invoices/ && sleep 3600"],
                    "env": fragment["env"],
                    "volumeMounts": fragment["volumeMounts"],
                }
            ],
            "volumes": fragment["volumes"],
        },
    }


deployment = k8s.apps.v1.Deployment(
    "reports",
    metadata={"name": "reports", "namespace": "reports"},
    spec={
        "replicas": 1,
        "selector": {"matchLabels": {"app": "reports"}},
        "template": identity.token_fragment.apply(pod_spec),
    },
    opts=pulumi.ResourceOptions(depends_on=identity.service_accounts),
)
pulumi.export("roleArn", identity.role_arn)
