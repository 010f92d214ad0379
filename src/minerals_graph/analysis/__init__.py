"""Analyses: pure functions, graph in, tables out; the graph is never changed.

* :mod:`~minerals_graph.analysis.dependence` — net import reliance, bands, PRC exposure.
* :mod:`~minerals_graph.analysis.flow` — the per-commodity supply network (flow model).
* :mod:`~minerals_graph.analysis.chokepoints` — concentration, single points of failure,
  minimum node cuts, betweenness on supply paths, N-1 impact.
* :mod:`~minerals_graph.analysis.whatif` — removals by filter, added capacity, presets.
"""
