import math

import pandas as pd
import pytest

from minerals_graph import matching, settings
from minerals_graph.matching import (
    DEFAULT_SCOPE,
    MATCH_COLUMNS,
    haversine_km,
    match_places,
    name_score,
    name_tokens,
    related_commodities,
    repair_text,
    scope_commodities,
)

# 0.01 degree of latitude on the mean-radius sphere: 6371.0088 * pi / 180 * 0.01
KM_PER_CENTIDEGREE = 1.112


def _register(rows):
    cols = ["id", "name", "iso3", "admin1", "lon", "lat", "commodities"]
    return pd.DataFrame([dict(zip(cols, r, strict=True)) for r in rows], columns=cols)


def _candidates(rows):
    cols = [
        "record_id",
        "dataset",
        "name",
        "alt_names",
        "iso3",
        "admin1",
        "lon",
        "lat",
        "commodities",
        "stages",
    ]
    return pd.DataFrame([dict(zip(cols, r, strict=True)) for r in rows], columns=cols)


NAN = math.nan


def test_haversine_hand_values():
    assert round(haversine_km(0.0, 0.0, 1.0, 0.0), 3) == 111.195  # 6371.0088 * pi / 180
    assert round(haversine_km(-115.53, 35.48, -115.53, 35.49), 3) == KM_PER_CENTIDEGREE
    assert haversine_km(10.0, 20.0, 10.0, 20.0) == 0.0


def test_name_tokens_drop_place_words_company_forms_and_commodities():
    assert name_tokens("Bécancour Aluminium Smelter (Alcoa Corp.)") == {"alcoa", "becancour"}
    assert name_tokens("Copper Cliff Complex ") == {"cliff"}
    assert name_tokens("Cobalt") == {"cobalt"}  # a commodity word is kept when nothing else is left
    assert name_tokens("Mine") == frozenset()
    assert name_tokens("Guangxi Yusheng Refinery", drop={"guangxi"}) == {"yusheng"}


def test_name_score_cases():
    assert name_score("Mountain Pass Mine", "Mountain Pass") == 1.0
    assert name_score("Mountain Pass Rare Earth Mine", "MOUNTAIN PASS") == 1.0
    assert name_score("Aluminerie de Becancour Inc.", "Bécancour") == 0.9  # contained: 1 of 2 tokens
    assert name_score("Canadian Copper Refinery (CCR), Montreal-Est", "CCR") == 0.95  # parenthesis
    assert name_score("Fraser Mine (Glencore Sudbury INO)", "Sudbury") < 0.8  # 1 of 4 tokens
    assert name_score("Mine", "Mine") == 0.0
    # difflib ratio of 'bayan obo' and 'baiyun obo': 2 * 8 / 19
    assert name_score("Bayan Obo", "Baiyun Obo") == round(16 / 19, 4)


def test_related_commodities_groups_and_usgs_related():
    assert related_commodities(["neodymium"]) == {"neodymium", "rare_earths"}
    assert "aluminum" in related_commodities(["bauxite"])
    assert "bauxite" in related_commodities(["aluminum"])
    assert related_commodities(["platinum"]) & related_commodities(["palladium"]) == {"platinum_group_metals"}
    assert not related_commodities(["gold"]) & related_commodities(["lithium"])


def test_scope():
    assert {
        "lithium",
        "rare_earths",
        "platinum_group_metals",
        "bauxite",
        "copper",
        "uranium",
        "titanium_mineral_concentrates",
    } <= DEFAULT_SCOPE
    assert not {"coal", "iron_ore", "gold", "silver", "iron_steel", "silicon"} & DEFAULT_SCOPE
    assert scope_commodities({"neodymium", "aluminum"}, ()) == {
        "neodymium",
        "aluminum",
        "rare_earths",
        "bauxite",
    }
    assert matching.resolve_scope(None) == DEFAULT_SCOPE
    assert matching.resolve_scope(["gold"]) == {"gold"}


def test_critical_2022_is_the_projects_list():
    t = pd.read_csv(settings.DATA_DIR / "commodities.csv", dtype=str, keep_default_na=False)
    assert set(t.loc[t["critical_2022"] == "True", "id"]) == matching.CRITICAL_2022


def test_repair_text():
    assert repair_text("Eisenh\u00c3\u00bcttenstadt") == "Eisenhüttenstadt"
    assert repair_text("C\u00f4te D\u0092Ivoire") == "Côte D\u2019Ivoire"
    assert repair_text("Bécancour") == "Bécancour"
    assert repair_text("Québec / Montréal") == "Québec / Montréal"


