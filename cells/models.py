"""Models of the cells app."""
