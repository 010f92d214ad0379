"""Checks of the project's cited facility register (data/register)."""

import pandas as pd
import pytest
from tests.conftest import write

from minerals_graph import settings
from minerals_graph.schema import COMMODITIES, FACILITY_KINDS, SITE_KINDS, STAGES, group_members
from minerals_graph.sources import register

REG = settings.DATA_DIR / "register"


def _all_facilities() -> pd.DataFrame:
    frames = [
        pd.read_csv(p, dtype=str, keep_default_na=False).assign(file=p.name)
        for p in sorted(REG.glob("facilities_*.csv"))
    ]
    return pd.concat(frames, ignore_index=True)


def test_register_is_large_enough_and_ids_unique():
    f = _all_facilities()
    assert len(f) >= 400
    assert f["id"].is_unique


def test_every_row_cites_a_source_url_and_date():
    f = _all_facilities()
    assert f["source_url"].str.match(r"^https?://").all()
    assert f["source_date_read"].str.match(r"^\d{4}-\d{2}-\d{2}$").all()
    links = pd.concat([pd.read_csv(p, dtype=str, keep_default_na=False) for p in REG.glob("links_*.csv")])
    assert links["source_url"].str.match(r"^https?://").all()


def test_values_are_in_the_schema():
    f = _all_facilities()
    ids = {c.id for c in COMMODITIES}
    assert set(f["kind"]) <= set(SITE_KINDS + FACILITY_KINDS)
    for col in ("commodities",):
        assert {c for v in f[col] for c in v.split(";") if c} <= ids
    assert {s for v in f["stages"] for s in v.split(";") if s} <= set(STAGES)


def test_owner_control_countries_are_valid_iso3(data_tables):
    known = set(data_tables.countries["iso3"]) | {"HKG"}  # HKG folds into CHN
    for v in _all_facilities()["owners"]:
        for name, iso3, pct in register.parse_owners(v):
            assert iso3 == "" or iso3 in known, (name, iso3)
            assert pct is None or 0 <= pct <= 100


def test_register_loads_without_rejects(data_tables):
    files = [r for r in data_tables.results if r.file.startswith("register/")]
    assert len(files) == 14
    assert sum(r.rows_rejected for r in files) == 0, pd.concat([r.rejects for r in files]).to_string()


def test_prc_hubs_present(data_tables):
    p = data_tables.places
    chn = p[(p.iso3 == "CHN") & (p.source == "register")]
    for commodity, stage in [
        ("rare_earths", "separation"),
        ("rare_earths", "magnet"),
        ("lithium", "refining"),
        ("cobalt", "refining"),
        ("graphite", "anode"),
        ("gallium", "refining"),
        ("germanium", "refining"),
        ("antimony", "smelting"),
        ("tungsten", "refining"),
        ("manganese", "refining"),
    ]:
        wanted = {commodity, *group_members(commodity)}
        has = chn.commodities.map(lambda v, w=wanted: bool(w & set(v.split(";"))))
        hit = chn[has & chn.stages.str.contains(stage)]
        assert len(hit) >= 1, (commodity, stage)


@pytest.mark.shared
def test_every_coordinate_falls_inside_its_country(shared, data_tables):
    """Natural Earth 1:110m polygons with a small coastal buffer (settings)."""
    from minerals_graph.geo import places_outside_country

    bad = places_outside_country(data_tables.places[data_tables.places.source == "register"], shared)
    assert bad.empty, bad[["id", "iso3", "lon", "lat", "distance_deg"]].to_string()


def test_bad_rows_are_rejected_with_reasons(tmp_path):
    header = ",".join(register.FACILITY_COLUMNS) + "\n"
    good = (
        "fac_usa_a,A,mine,lithium,mining,USA,NV,-117,40,site,USGS record 1,https://example.org/c,operating,2024,"
        '10,kt/yr,LCE,lithium,2024,Op,"X Corp|USA|100",T,P,https://example.org,2025,2026-11-23,,\n'
    )
    dup = good
    bad_kind = good.replace("fac_usa_a,A,mine", "fac_usa_b,B,castle")
    no_url = good.replace("fac_usa_a", "fac_usa_c").replace("https://example.org", "")
    bad_owner = good.replace("fac_usa_a", "fac_usa_d").replace("X Corp|USA|100", "X Corp|Narnia|100")
    no_coord_source = good.replace("fac_usa_a", "fac_usa_e").replace("USGS record 1,https://example.org/c", ",")
    write(tmp_path / "register/facilities_t.csv", header + good + dup + bad_kind + no_url + bad_owner + no_coord_source)
    [r] = register.load_facilities(tmp_path, {"USA"})
    assert (r.rows_read, r.rows_loaded, r.rows_rejected) == (6, 3, 3)
    t = r.table.set_index("id")
    assert t.loc["fac_usa_a", "lon"] == -117 and t.loc["fac_usa_a", "source_year"] == "2025"
    # coordinates without their own evidence are left out, with the reason
    assert pd.isna(t.loc["fac_usa_e", "lon"])
    assert any("coordinates need their own evidence" in x for x in r.cell_rejects["reason"])
    reasons = " | ".join(r.rejects["reason"])
    assert "duplicate id" in reasons and "expected one of" in reasons and "cite a source URL" in reasons
    assert "not an ISO3 code" in r.cell_rejects.iloc[0]["reason"]


def test_readme_count_tables_match_the_data(data_tables):
    from minerals_graph.summary import register_markdown

    md = register_markdown(data_tables.places)
    readme = (settings.DATA_DIR / "README.md").read_text(encoding="utf-8")
    for name in ("country_stage", "mineral_stage"):
        assert f"<!-- counts:{name} -->\n{md[name]}\n<!-- /counts:{name} -->" in readme, name
    assert f"<!-- counts:total -->{md['total']}<!-- /counts:total -->" in readme
    counts = (settings.DATA_DIR / "register" / "COUNTS.md").read_text(encoding="utf-8")
    assert md["long"] in counts
