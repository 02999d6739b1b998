"""The components as a Pulumi component package, usable from any Pulumi language.

`provider/__main__.py` hosts them (`provider()`); `python -m components.package` prints the schema it serves:
what Pulumi infers from the components' type annotations and docstrings, with the package's namespace, its
SDKs' names in each language and each component's examples (`components/examples/<Component>.md`). It is
checked in as provider/schema.json and compared in CI.
"""

import json
import sys
from pathlib import Path
from typing import Any

from pulumi.provider.experimental.analyzer import Analyzer
from pulumi.provider.experimental.component import ComponentProvider
from pulumi.provider.experimental.schema import generate_schema

from components.cross_account_role import CrossAccountRole
from components.grant_types import ServiceGrantLists
from components.oidc_provider import ClusterOidcProvider
from components.shared_role import SharedRole, SharedWorkload
from components.verification_job import VerificationJob
from components.version import VERSION
from components.workload_identity import WorkloadIdentity
from components.workload_identity_args import WorkloadIdentityArgs

NAME = "irsa"
COMPONENTS = [ClusterOidcProvider, WorkloadIdentity, VerificationJob, CrossAccountRole, SharedRole]
# Generated SDKs are named for this package, never under Pulumi's own scope (`@pulumi/…`, `pulumi_…`,
# `github.com/pulumi/…`, `Pulumi.…`, `com.pulumi.…`, which is what the names default to).
NAMESPACE = "irsa"
LANGUAGE = {
    "nodejs": {"packageName": "@irsa/pulumi"},
    "python": {"packageName": "irsa_pulumi"},
    "go": {"importBasePath": "github.com/irsa/irsa/sdk/go/irsa"},
    "csharp": {"rootNamespace": "Irsa"},
    "java": {"basePackage": "dev.irsa"},
}
EXAMPLES = Path(__file__).resolve().parent / "examples"


class _Analyzer(Analyzer):
    """Pulumi's analyzer, also reading the docstrings of the classes a TypedDict extends (it parses only the class
    itself): WorkloadIdentityArgs' generated base, and WorkloadIdentityArgs for SharedWorkload."""

    def get_docstring(self, typ: type, name: str) -> str | None:
        found = super().get_docstring(typ, name)
        bases: list[type] = [WorkloadIdentityArgs, ServiceGrantLists] if typ is SharedWorkload else [ServiceGrantLists]
        for base in bases:
            if found is None and typ is not base:
                found = super().get_docstring(base, name)
        return found


def schema() -> dict[str, Any]:
    """The package schema, exactly as `provider()` serves it."""
    result = _Analyzer(NAME).analyze(COMPONENTS)
    dependencies = sorted(result["dependencies"], key=lambda d: f"{d.name}{d.version}")
    spec = generate_schema(
        NAME, VERSION, NAMESPACE, result["component_definitions"], result["type_definitions"], dependencies
    )
    found = dict(spec.to_json())
    for typ in found["types"].values():
        for member in typ.get("enum", []):  # READ_WRITE → ReadWrite: what each language's codegen expects
            member["name"] = "".join(part.title() for part in member["name"].split("_"))
    for language, names in LANGUAGE.items():
        found["language"][language] = {**found["language"].get(language, {}), **names}
    for component in COMPONENTS:
        example = EXAMPLES / f"{component.__name__}.md"
        if example.exists():
            resource = found["resources"][f"{NAME}:index:{component.__name__}"]
            resource["description"] = f"{resource['description']}\n\n{example.read_text()}"
    return found


def provider() -> ComponentProvider:
    """The provider `component_provider_host` would build, serving this module's schema."""
    hosted = ComponentProvider(COMPONENTS, NAME, NAMESPACE, VERSION)
    hosted.schema = json.dumps(schema())
    return hosted


if __name__ == "__main__":
    sys.stdout.write(json.dumps(schema(), indent=2, sort_keys=True) + "\n")
