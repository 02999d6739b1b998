"""AWS managed policies that grant privilege (pure data, standard library only).

A workload attaching one of these through `managedPolicyArns` could do what irsa refuses in a raw statement:
write IAM (create users, attach policies, rewrite trusts), pass or assume any role, leave or create AWS
accounts, or change everything. The list is derived, not chosen: every AWS managed policy whose document (as
moto 5.2.5 carries AWS's own documents, `moto/iam/aws_managed_policies.py`) allows one of PRIVILEGE_PROBES
on a resource nobody named, or both every-service probes. tests/test_privileged.py derives it again from
that data (with core/iam_eval.py, and the IAM simulator for every listed policy) and fails on any drift.
The policy pack reads it through the link policy/privileged.py.
"""

from __future__ import annotations

ACCOUNT = "123456789012"
PRIVILEGE_PROBES = (
    ("iam:CreateUser", f"arn:aws:iam::{ACCOUNT}:user/x"),
    ("iam:AttachRolePolicy", f"arn:aws:iam::{ACCOUNT}:role/x"),
    ("iam:PutRolePolicy", f"arn:aws:iam::{ACCOUNT}:role/x"),
    ("iam:CreateAccessKey", f"arn:aws:iam::{ACCOUNT}:user/x"),
    ("iam:UpdateAssumeRolePolicy", f"arn:aws:iam::{ACCOUNT}:role/x"),
    ("iam:PassRole", f"arn:aws:iam::{ACCOUNT}:role/Admin"),
    ("iam:CreatePolicyVersion", f"arn:aws:iam::{ACCOUNT}:policy/x"),
    ("sts:AssumeRole", f"arn:aws:iam::{ACCOUNT}:role/Admin"),
    ("organizations:CreateAccount", "*"),
    ("organizations:LeaveOrganization", "*"),
)
EVERY_SERVICE_PROBES = (
    ("ec2:TerminateInstances", f"arn:aws:ec2:us-east-1:{ACCOUNT}:instance/i-1"),
    ("s3:DeleteBucket", "arn:aws:s3:::x"),
)

# path + name → what it allows that makes it privileged
PRIVILEGED_MANAGED_POLICIES: dict[str, tuple[str, ...]] = {
    "/AIDevOpsAgentActionsPolicy": ("every service",),
    "/AWSOrganizationsFullAccess": (
        "organizations:CreateAccount",
        "organizations:LeaveOrganization",
    ),
    "/AWSRoboMakerServiceRolePolicy": ("iam:PassRole",),
    "/AdministratorAccess": (
        "iam:CreateUser",
        "iam:AttachRolePolicy",
        "iam:PutRolePolicy",
        "iam:CreateAccessKey",
        "iam:UpdateAssumeRolePolicy",
        "iam:PassRole",
        "iam:CreatePolicyVersion",
        "sts:AssumeRole",
        "organizations:CreateAccount",
        "organizations:LeaveOrganization",
        "every service",
    ),
    "/AdministratorAccess-Amplify": (
        "iam:AttachRolePolicy",
        "iam:PutRolePolicy",
        "iam:UpdateAssumeRolePolicy",
        "iam:PassRole",
        "iam:CreatePolicyVersion",
        "sts:AssumeRole",
    ),
    "/AmazonDynamoDBFullAccesswithDataPipeline": ("iam:PassRole",),
    "/AmazonElasticMapReduceFullAccess": (
        "iam:PassRole",
        "every service",
    ),
    "/IAMFullAccess": (
        "iam:CreateUser",
        "iam:AttachRolePolicy",
        "iam:PutRolePolicy",
        "iam:CreateAccessKey",
        "iam:UpdateAssumeRolePolicy",
        "iam:PassRole",
        "iam:CreatePolicyVersion",
    ),
    "/PowerUserAccess": (
        "sts:AssumeRole",
        "every service",
    ),
    "/SageMakerStudioAdminIAMDefaultExecutionPolicy": ("sts:AssumeRole",),
    "/SageMakerStudioAdminIAMPermissiveExecutionPolicy": ("sts:AssumeRole",),
    "/SageMakerStudioProjectUserRolePermissionsBoundary": ("sts:AssumeRole",),
    "/SageMakerStudioProjectUserRolePolicy": ("sts:AssumeRole",),
    "/SageMakerStudioUserIAMDefaultExecutionPolicy": ("sts:AssumeRole",),
    "/SageMakerStudioUserIAMPermissiveExecutionPolicy": ("sts:AssumeRole",),
    "/aws-service-role/AWSLambdaReplicator": ("iam:PassRole",),
    "/aws-service-role/AWSProtonCodeBuildProvisioningServiceRolePolicy": ("iam:PassRole",),
    "/aws-service-role/AWSServiceRoleForAmazonEKSNodegroup": ("iam:PassRole",),
    "/job-function/SystemAdministrator": ("every service",),
    "/service-role/AWSControlTowerServiceRolePolicy": ("organizations:CreateAccount",),
    "/service-role/AWSElasticBeanstalkService": ("iam:PassRole",),
    "/service-role/AmazonElasticMapReduceRole": ("iam:PassRole",),
}


def privileged(policy_arn: str) -> str | None:
    """Why an AWS managed policy ARN (`arn:<partition>:iam::aws:policy/<path><name>`) is privileged, or None."""
    head, marker, rest = policy_arn.partition(":iam::aws:policy")
    if not marker or not head.startswith("arn:"):
        return None
    found = PRIVILEGED_MANAGED_POLICIES.get(rest)
    return ", ".join(found) if found else None
