"""The service catalogue: schema, loader, queries and the answer text."""
