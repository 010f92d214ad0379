"""API limits (documented defaults; environment variables override)."""

import os

#: Seconds a what-if may compute before the API answers 504.
WHATIF_TIMEOUT_S = float(os.environ.get("MINERALS_GRAPH_WHATIF_TIMEOUT", "30"))
#: Largest request body accepted (bytes); larger -> 413.
MAX_BODY_BYTES = int(os.environ.get("MINERALS_GRAPH_MAX_BODY", str(64 * 1024)))
