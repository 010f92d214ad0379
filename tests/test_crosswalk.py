import glob

import pandas as pd
import pytest

from minerals_graph import settings
from minerals_graph.errors import UnknownCountryError


@pytest.mark.parametrize(
    "raw, iso3, extra",
    [
        ("Congo (Kinshasa)", "COD", {}),
        ("Korea, South", "KOR", {}),
        ("Republic of Korea", "KOR", {}),
        ("Burma", "MMR", {}),
        ("New Caledonia11", "NCL", {"footnote": "11"}),
        ("China3", "CHN", {"footnote": "3"}),
        ("Hong Kong", "CHN", {}),
        ("Argentinae", "ARG", {"estimated": True}),
        ("Chile", "CHL", {"estimated": False}),
        ("Greecee", "GRC", {"estimated": True}),
        ("Denmark (processed)5", "DNK", {"qualifier": "processed", "footnote": "5"}),
        ("Bolivia, ulexite", "BOL", {"qualifier": "ulexite"}),
        ("United\u00a0States (kyanite)", "USA", {"qualifier": "kyanite"}),
        ("C\u00f4te d\u2019Ivoire", "CIV", {}),
        ("World total (rounded)10", "WLD", {}),
        ("Other countries\u00a0", "ROW", {}),
        ("France", "FRA", {}),
        ("Norway", "NOR", {}),
    ],
)
def test_crosswalk_handles_published_quirks(crosswalk, raw, iso3, extra):
    m = crosswalk.match(raw)
    assert m.iso3 == iso3
    for k, v in extra.items():
        assert getattr(m, k) == v


def test_combined_country_is_known_but_not_attributable(crosswalk):
    m = crosswalk.match("United States and Canada")
    assert m.iso3 is None and "cannot be attributed" in m.note
    with pytest.raises(UnknownCountryError):
        crosswalk.iso3("United States and Canada")


def test_unknown_name_is_an_error_naming_it(crosswalk):
    with pytest.raises(UnknownCountryError, match="'Atlantis'.*country_aliases.csv"):
        crosswalk.match("Atlantis", "some.csv, row 3")


def _names_in_every_file(shared):
    names = set()
    wpi = pd.read_csv(shared / "nga_world_port_index/UpdatedPub150.csv", encoding="utf-8-sig", dtype=str)
    names |= set(wpi["Country Code"])
    for f in glob.glob(str(shared / "usgs_mcs2024/world/*.csv")):
        names |= set(pd.read_csv(f, encoding="utf-8-sig", dtype=str)["Country"].dropna())
    for f in [
        shared / "usgs_mcs2024/industry_trends/MCS2024_Fig2_Net_Import_Reliance.csv",
        shared / "usgs_mcs2025/MCS2025_Fig2_Net_Import_Reliance.csv",
    ]:
        col = [c for c in pd.read_csv(f, encoding="utf-8-sig", dtype=str).columns if c.startswith("Major")][0]
        for v in pd.read_csv(f, encoding="utf-8-sig", dtype=str)[col].dropna():
            names |= {x.strip() for x in v.split(",") if x.strip()}
    names |= set(
        pd.read_csv(
            shared / "usgs_mcs2024/industry_trends/MCS2024_Fig3_Major_Import_Sources.csv",
            encoding="utf-8-sig",
            dtype=str,
        )["Country"]
    )
    for f in [
        shared / "usgs_mcs2024/industry_trends/MCS2024_T5_Critical_Minerals_Salient.csv",
        shared / "usgs_mcs2025/MCS2025_T5_Critical_Minerals_Salient.csv",
    ]:
        t5 = pd.read_csv(f, encoding="utf-8-sig", dtype=str, keep_default_na=False)
        names |= set(t5["Leading_source_country"]) | set(t5["Primary_import_source"])
    import geopandas as gpd

    nmic = gpd.read_file(shared / "usgs_indopac_mineral_facilities/INDOPAC_Mineral_facilities.geojson")
    names |= set(nmic["Country"])
    return {n for n in names if n.strip() and n.strip().upper() != "NA"}


@pytest.mark.shared
def test_every_country_name_in_every_file_maps(shared, raw_tables):
    from minerals_graph.crosswalk import Crosswalk

    cw = Crosswalk.from_tables(
        raw_tables.countries, pd.read_csv(settings.DATA_DIR / "country_aliases.csv", dtype=str, keep_default_na=False)
    )
    names = _names_in_every_file(shared)
    assert len(names) > 250
    unmapped = []
    for n in sorted(names):
        try:
            m = cw.match(n)
        except UnknownCountryError:
            unmapped.append(n)
            continue
        assert m.iso3 is None or m.iso3 in set(raw_tables.countries["iso3"]), n
    assert unmapped == []


def test_repeated_names_give_the_same_match_and_unknown_ones_still_raise(crosswalk):
    """Matches are remembered per published name (names repeat on many rows); a name that
    does not map raises every time, naming where it was found."""
    first = crosswalk.match("Congo (Kinshasa)3")
    assert crosswalk.match("Congo (Kinshasa)3") is first and first.iso3 == "COD" and first.footnote == "3"
    for where in ("file a row 1", "file b row 2"):
        with pytest.raises(UnknownCountryError, match=where):
            crosswalk.match("Atlantis", where)
