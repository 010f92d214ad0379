"""The read-only web API (FastAPI): ``create_app`` builds it, ``minerals-graph serve`` runs it."""

from minerals_graph.api.app import create_app

__all__ = ["create_app"]
