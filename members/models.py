"""Models of the members app."""
