"""API limits (documented defaults; environment variables override)."""

import os

#: Seconds a what-if may compute before the API answers 504.
WHATIF_TIMEOUT_S = float(os.environ.get("MINERALS_GRAPH_WHATIF_TIMEOUT", "30"))
#: Largest request body accepted (bytes); larger -> 413.
MAX_BODY_BYTES = int(os.environ.get("MINERALS_GRAPH_MAX_BODY", str(64 * 1024)))
#: Serialised GET answers kept per worker (api.app.ResponseCache): at most this many ...
RESPONSE_CACHE_ENTRIES = int(os.environ.get("MINERALS_GRAPH_RESPONSE_CACHE_ENTRIES", "4096"))
#: ... and at most this many bytes (the least recently used are dropped first).
RESPONSE_CACHE_BYTES = int(os.environ.get("MINERALS_GRAPH_RESPONSE_CACHE_BYTES", str(48 * 2**20)))


def _docs_assets() -> str | None:
    """Swagger UI, ReDoc and a favicon as the ``fastapi-offline`` distribution packages
    them (``MINERALS_GRAPH_DOCS_ASSETS`` overrides the folder); None when not installed."""
    override = os.environ.get("MINERALS_GRAPH_DOCS_ASSETS")
    if override:
        return override
    from importlib.resources import files

    try:
        return str(files("fastapi_offline") / "static")
    except ModuleNotFoundError:
        return None


#: The folder /docs and /redoc load their scripts and styles from (no CDN).
DOCS_ASSETS = _docs_assets()
