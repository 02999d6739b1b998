"""Each component's Python example (its schema description) on the SDK `pulumi package gen-sdk` generates from
provider/schema.json, deployed through the component package by the real engine: the SDK's names
(`irsa_pulumi`, `S3GrantArgs`, `S3Access.READ`, snake_case arguments) are the ones the examples use."""

from __future__ import annotations

import dataclasses
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from harness import ROOT, Project, moto_iam, program_beside

from components.package import COMPONENTS, EXAMPLES

ISSUER_HOST = "oidc.eks.eu-west-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF"


def _with_sdk(project: Project, program: Project) -> Project:
    """`program` with the generated SDK installed as a user installs it (it reads its version from its
    distribution's metadata), into a folder of its own on PYTHONPATH: its dependencies are the virtualenv's."""
    sdk = project.root.parent / "sdk"
    schema = project.root / "provider" / "schema.json"
    program.pulumi("package", "gen-sdk", str(schema), "--language", "python", "--out", str(sdk))
    [package] = sdk.glob("**/irsa_pulumi/__init__.py")
    site = project.root.parent / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
                    "--target", str(site), str(package.parent.parent)], check=True, timeout=300)  # fmt: skip
    return dataclasses.replace(program, env={**program.env, "PYTHONPATH": str(site)})


@pytest.mark.parametrize("component", [c.__name__ for c in COMPONENTS])
def test_the_python_example_runs_on_the_generated_sdk(project: Project, component: str) -> None:
    program = program_beside(project, "python-example", {
        "name": "python-example",
        "runtime": {"name": "python", "options": {"virtualenv": "venv"}},
        "plugins": {"providers": [{"name": "irsa", "path": "../provider"}]},
    })  # fmt: skip
    [example] = re.findall(r"```python\n(.*?)```", (EXAMPLES / f"{component}.md").read_text(), re.S)
    (program.root / "__main__.py").write_text(example)
    program = _with_sdk(project, program)
    program.pulumi("stack", "init", "dev")
    program.pulumi("up", "--yes", "--stack", "dev")

    outputs = program.pulumi("stack", "output", "--json", "--stack", "dev").json()
    assert set(outputs) == set(re.findall(r'pulumi\.export\("(\w+)"', example))
    assert all(value not in (None, "") for value in outputs.values()), outputs
    if component == "WorkloadIdentity":  # the role trusts the example's own provider, for its ServiceAccount
        iam = moto_iam(json.loads(Path(project.env["IRSA_STANDIN_FIXTURES"]).read_text())["motoUrl"])
        role = iam.get_role(RoleName=outputs["role_arn"].rsplit("/", 1)[1])["Role"]
        [statement] = role["AssumeRolePolicyDocument"]["Statement"]
        [provider] = iam.list_open_id_connect_providers()["OpenIDConnectProviderList"]
        assert statement["Principal"]["Federated"] == provider["Arn"]
        assert statement["Condition"]["StringEquals"][f"{ISSUER_HOST}:sub"] == "system:serviceaccount:billing:billing"
    if component == "SharedRole":  # one role holding the union; each association's session policy its own grant
        iam = moto_iam(json.loads(Path(project.env["IRSA_STANDIN_FIXTURES"]).read_text())["motoUrl"])
        role = outputs["role_arn"].rsplit("/", 1)[1]
        [inline] = iam.list_role_policies(RoleName=role)["PolicyNames"]
        union = json.dumps(iam.get_role_policy(RoleName=role, PolicyName=inline)["PolicyDocument"])
        assert "media-originals/uploads/" in union and "media-public/renditions/" in union
        state = program.state("dev")["deployment"]["resources"]
        associations = {r["inputs"]["serviceAccount"]: r["inputs"] for r in state
                        if r["type"] == "aws:eks/podIdentityAssociation:PodIdentityAssociation"}  # fmt: skip
        assert set(associations) == {"resizer", "publisher"}
        for account, own, other in (("resizer", "media-originals", "media-public"),
                                    ("publisher", "media-public", "media-originals")):  # fmt: skip
            given = associations[account]
            assert given["roleArn"] == outputs["role_arn"] and given["disableSessionTags"] is True
            assert own in given["policy"] and other not in given["policy"], given["policy"]


# What the TypeScript examples are checked with: the Pulumi SDK of the pinned CLI, the provider SDKs irsa's schema
# refers to (pulumi-aws at the newest 7.x npm serves here: 7.51.1 is not), and TypeScript.
NPM_PACKAGES = {"@pulumi/pulumi": "3.260.0", "@pulumi/aws": "7.48.0", "@pulumi/kubernetes": "4.34.2",
                "typescript": "5.9.3"}  # fmt: skip


def test_the_typescript_examples_type_check_against_the_generated_sdk(project: Project) -> None:
    """Every component's TypeScript example, compiled (strict, no emit) with the SDK gen-sdk generates for
    Node.js: its package name, classes, argument names and enum members are the SDK's."""
    work = project.root.parent / "typescript"
    project.pulumi("package", "gen-sdk", str(ROOT / "provider" / "schema.json"), "--language", "nodejs",
                   "--out", str(work / "sdk"))  # fmt: skip
    [index] = (work / "sdk").glob("*/index.ts")
    (work / "package.json").write_text(json.dumps({"private": True, "dependencies": NPM_PACKAGES}))
    npm = ["npm", "install", "--no-audit", "--no-fund", "--ignore-scripts", "--loglevel=error"]
    subprocess.run(npm, cwd=work, check=True, timeout=900, capture_output=True)  # scripts would fetch plugins
    examples = []
    for component in (c.__name__ for c in COMPONENTS):
        [code] = re.findall(r"```typescript\n(.*?)```", (EXAMPLES / f"{component}.md").read_text(), re.S)
        (work / f"{component}.ts").write_text(code)
        examples.append(f"{component}.ts")
    (work / "tsconfig.json").write_text(json.dumps({
        "compilerOptions": {"strict": True, "noEmit": True, "module": "commonjs", "target": "es2020",
                            "moduleResolution": "node", "esModuleInterop": True, "skipLibCheck": True,
                            "baseUrl": ".", "paths": {"@irsa/pulumi": [str(index.relative_to(work))]}},
        "files": examples,
    }))  # fmt: skip
    checked = subprocess.run([str(work / "node_modules" / ".bin" / "tsc"), "-p", "."], cwd=work,
                             capture_output=True, text=True, timeout=600)  # fmt: skip
    assert checked.returncode == 0, checked.stdout + checked.stderr
