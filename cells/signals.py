"""Signals of the organization tree, for the apps above it (``reports`` keeps stored paths in step)."""

from django.dispatch import Signal

# Sent inside the move's transaction, once the tree has changed: ``old_path`` and ``new_path`` of the moved node
# (its whole subtree moved with it).
organization_moved = Signal()
