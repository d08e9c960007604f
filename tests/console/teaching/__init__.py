"""Console data: the inbox of uncertain messages and training-data edits."""
