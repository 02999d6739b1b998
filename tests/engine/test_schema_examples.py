"""The Pulumi YAML example in each component's schema description (components/examples/<Component>.md), run
as written by the real engine through the component package: `pulumi up` deploys it, every resource it
declares is in the state, and irsa's children sit under the component, with the provider it was given."""

from __future__ import annotations

import re
from typing import Any

import pytest
import yaml
from harness import Project, program_beside

from components.package import COMPONENTS, EXAMPLES


def _yaml_example(component: str) -> dict[str, Any]:
    [block] = re.findall(r"```yaml\n(.*?)```", (EXAMPLES / f"{component}.md").read_text(), re.S)
    found: dict[str, Any] = yaml.safe_load(block)
    return found


@pytest.mark.parametrize("component", [c.__name__ for c in COMPONENTS])
def test_the_yaml_example_deploys_as_written(project: Project, component: str) -> None:
    example = _yaml_example(component)
    document = {
        "name": f"example-{component.lower()}",
        "runtime": "yaml",
        "plugins": {"providers": [{"name": "irsa", "path": "../provider"}]},
        **example,
    }
    program = program_beside(project, component.lower(), document)
    program.pulumi("stack", "init", "dev")
    program.pulumi("up", "--yes", "--stack", "dev")

    resources = program.state("dev")["deployment"]["resources"]
    declared = example["resources"]
    for name, resource in declared.items():
        token = resource["type"].replace("irsa:", "irsa:index:") if resource["type"].startswith("irsa:") else None
        found = [r for r in resources if r["urn"].endswith(f"::{name}")]
        assert found, f"{name} is not in the state"
        if token is not None:
            [component_state] = found
            assert component_state["type"] == token
            children = [r for r in resources if r.get("parent") == component_state["urn"]]
            assert children, f"{name}: the component registered nothing under itself"
            for given in (resource.get("options") or {}).get("providers", []):  # reach the component's children
                provider = given.strip("${}")
                kind = declared[provider]["type"].split(":")[-1]  # pulumi:providers:<package>
                mine = [r for r in children if r["type"].startswith(f"{kind}:")]
                assert mine and all(f"::{provider}::" in r["provider"] for r in mine), (name, provider)
    outputs = program.pulumi("stack", "output", "--json", "--stack", "dev").json()
    assert set(outputs) == set(example.get("outputs") or {})
    assert all(value not in (None, "") for value in outputs.values()), outputs
