"""Entry of the irsa component package: hosts the components for any Pulumi language (PulumiPlugin.yaml)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the repository root holds `components`

from pulumi.provider import main  # noqa: E402

from components.package import provider  # noqa: E402

if __name__ == "__main__":
    # What `component_provider_host` does, with the package's own schema (namespace, SDK names, examples).
    main(provider(), sys.argv[1:])
