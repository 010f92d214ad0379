"""One module per public source: the only code that reads raw files.

Each ``load_*`` function returns a :class:`~minerals_graph.sources._common.LoadResult`:
a tidy table plus every row it did not load, with the reason.
"""

from minerals_graph.sources._common import LoadResult, QValue, SourceInfo, parse_qvalue

__all__ = ["LoadResult", "QValue", "SourceInfo", "parse_qvalue"]
