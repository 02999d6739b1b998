"""Generate a stack file with N workloads (sampleJob false above 10), for the benchmark."""

from __future__ import annotations

import sys
from pathlib import Path

import yaml


def stack(n: int) -> dict:
    return {
        "config": {
            "aws:region": "ap-northeast-2",
            "irsa:cluster": {"kind": "eks", "name": "bench-cluster"},
            "irsa:workloads": [
                {
                    "name": f"w{i:04d}",
                    "namespace": f"ns{i % 20:02d}",
                    "serviceAccount": f"sa{i:04d}",
                    "sampleJob": n <= 10,
                    "s3": [{"bucket": f"bench-bucket-{i % 50:02d}", "prefix": f"w{i:04d}/", "access": "read-write"}],
                }
                for i in range(n)
            ],
        }
    }


def write(n: int, directory: Path) -> Path:
    path = directory / f"Pulumi.bench{n}.yaml"
    path.write_text(yaml.safe_dump(stack(n), sort_keys=False))
    return path


if __name__ == "__main__":
    print(write(int(sys.argv[1]), Path(sys.argv[2])))