REGISTER = _register(
    [
        # matches c1: same country, same name without commodity words, Nd ~ REE, 1.112 km
        (
            "r1",
            "Mountain Pass Rare Earth Mine",
            "USA",
            "California",
            -115.53,
            35.48,
            "neodymium;praseodymium",
        ),
        # same name, another country: no match
        ("r2", "Mountain Pass Mine", "CAN", "", -115.53, 35.48, "rare_earths"),
        # same name and place, no common commodity (c3 is gold only): no match
        ("r3", "Kings Mountain Mine", "USA", "", -81.34, 35.24, "lithium"),
        # same name and commodity, 0.55 degree of latitude away (61.157 km): too far
        ("r4", "Eagle Mine", "USA", "Michigan", -87.9, 46.75, "nickel"),
        # no coordinates: only an exact name counts (c6 'Baiyun Obo' scores 0.8421 < 0.95)
        ("r5", "Bayan Obo mine", "CHN", "Inner Mongolia", NAN, NAN, "rare_earths"),
        # two candidates with the same name score: the nearer wins (c8 at 0.02 deg, c7 at 0.05 deg)
        ("r6", "Trail Operations", "CAN", "British Columbia", -117.70, 49.10, "zinc"),
    ]
)
CANDIDATES = _candidates(
    [
        (
            "c1",
            "usgs-major-deposits",
            "Mountain Pass",
            "",
            "USA",
            "California",
            -115.53,
            35.49,
            "rare_earths;barite",
            "mining",
        ),
        ("c3", "icmm", "Kings Mountain", "", "USA", "", -81.34, 35.24, "gold", "mining"),
        (
            "c4",
            "usgs-pp1802",
            "Eagle",
            "",
            "USA",
            "Michigan",
            -87.9,
            47.30,
            "nickel;copper",
            "mining",
        ),
        (
            "c5",
            "usgs-ree",
            "Bayan Obo",
            "",
            "CHN",
            "Inner Mongolia",
            109.97,
            41.78,
            "rare_earths",
            "mining",
        ),
        (
            "c6",
            "icmm",
            "Baiyun Obo",
            "",
            "CHN",
            "",
            109.97,
            41.78,
            "rare_earths;iron_ore",
            "mining",
        ),
        (
            "c7",
            "icmm",
            "Trail",
            "Trail Smelter",
            "CAN",
            "",
            -117.70,
            49.15,
            "zinc;lead",
            "refining;smelting",
        ),
        (
            "c8",
            "nrcan",
            "Trail",
            "",
            "CAN",
            "British Columbia",
            -117.70,
            49.12,
            "zinc;lead",
            "refining;smelting",
        ),
    ]
)


def test_match_places_hand_computed():
    m = match_places(REGISTER, CANDIDATES)
    assert list(m.columns) == MATCH_COLUMNS
    assert list(m["register_id"]) == ["r1", "r5", "r6"]
    r1 = m.iloc[0]
    assert (r1.record_id, r1.dataset, r1.record_name, r1.name_score) == (
        "c1",
        "usgs-major-deposits",
        "Mountain Pass",
        1.0,
    )
    assert r1.distance_km == KM_PER_CENTIDEGREE and (r1.lon, r1.lat) == (-115.53, 35.49)
    r5 = m.iloc[1]
    assert (r5.record_id, r5.name_score) == ("c5", 1.0) and math.isnan(r5.distance_km)
    r6 = m.iloc[2]
    assert (r6.record_id, r6.dataset, r6.distance_km) == ("c8", "nrcan", 2 * KM_PER_CENTIDEGREE)


def test_match_places_negative_cases_and_max_km():
    m = match_places(REGISTER, CANDIDATES)
    assert "r2" not in set(m.register_id)  # same name in another country
    assert "r3" not in set(m.register_id)  # same name, no common commodity
    assert "r4" not in set(m.register_id)  # 61 km > 50 km
    wide = match_places(REGISTER, CANDIDATES, max_km=70.0).set_index("register_id")
    assert wide.loc["r4", "record_id"] == "c4"
    assert wide.loc["r4", "distance_km"] == pytest.approx(61.157, abs=0.001)  # 55 x 1.111951 km


def test_match_places_stage_must_overlap_when_both_have_stages():
    reg = REGISTER.assign(stages="").copy()
    reg.loc[reg.id == "r1", "stages"] = "separation"
    m = match_places(reg, CANDIDATES)
    assert "r1" not in set(m.register_id)  # a separation plant is not the mine record
    reg.loc[reg.id == "r1", "stages"] = "mining;concentrating"
    assert "r1" in set(match_places(reg, CANDIDATES).register_id)


def test_match_places_alt_names_and_admin_words():
    reg = _register([("r7", "Trail Smelter", "CAN", "", -117.70, 49.15, "lead")])
    cand = CANDIDATES[CANDIDATES.record_id == "c7"].assign(name="Teck Metals")
    m = match_places(reg, cand)
    assert (m.iloc[0].record_id, m.iloc[0].name_score) == ("c7", 1.0)  # through alt_names
    # the province's name says where, not which plant
    reg = _register([("r8", "Guangxi Yusheng Germanium plant", "CHN", "Guangxi", 107.5, 24.9, "germanium;zinc")])
    cand = _candidates([("c9", "icmm", "Nanfang", "Guangxi Refinery", "CHN", "", 107.5, 24.9, "zinc", "smelting")])
    assert match_places(reg, cand).empty


