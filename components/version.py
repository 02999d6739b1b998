"""The package version: in `--version`, and in the component schema other languages use."""

VERSION = "0.3.0"
