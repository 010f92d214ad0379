import geopandas as gpd
import pytest

from minerals_graph import io
from minerals_graph.convert import graph_to_gdfs, network_point


def test_gdfs_points_and_lines(data_graph):
    nodes, edges = graph_to_gdfs(data_graph)
    assert nodes.crs.to_epsg() == 4326 and edges.crs.to_epsg() == 4326
    assert set(nodes.geom_type) == {"Point"} and set(edges.geom_type) == {"LineString"}
    with_coords = sum(1 for _, d in data_graph.nodes(data=True) if d.get("lon") is not None)
    assert len(nodes) == with_coords
    row = nodes.set_index("id").loc["country:CHN"]
    assert (row.geometry.x, row.geometry.y) == (
        data_graph.nodes["country:CHN"]["lon"],
        data_graph.nodes["country:CHN"]["lat"],
    )


def test_network_point(data_graph):
    assert network_point(data_graph, "out:CHN") == (
        data_graph.nodes["country:CHN"]["lon"],
        data_graph.nodes["country:CHN"]["lat"],
    )
    assert network_point(data_graph, "pool:mined") is None


@pytest.mark.parametrize("fmt", ["geojson", "gpkg"])
def test_geo_export_round_trip(data_graph, tmp_path, fmt):
    paths = io.export_geo(data_graph, tmp_path, fmt)
    nodes, edges = graph_to_gdfs(data_graph)
    kw = {"layer": "nodes"} if fmt == "gpkg" else {}
    back = gpd.read_file(paths["nodes"], **kw)
    assert back.crs.to_epsg() == 4326 and len(back) == len(nodes)
    assert set(nodes.columns) <= set(back.columns)
    b = back.set_index("id").sort_index()
    n = nodes.set_index("id").sort_index()
    for col in ("kind", "name", "iso3", "source_url"):
        assert (b[col].fillna("") == n[col].fillna("")).all(), col
    assert b.geometry.geom_equals_exact(n.geometry, tolerance=1e-9).all()
    kw = {"layer": "edges"} if fmt == "gpkg" else {}
    eback = gpd.read_file(paths["edges"], **kw)
    assert len(eback) == len(edges) and set(eback["kind"]) == set(edges["kind"])
    assert (eback["key"].sort_values().values == edges["key"].sort_values().values).all()


def test_unlocated_places_are_listed_with_the_registers_reason():
    import networkx as nx

    from minerals_graph.convert import unlocated_places

    G = nx.MultiDiGraph()
    G.add_node("site:a", kind="Site", name="A", iso3="CHN", lon=1.0, lat=2.0, source="register")
    G.add_node(
        "facility:b",
        kind="Facility",
        name="B",
        iso3="CHN",
        source="register",
        notes="UNLOCATED: no page gives a town or site. More text",
    )
    G.add_node("site:c", kind="Site", name="C", iso3="USA", source="usgs")
    G.add_node("port:wpi-1", kind="Port", name="P")
    out = unlocated_places(G)
    assert list(out["id"]) == ["facility:b", "site:c"]
    assert list(out["reason"]) == ["no page gives a town or site", "no coordinates in the source"]
