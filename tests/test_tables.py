import pandas as pd
import pytest

from minerals_graph.tables import load_tables, write_curated


def test_every_table_row_carries_its_source(data_tables):
    for name in data_tables.table_names():
        df = getattr(data_tables, name)
        if len(df):
            assert df["source"].notna().all() and (df["source"] != "").all(), name
            assert df["source_url"].notna().all(), name


@pytest.mark.shared
def test_curate_then_load_round_trip(raw_tables, tmp_path):
    import shutil

    from minerals_graph import settings

    counts = write_curated(raw_tables, tmp_path)
    shutil.copytree(settings.DATA_DIR / "register", tmp_path / "register")
    shutil.copy(settings.DATA_DIR / "country_aliases.csv", tmp_path)
    back = load_tables(tmp_path)
    for name, n in counts.items():
        if name in ("supplies", "ships_via"):
            continue
        assert (
            len(getattr(back, name)) >= n
            if name in ("places", "ownership", "production")
            else n == len(getattr(back, name))
        ), name
    assert sum(r.rows_rejected for r in back.results) == 0


@pytest.mark.shared
def test_bundled_data_is_current_with_the_raw_files(shared, raw_tables, tmp_path):
    """data/*.csv must equal what `minerals-graph curate` writes today."""
    from minerals_graph import settings

    write_curated(raw_tables, tmp_path)
    for p in sorted(tmp_path.glob("*.csv")):
        fresh = pd.read_csv(p, dtype=str, keep_default_na=False)
        bundled = pd.read_csv(settings.DATA_DIR / p.name, dtype=str, keep_default_na=False)
        pd.testing.assert_frame_equal(fresh, bundled, obj=p.name)


def test_sum_if_complete_equals_the_groupwise_sum():
    import numpy as np

    from minerals_graph.tables import _sum_if_complete

    rng = np.random.default_rng(5)
    q = rng.random(300) * 1e6
    q[rng.random(300) < 0.1] = np.nan
    f = pd.DataFrame({"k": rng.integers(0, 40, 300), "j": rng.choice(["a", "b", None], 300), "q": q})
    for frame in (f, f.assign(q=f["q"].astype(object).where(f["q"].notna(), None))):
        for dropna in (True, False):
            gb = frame.groupby(["k", "j"], sort=True, dropna=dropna)
            ref = gb.agg(t=("q", lambda s: s.sum(min_count=len(s))))["t"].to_numpy(float)
            got = _sum_if_complete(gb, frame["q"])
            assert repr(got.tolist()) == repr(ref.tolist())


def test_with_source_equals_column_assignments():
    import numpy as np

    from minerals_graph.sources import baci
    from minerals_graph.tables import COLUMNS, SOURCE_COLUMNS, _with_source

    def reference(df, name, src=None):
        df = df.copy()
        if src is not None:
            for k, v in src.attrs().items():
                df[k] = v
        for col in COLUMNS[name] + SOURCE_COLUMNS:
            if col not in df.columns:
                df[col] = None
        return df[COLUMNS[name] + SOURCE_COLUMNS].reset_index(drop=True)

    frames = [
        pd.DataFrame(
            {"year": [2020, 2021, 2022], "exporter": ["A", None, "C"], "value_usd": [1.0, np.nan, 3]}, index=[5, 5, 7]
        ),
        pd.DataFrame({"year": [1], "exporter": ["A"], "source": ["x"]}),
        pd.DataFrame(columns=["year"]),
        pd.DataFrame({"note": pd.array(["a", None], dtype="string"), "quantity": pd.array([1, None], dtype="Int64")}),
    ]
    for df in frames:
        for src in (None, baci.EXTRACT_SOURCE):
            pd.testing.assert_frame_equal(_with_source(df, "trades", src), reference(df, "trades", src))


def test_world_trade_totals_equals_a_row_per_group(tmp_path):
    """The column-wise totals equal the rows built a dict per group (the former code)."""
    import numpy as np

    from minerals_graph.schema import USMCA_MEMBERS, WORLD_EXPORTS, WORLD_IMPORTS
    from minerals_graph.sources import baci
    from minerals_graph.tables import _empty, _sum_if_complete, _with_source, _world_trade_totals

    def reference(world, data_dir):
        f = pd.DataFrame(world, columns=baci.WORLD_FLOW_COLUMNS)
        to_na = f[f["importer"].isin(USMCA_MEMBERS) & ~f["exporter"].isin(USMCA_MEMBERS)]
        keep = set(zip(to_na["exporter"].tolist(), to_na["hs6"].tolist(), strict=True))
        hs = {r["hs6"]: r for r in baci.read_hs_map(data_dir).to_dict("records")}
        recs = []
        for side, col, measure in (("exports", "exporter", WORLD_EXPORTS), ("imports", "importer", WORLD_IMPORTS)):
            gb = f.groupby([col, "hs6", "year"], sort=True)
            g = gb.agg(value=("value_usd", "sum"), partners=("value_usd", "size"))
            tonnes = _sum_if_complete(gb, f["quantity_t"])
            for (iso3, hs6, year), value, partners, t in zip(
                g.index, g["value"].tolist(), g["partners"].tolist(), tonnes.tolist(), strict=True
            ):
                if (iso3, hs6) not in keep or hs6 not in hs:
                    continue
                m = hs[hs6]
                base = {
                    "iso3": iso3,
                    "commodity": m["commodity"],
                    "label": m["description"],
                    "year": int(year),
                    "measure": measure,
                    "detail": f"HS {hs6} ({m['stage']})",
                    "qualifier": "",
                    "column": f"sum of {int(partners)} BACI flows ({side}, all partners)",
                }
                recs.append({**base, "unit": "USD", "value": round(float(value), 3)})
                if pd.notna(t):
                    recs.append({**base, "unit": "t", "value": round(float(t), 3)})
        out = pd.DataFrame.from_records(recs)
        return _with_source(out, "statistics", baci.EXTRACT_SOURCE) if len(out) else _empty("statistics")

    pd.DataFrame(
        {"hs6": ["810520", "811010"], "commodity": ["cobalt", "antimony"], "stage": ["refined", "unwrought"]}
    ).assign(description=["Cobalt", "Antimony"]).to_csv(tmp_path / "hs_commodities.csv", index=False)
    rng = np.random.default_rng(7)
    iso = ["USA", "CAN", "MEX", "CHN", "KOR", "BEL", "TJK"]
    world = [
        (
            int(rng.choice([2022, 2023])),
            str(rng.choice(iso)),
            str(rng.choice(iso)),
            str(rng.choice(["810520", "811010", "999999"])),
            float(rng.random() * 1e7),
            None if rng.random() < 0.3 else float(rng.random() * 1e3),
        )
        for _ in range(400)
    ]
    for flows in (world, world[:3], [(2023, "CHN", "KOR", "810520", 1.0, 2.0)], []):
        got, want = _world_trade_totals(flows, tmp_path), reference(flows, tmp_path)
        pd.testing.assert_frame_equal(got, want, check_index_type=True)
        assert got["value"].tolist() == want["value"].tolist()
    assert len(_world_trade_totals(world, tmp_path)) > 20  # both sides, USD and t rows
