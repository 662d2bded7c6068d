"""Conformance tests for workdocs-local, driven by unmodified boto3 clients."""