def test_match_places_is_deterministic_and_does_not_touch_inputs():
    before = REGISTER.copy(), CANDIDATES.copy()
    a = match_places(REGISTER, CANDIDATES)
    b = match_places(REGISTER.iloc[::-1], CANDIDATES.iloc[::-1])
    pd.testing.assert_frame_equal(a, b)
    pd.testing.assert_frame_equal(REGISTER, before[0])
    pd.testing.assert_frame_equal(CANDIDATES, before[1])
    assert match_places(REGISTER.iloc[0:0], CANDIDATES).empty


@pytest.mark.shared
def test_match_register_rows_to_real_datasets(shared, crosswalk):
    from minerals_graph.sources import icmm, minmod, nrcan

    scope = {"USA", "CAN", "MEX", "CHN"}
    cand = pd.concat(
        [
            icmm.load_icmm(shared, crosswalk, countries=scope).table,
            nrcan.load_nrcan(shared, crosswalk, countries=scope).table,
            *[r.table for r in minmod.load_minmod(shared, crosswalk, countries=scope)],
        ],
        ignore_index=True,
    )
    reg = _register(
        [
            (
                "ccr",
                "Canadian Copper Refinery (CCR), Montreal-Est",
                "CAN",
                "Quebec",
                NAN,
                NAN,
                "copper",
            ),
            (
                "mp",
                "Mountain Pass Rare Earth Mine",
                "USA",
                "California",
                -115.53,
                35.48,
                "rare_earths;neodymium",
            ),
            ("mp_mx", "Mountain Pass Rare Earth Mine", "MEX", "", -115.53, 35.48, "rare_earths"),
        ]
    )
    m = match_places(reg, cand).set_index("register_id")
    assert (m.loc["ccr", "dataset"], m.loc["ccr", "record_id"]) == ("nrcan", "96")
    assert m.loc["mp", "record_name"] == "Mountain Pass" and m.loc["mp", "distance_km"] < 1.0
    assert "mp_mx" not in m.index


def test_candidates_within_keeps_every_candidate_within_max_km():
    # The prefilter (points on the unit sphere) must keep every candidate that the scalar
    # haversine call puts within max_km, also on the boundary, near the poles and across
    # the antimeridian, and for tiny and huge max_km; what it keeps beyond is dropped later.
    cases = [(-115.53, 35.48), (179.99, 0.0), (0.0, 89.99), (-73.5, -45.2)]
    for lon0, lat0 in cases:
        for max_km in (0.0, 1e-6, 1.112, 50.0, 2_000.0, 30_000.0):
            cands = []
            for j, dlat in enumerate((0.0, 1e-9, 0.01, 0.2, 0.449, 0.4497, 0.45, 5.0, 30.0, -60.0)):
                for dlon in (0.0, 0.02, -0.3, 0.02):
                    lat, lon = max(-90.0, min(90.0, lat0 + dlat)), lon0 + dlon
                    cands.append(
                        matching._Candidate(f"c{j}", "d", "n", ("n",), frozenset(), lon, lat, frozenset(), frozenset())
                    )
            cands.append(matching._Candidate("nan", "d", "n", ("n",), frozenset(), NAN, lat0, frozenset(), frozenset()))
            near = matching._candidates_within(["X"], [(lon0, lat0)], {"X": cands}, max_km)[0]
            within = [c for c in cands if haversine_km(lon0, lat0, c.lon, c.lat) <= max_km]
            assert [c for c in near if haversine_km(lon0, lat0, c.lon, c.lat) <= max_km] == within
    # a row without coordinates or without candidates in its country is not listed
    assert matching._candidates_within(["X", "Y"], [(NAN, 1.0), (1.0, 1.0)], {"X": cands}, 50.0) == {}


def test_related_is_related_commodities_memoised_per_id():
    ids = ["neodymium", "rare_earths", "bauxite", "aluminum", "platinum", "copper", "", "not_a_commodity"]
    for a in ids:
        for b in ids:
            assert matching._related((a, b)) == related_commodities([a, b])
    assert matching._related(()) == frozenset()


def test_name_tokens_ascii_shortcut_and_drop():
    # ASCII names skip the repair and accent folding; others go through them
    assert name_tokens("Becancour Smelter") == name_tokens("Bécancour Smelter") == {"becancour"}
    assert name_tokens("Eisenh\u00c3\u00bcttenstadt Works") == {"eisenhuttenstadt"}
    assert name_tokens("Rio&Tinto Mining Co.") == {"rio", "tinto"}
    assert name_tokens("Guangxi Yusheng Germanium", drop={"guangxi"}) == {"yusheng"}
    assert name_tokens("Guangxi Germanium", drop={"guangxi"}) == {"germanium"}  # the commodity word is all left
    assert matching.name_variants(1) == ["1"]
