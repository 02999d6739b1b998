"""A program that composes the components itself, as the README's "Using the components in your own program"
shows, under the real engine: the region from the stack's `aws:region` (no `region` argument), the namespace
computed (a Namespace resource's name), and permissions past IAM's inline quota — split into customer-managed
policies before the namespace resolves, as with every argument plain — beside a managed policy it is given."""

from __future__ import annotations

import json
from pathlib import Path

from harness import Project, moto_iam, program_beside

ISSUER = "https://oidc.eks.eu-west-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF"
BUCKETS = [f"bucket-number-{i:03d}-with-a-long-name" for i in range(60)]
EXTRA = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"  # attached as given, whatever else is computed
PROGRAM = f'''
import sys
from pathlib import Path

import pulumi
import pulumi_kubernetes as k8s

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the checkout's root holds `components`
from components import ClusterOidcProvider, WorkloadIdentity

oidc = ClusterOidcProvider("prod", {{"issuer_url": "{ISSUER}"}})
namespace = k8s.core.v1.Namespace("billing", metadata={{"name": "billing"}})
identity = WorkloadIdentity("billing", {{
    "oidc_provider_arn": oidc.arn,
    "issuer_url": "{ISSUER}",
    "namespace": namespace.metadata.name,
    "service_account": "billing",
    "s3": [{{"bucket": b, "prefix": "in/", "access": "read-write"}} for b in {BUCKETS!r}],
    "managed_policy_arns": ["{EXTRA}"],
    "sample_job": False,
}})
pulumi.export("roleArn", identity.role_arn)
pulumi.export("managed", [p.arn for p in identity.managed_policies])
env = identity.token_fragment.apply(lambda f: {{e["name"]: e["value"] for e in f["env"]}})
pulumi.export("region", env.apply(lambda e: e["AWS_REGION"]))
'''


def test_a_program_past_the_inline_quota_with_a_computed_namespace(project: Project) -> None:
    program = program_beside(project, "component-program", {
        "name": "component-program", "runtime": {"name": "python", "options": {"virtualenv": "venv"}},
    })  # fmt: skip
    (program.root / "__main__.py").write_text(PROGRAM)
    program.pulumi("stack", "init", "dev")
    program.pulumi("config", "set", "aws:region", "eu-west-1", "--stack", "dev")
    program.pulumi("up", "--yes", "--stack", "dev")
    outputs = program.pulumi("stack", "output", "--json", "--stack", "dev").json()

    iam = moto_iam(json.loads(Path(project.env["IRSA_STANDIN_FIXTURES"]).read_text())["motoUrl"])
    role = outputs["roleArn"].rsplit("/", 1)[1]
    assert iam.list_role_policies(RoleName=role)["PolicyNames"] == []  # no inline policy: IAM would refuse it
    attached = {p["PolicyArn"] for p in iam.list_attached_role_policies(RoleName=role)["AttachedPolicies"]}
    assert EXTRA in attached
    attached.remove(EXTRA)
    assert attached == set(outputs["managed"]) and len(attached) > 1
    granted = ""
    for arn in attached:
        version = iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"]
        document = iam.get_policy_version(PolicyArn=arn, VersionId=version)["PolicyVersion"]["Document"]
        assert len(json.dumps(document, separators=(",", ":"))) <= 6144  # IAM's managed policy quota
        granted += json.dumps(document)
    assert all(f"arn:aws:s3:::{bucket}/in/*" in granted for bucket in BUCKETS)
    assert outputs["region"] == "eu-west-1"  # from the stack's aws:region (the engine tests pass no AWS_* env)
    trust = iam.get_role(RoleName=role)["Role"]["AssumeRolePolicyDocument"]
    assert trust["Statement"][0]["Condition"]["StringEquals"][
        f"{ISSUER.removeprefix('https://')}:sub"
    ] == "system:serviceaccount:billing:billing"
    program.pulumi("preview", "--stack", "dev", "--expect-no-changes")
