"""The components as a Pulumi component package, usable from any Pulumi language.

`provider/__main__.py` hosts them; `python -m components.package` prints the schema Pulumi infers
from their type annotations and docstrings (checked in as provider/schema.json and compared in CI).
"""

import json
import sys
from typing import Any

from pulumi.provider.experimental.analyzer import Analyzer
from pulumi.provider.experimental.schema import generate_schema

from components.cross_account_role import CrossAccountRole
from components.oidc_provider import ClusterOidcProvider
from components.verification_job import VerificationJob
from components.version import VERSION
from components.workload_identity import WorkloadIdentity

NAME = "irsa"
COMPONENTS = [ClusterOidcProvider, WorkloadIdentity, VerificationJob, CrossAccountRole]


def schema() -> dict[str, Any]:
    """The package schema, exactly as `component_provider_host` would serve it."""
    result = Analyzer(NAME).analyze(COMPONENTS)
    dependencies = sorted(result["dependencies"], key=lambda d: f"{d.name}{d.version}")
    spec = generate_schema(
        NAME, VERSION, None, result["component_definitions"], result["type_definitions"], dependencies
    )
    return dict(spec.to_json())


if __name__ == "__main__":
    sys.stdout.write(json.dumps(schema(), indent=2, sort_keys=True) + "\n")
