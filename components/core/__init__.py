"""The pure core: configuration, documents, manifests, presets, evaluators and plans.

Nothing here imports Pulumi or a cloud SDK: importing it is instant, and everything in it is tested
with plain data. The Pulumi shell (components/*.py) only registers what the core planned.
"""
