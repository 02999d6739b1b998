"""Entry of the irsa component package: hosts the components for any Pulumi language (PulumiPlugin.yaml)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the repository root holds `components`

from pulumi.provider.experimental import component_provider_host  # noqa: E402

from components.package import COMPONENTS, NAME, VERSION  # noqa: E402

if __name__ == "__main__":
    component_provider_host(COMPONENTS, name=NAME, version=VERSION)
