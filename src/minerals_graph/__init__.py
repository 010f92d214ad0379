"""minerals_graph: the critical-minerals supply chain as a property graph.

Data flows one way: raw public files (``sources``) -> canonical tables (``tables``)
-> validated graph (``build``, ``validate``) -> analyses -> outputs (``io``, ``maps``,
``neo4j``, ``api``, ``cli``). Import what you need from those modules, e.g.
``from minerals_graph.build import build_graph``.
"""

__version__ = "0.1.0"
