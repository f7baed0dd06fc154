"""The JSON API under /api/v1 (the pages' own scripts use it too)."""

from voting.api.routes import blueprint

__all__ = ["blueprint"]
