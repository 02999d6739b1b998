"""The policy pack inside the real engine blocks a web-identity trust that pins neither `sub` nor `aud`.

(Every shipped stack passes it under `pulumi up`: tests/engine/test_shipped_stacks.py.)
"""

from __future__ import annotations

import yaml
from harness import Project

SEEDED = """\
import json

import pulumi_aws as aws

trust = {
    "Version": "2012-10-17",
    "Statement": [{
        "Effect": "Allow",
        "Principal": {"Federated": "arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/AB"},
        "Action": "sts:AssumeRoleWithWebIdentity",
    }],
}
aws.iam.Role("seeded", name="seeded", assume_role_policy=json.dumps(trust))
"""


def test_the_pack_blocks_a_seeded_wildcard_trust(project: Project) -> None:
    program = project.root.parent / "seeded"
    program.mkdir()
    settings = yaml.safe_load((project.root / "Pulumi.yaml").read_text())
    (program / "Pulumi.yaml").write_text(yaml.safe_dump({"name": "seeded", "runtime": settings["runtime"]}))
    (program / "__main__.py").write_text(SEEDED)
    (program / "Pulumi.dev.yaml").write_text("config:\n  aws:region: ap-northeast-2\n")
    seeded = Project(program, project.env, project.render_dir, project.received)
    seeded.init("dev")
    refused = seeded.pulumi("preview", "--stack", "dev", "--policy-pack", str(project.root / "policy"), check=False)
    assert refused.code != 0
    assert "[mandatory]  web-identity-trust-pins-sub-and-aud  (aws:iam:Role: seeded)" in refused.stdout
    assert "no `sub` condition: any ServiceAccount of any cluster on this issuer can assume it" in refused.stdout
    assert "no `aud` condition" in refused.stdout
    refused = seeded.pulumi("up", "--yes", "--stack", "dev", "--policy-pack", str(project.root / "policy"), check=False)
    assert refused.code != 0 and "web-identity-trust-pins-sub-and-aud" in refused.stdout
    kept = seeded.state("dev")["deployment"].get("resources", [])
    assert [r for r in kept if r["type"] == "aws:iam/role:Role"] == []
