"""SYNTHETIC data for scale benchmarks only — never for analysis.

``synthetic_tables(tables, factor)`` grows the real canonical tables ``factor`` times:
every site and plant, port, ownership, capacity row, cited link and U.S. import-source
link is copied ``factor - 1`` times with ids suffixed ``~synN`` and coordinates jittered a
few km, so degree and stage distributions stay those of the real graph. Countries,
commodities and USGS country statistics are not copied (they are the same world). Every
synthetic row is marked ``source = "SYNTHETIC"``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from minerals_graph.compact import compact_tables
from minerals_graph.tables import Tables, _companies  # noqa: PLC2701 - benchmark helper

SYN = {
    "source": "SYNTHETIC",
    "source_publisher": "minerals-graph benchmarks (synthetic)",
    "source_dataset": "synthetic copy for scale tests",
    "source_year": 2026,
    "source_url": "benchmarks/synthetic.py",
}


def _copies(df: pd.DataFrame, factor: int, fn) -> pd.DataFrame:
    if factor <= 1 or not len(df):
        return df
    frames = [df]
    for i in range(1, factor):
        c = fn(df.copy(), i)
        for k, v in SYN.items():
            c[k] = v
        frames.append(c)
    return pd.concat(frames, ignore_index=True)


def synthetic_tables(t: Tables, factor: int, seed: int = 7) -> Tables:
    rng = np.random.default_rng(seed)
    suffix = lambda s, i: s.astype(str) + f"~syn{i}"  # noqa: E731

    def places(df, i):
        df["id"] = suffix(df["id"], i)
        df["name"] = df["name"].astype(str) + f" (synthetic {i})"
        for col in ("lon", "lat"):
            df[col] = df[col] + rng.normal(0, 0.05, len(df))
        df["lon"] = df["lon"].clip(-180, 180)
        df["lat"] = df["lat"].clip(-90, 90)
        return df

    def ports(df, i):
        df["wpi_number"] = df["wpi_number"].astype(int) + 1_000_000 * i
        df["lon"] = (df["lon"] + rng.normal(0, 0.05, len(df))).clip(-180, 180)
        df["lat"] = (df["lat"] + rng.normal(0, 0.05, len(df))).clip(-90, 90)
        return df

    def owners(df, i):
        df["place_id"] = suffix(df["place_id"], i)
        df["company"] = df["company"].astype(str) + f" syn{i}"
        return df

    def production(df, i):
        mask = ~df["producer_id"].astype(str).str.startswith("country:")
        df = df[mask]
        df["producer_id"] = suffix(df["producer_id"], i)
        return df

    def supplies(df, i):
        df["from_id"], df["to_id"] = suffix(df["from_id"], i), suffix(df["to_id"], i)
        return df

    def ships(df, i):
        df["place_id"] = suffix(df["place_id"], i)
        df["wpi_number"] = df["wpi_number"].astype(int) + 1_000_000 * i
        return df

    def trades(df, i):
        df["period"] = df["period"].astype(str) + f" syn{i}"
        return df

    ownership = _copies(t.ownership, factor, owners)
    companies, _ = _companies(ownership)
    return compact_tables(  # as load_tables leaves a table this large
        Tables(
            countries=t.countries,
            commodities=t.commodities,
            ports=_copies(t.ports, factor, ports),
            places=_copies(t.places, factor, places),
            ownership=ownership,
            production=_copies(t.production, factor, production),
            trades=_copies(t.trades, factor, trades),
            import_reliance=t.import_reliance,
            statistics=t.statistics,
            supplies=_copies(t.supplies, factor, supplies),
            ships_via=_copies(t.ships_via, factor, ships),
            companies=companies,
            results=t.results,
            origin=f"{t.origin} x{factor} (SYNTHETIC)",
        )
    )
