"""A panel of real, widely used numerical routines behind thin adapters (call shape only)."""
