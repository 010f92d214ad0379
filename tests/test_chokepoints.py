"""Chokepoint metrics on tiny supply networks with hand-computed answers."""

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from minerals_graph.analysis import chokepoints as ck
from minerals_graph.analysis.flow import SOURCE, max_supply


def net_from(edges, demand=None, roles=None):
    """edges: (u, v, capacity or None). Nodes other than S and demand:USA are real."""
    G = nx.DiGraph(demand={"USA": demand} if demand is not None else {}, commodity="x")
    for u, v, c in edges:
        G.add_edge(u, v, **({} if c is None else {"capacity": c}))
    for n in G:
        G.nodes[n]["role"] = (roles or {}).get(
            n,
            "source"
            if n == SOURCE
            else "demand"
            if n.startswith("demand:")
            else "pool"
            if n.startswith("pool:")
            else "facility",
        )
    return G


def chain(demand=8):
    """S -> A(10) -> P -> demand; S -> B(5) -> P. P is the only plant: a single chokepoint.
    With a demand of 8 t, A alone covers it (B is redundant); without A only B's 5 t arrive."""
    return net_from(
        [(SOURCE, "A", 10), (SOURCE, "B", 5), ("A", "P", None), ("B", "P", None), ("P", "demand:USA", 12)],
        demand=demand,
    )


def test_single_chokepoint_is_found():
    net = chain()
    assert max_supply(net) == 8
    assert ck.single_points_of_failure(net) == ["P"]
    assert ck.minimum_node_cut(net) == ["P"]
    assert ck.n_minus_1(net) == {"A": 3.0, "B": 0.0, "P": 8.0}
    # with a demand of 12 t both mines are needed: losing B costs 2 t (12 -> 10)
    assert ck.n_minus_1(chain(12)) == {"A": 7.0, "B": 2.0, "P": 12.0}


def test_redundant_suppliers_are_not_chokepoints():
    net = net_from(
        [(SOURCE, "A", 10), (SOURCE, "B", 10), ("A", "demand:USA", None), ("B", "demand:USA", None)], demand=8
    )
    assert ck.single_points_of_failure(net) == []
    assert ck.n_minus_1(net) == {"A": 0.0, "B": 0.0}
    assert ck.minimum_node_cut(net) == ["A", "B"]


def test_artefact_pool_is_never_a_chokepoint():
    net = net_from(
        [
            (SOURCE, "A", 5),
            (SOURCE, "B", 5),
            ("A", "pool:mined", None),
            ("B", "pool:mined", None),
            ("pool:mined", "P1", 4),
            ("pool:mined", "P2", 4),
            ("P1", "demand:USA", None),
            ("P2", "demand:USA", None),
        ],
        demand=8,
    )
    assert "pool:mined" not in ck.single_points_of_failure(net)
    assert sorted(ck.minimum_node_cut(net)) in (["A", "B"], ["P1", "P2"])
    # without A only B's 5 t are mined (loss 3); without P1 only P2's 4 t are processed (loss 4)
    assert ck.n_minus_1(net) == {"A": 3.0, "B": 3.0, "P1": 4.0, "P2": 4.0}


def test_betweenness_on_supply_paths():
    # two shortest S->demand paths: both pass P, one each passes A and B
    b = ck.supply_betweenness(chain())
    assert b == {"A": 0.5, "B": 0.5, "P": 1.0}


def test_concentration_hhi_and_shares():
    c = ck.concentration({"CHN": 240000, "USA": 43000, "MMR": 38000, "AUS": 18000, "X": 0})
    assert c["top1"] == "CHN" and c["n"] == 4
    total = 339000
    expected = sum((100 * q / total) ** 2 for q in (240000, 43000, 38000, 18000))
    assert c["hhi"] == pytest.approx(round(expected, 1))
    assert c["top1_share_pct"] == pytest.approx(round(100 * 240000 / total, 2))
    assert ck.concentration({})["hhi"] is None


def brute_force_n1(net):
    base = nx.maximum_flow_value(net, SOURCE, "T*") if "T*" in net else None
    out = {}
    for n in ck.on_supply_paths(net, "demand:USA"):
        if net.nodes[n]["role"] in ("source", "pool", "demand"):
            continue
        H = net.copy()
        H.remove_node(n)
        H.add_edge("demand:USA", "T*", capacity=net.graph["demand"]["USA"])
        G0 = net.copy()
        G0.add_edge("demand:USA", "T*", capacity=net.graph["demand"]["USA"])
        base = nx.maximum_flow_value(G0, SOURCE, "T*")
        out[n] = round(base - nx.maximum_flow_value(H, SOURCE, "T*"), 6)
    return out


@st.composite
def random_networks(draw):
    n_mines = draw(st.integers(1, 4))
    n_plants = draw(st.integers(1, 4))
    edges = [(SOURCE, f"M{i}", draw(st.integers(0, 20))) for i in range(n_mines)]
    for i in range(n_mines):
        for j in range(n_plants):
            if draw(st.booleans()):
                edges.append((f"M{i}", f"P{j}", None))
    for j in range(n_plants):
        edges.append((f"P{j}", "demand:USA", draw(st.integers(0, 20))))
    return net_from(edges, demand=draw(st.integers(1, 40)))


@settings(max_examples=60, deadline=None)
@given(random_networks(), st.data())
def test_supply_never_rises_when_nodes_are_removed(net, data):
    real = [n for n in net if net.nodes[n]["role"] == "facility"]
    removed = frozenset(data.draw(st.lists(st.sampled_from(real), unique=True)) if real else [])
    more = frozenset(data.draw(st.lists(st.sampled_from(real), unique=True)) if real else []) | removed
    assert max_supply(net, removed=more) <= max_supply(net, removed=removed) <= max_supply(net) + 1e-9


@settings(max_examples=40, deadline=None)
@given(random_networks())
def test_n_minus_1_equals_brute_force(net):
    assert ck.n_minus_1(net) == brute_force_n1(net)


def test_removing_a_non_chokepoint_changes_nothing():
    net = chain()
    assert max_supply(net, removed=frozenset({"B"})) == max_supply(net)


@settings(max_examples=40, deadline=None)
@given(random_networks())
def test_fast_n_minus_1_equals_naive(net):
    assert ck.n_minus_1(net) == ck.n_minus_1_naive(net)


def test_fast_n_minus_1_equals_naive_on_real_networks(data_graph):
    from minerals_graph.analysis.flow import build_supply_network

    for c in ("rare_earths", "lithium", "cobalt", "graphite", "gallium", "bauxite"):
        net = build_supply_network(data_graph, c)
        assert ck.n_minus_1(net) == ck.n_minus_1_naive(net), c
