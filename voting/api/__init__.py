"""The JSON API under /api/v1 (the pages' own scripts use it too)."""

from voting.api.routes import blueprint

# Registers its routes on the blueprint (imported for that side effect).
from voting.api import drafts  # noqa: F401  isort: skip

__all__ = ["blueprint"]
