"""Data access: the only layer that talks to AWS services."""
