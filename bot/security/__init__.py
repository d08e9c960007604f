"""Residents' data at rest: key files, encrypted columns, digests for equality lookups."""
