"""Transport codec for FalkorDB's Bolt layer in the tests (see minerals_graph.neo4j.export_graph).

FalkorDB 4.16's Bolt layer turns parameters into query text: it rejects any string
containing a quote (' or "), garbles backslashes, keeps only 6 decimals of a float, and
crashes when one request's parameters exceed about 4 KB (the tests send batches under 3.5 KB
with ``max_batch_bytes``). Strings with a quote or a backslash travel base64-encoded behind a
marker, floats with more than 6 decimals as exact text; long strings (a register row's notes
can exceed 1.5 KB, and one node must fit in one request) travel zlib-compressed; everything
else is sent as is. Neo4j needs no codec.
"""

import base64
import zlib

MARK = "b64:"
ZMARK = "z64:"
FLOAT = "f64:"
LONG = 600


def encode(v):
    if isinstance(v, str) and len(v.encode("utf-8")) > LONG:
        return ZMARK + base64.b64encode(zlib.compress(v.encode("utf-8"), 9)).decode("ascii")
    if isinstance(v, str) and (any(c in v for c in "'\"\\") or v.startswith((MARK, FLOAT, ZMARK))):
        return MARK + base64.b64encode(v.encode("utf-8")).decode("ascii")
    if isinstance(v, float) and round(v, 6) != v:
        return FLOAT + repr(v)
    return v


def decode(v):
    if isinstance(v, str) and v.startswith(ZMARK):
        return zlib.decompress(base64.b64decode(v[len(ZMARK) :])).decode("utf-8")
    if isinstance(v, str) and v.startswith(MARK):
        return base64.b64decode(v[len(MARK) :]).decode("utf-8")
    if isinstance(v, str) and v.startswith(FLOAT):
        return float(v[len(FLOAT) :])
    return v
