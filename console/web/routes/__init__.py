"""Console routes, one module per area; each has ``register(app, web)``."""
