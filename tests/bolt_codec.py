"""Transport codec for FalkorDB's Bolt layer in the tests (see minerals_graph.neo4j.export_graph).

FalkorDB 4.16's Bolt layer turns parameters into query text: it rejects any string
containing a quote (' or "), garbles backslashes, keeps only 6 decimals of a float, and
crashes when one request's parameters exceed about 4 KB (the tests send batches under 3.5 KB
with ``max_batch_bytes``). Strings with a quote or a backslash travel base64-encoded behind a
marker, floats with more than 6 decimals as exact text; everything else is sent as is.
Neo4j needs no codec.
"""

import base64

MARK = "b64:"
FLOAT = "f64:"


def encode(v):
    if isinstance(v, str) and (any(c in v for c in "'\"\\") or v.startswith((MARK, FLOAT))):
        return MARK + base64.b64encode(v.encode("utf-8")).decode("ascii")
    if isinstance(v, float) and round(v, 6) != v:
        return FLOAT + repr(v)
    return v


def decode(v):
    if isinstance(v, str) and v.startswith(MARK):
        return base64.b64decode(v[len(MARK):]).decode("utf-8")
    if isinstance(v, str) and v.startswith(FLOAT):
        return float(v[len(FLOAT):])
    return v
