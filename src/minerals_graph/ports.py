"""Which port a facility ships through, when no cited page says so.

:func:`infer_ports` links each located place that has no cited ``SHIPS_VIA`` link to one
World Port Index port, by a rule an analyst can check by hand:

1. **Same country.** Only ports of the place's own country are candidates: a plant does
   not "ship via" a foreign port unless a cited link says so. A place in a country with
   no candidate port (landlocked, or none suitable) gets no link, and is listed with that
   reason.
2. **Able to take cargo.** Harbor size ``Small``, ``Medium`` or ``Large`` (``Very Small``
   and blank excluded), and not every cargo facility (solid bulk, breakbulk, container)
   marked ``No``. ``Unknown`` is unknown, not "no": most WPI flags are ``Unknown``.
3. **Prefer larger harbors with known cargo facilities.** Each candidate's great-circle
   distance is multiplied by a factor (:data:`SIZE_FACTOR` by harbor size, times
   :data:`UNKNOWN_FLAGS_FACTOR` when none of its cargo flags is ``Yes``); the lowest
   weighted distance wins, ties by the lower WPI number.
4. **A cap.** A port farther than ``max_km`` (:data:`settings.MAX_INFERRED_PORT_KM`) in
   real distance is never inferred; the place is listed with that reason.
5. **Only places that ship.** A link says where a place's output goes, so only places
   whose status is in :data:`SHIPPING_STATUSES` (operating, or built and able to resume)
   get one; deposits, closed, planned and unknown-status records (the historical datasets)
   are listed with that reason.

Each link keeps its real distance and the rule's words in ``note``; :func:`unlinked_places`
gives every located place that got none, with the reason.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from minerals_graph import settings
from minerals_graph.geo import haversine_km

__all__ = [
    "SHIPPING_STATUSES",
    "SIZE_FACTOR",
    "UNKNOWN_FLAGS_FACTOR",
    "haversine_km",
    "candidate_ports",
    "infer_ports",
    "unlinked_places",
]

#: Statuses of places that ship output, and so get an inferred port.
SHIPPING_STATUSES = ("operating", "construction", "care_and_maintenance", "suspended")
#: Weight of the distance to a port by harbor size (lower is preferred).
SIZE_FACTOR: dict[str, float] = {"Large": 1.0, "Medium": 1.25, "Small": 2.0}
#: Extra weight for a port none of whose cargo flags is ``Yes`` (all ``Unknown``/``No``).
UNKNOWN_FLAGS_FACTOR = 1.25
_FLAGS = ("solid_bulk", "breakbulk", "container")


def candidate_ports(ports: pd.DataFrame) -> pd.DataFrame:
    """Ports that can take mineral cargo, with their weight ``factor`` (rules 2 and 3)."""
    if not len(ports):
        return ports.assign(factor=pd.Series(dtype=float))
    flags = ports[list(_FLAGS)].fillna("").astype(str)
    all_no = (flags == "No").all(axis=1)
    any_yes = (flags == "Yes").any(axis=1)
    ok = ports["harbor_size"].isin(SIZE_FACTOR) & ~all_no
    out = ports[ok].copy()
    out["factor"] = out["harbor_size"].map(SIZE_FACTOR) * np.where(any_yes[ok], 1.0, UNKNOWN_FLAGS_FACTOR)
    return out.sort_values("wpi_number", kind="stable")


def _located_uncited(places: pd.DataFrame, cited: pd.DataFrame) -> pd.DataFrame:
    """The rows of ``places`` with both coordinates and no cited port (index kept): one
    boolean selection (what ``dropna(subset=["lon", "lat"])`` then a selection of the
    uncited gave, without copying the wide places table twice)."""
    located = places["lon"].notna() & places["lat"].notna()
    return places[located & ~places["id"].isin(set(cited["place_id"]))] if len(cited) else places[located]


#: Most distances computed in one matrix (places x ports of a country): bounds its memory
#: (8 MB per array) for very many places.
_MATRIX_CELLS = 1_000_000


def _nearest_ports(
    rows: list[tuple[object, ...]],
    by_country: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray, list[int]]],
    max_km: float,
) -> dict[int, tuple[int, float, float]]:
    """For each place of ``rows`` (``id, iso3, lon, lat, status``) that may ship and whose
    country has candidate ports: the position among those ports of the one chosen (lowest
    size-weighted distance within ``max_km``, the first of equals; -1 if none is within),
    its distance (km) and the distance to the nearest port.

    Computed for the places and ports of a country together (a matrix, a block of places at
    a time: :data:`_MATRIX_CELLS`) instead of a call per place; each distance, weight and
    minimum is the same element-wise formula on the same numbers as a call per place.
    """
    by_iso: dict[str, list[int]] = {}
    for k, (_, iso3, _, _, status) in enumerate(rows):
        if (status or "unknown") in SHIPPING_STATUSES and iso3 in by_country:
            by_iso.setdefault(iso3, []).append(k)
    out: dict[int, tuple[int, float, float]] = {}
    for iso3, ks in by_iso.items():
        g_lon, g_lat, g_factor, _ = by_country[iso3]
        step = max(1, _MATRIX_CELLS // len(g_lon))
        for start in range(0, len(ks), step):
            block = ks[start : start + step]
            lon = np.array([rows[k][2] for k in block], dtype=float)[:, np.newaxis]
            lat = np.array([rows[k][3] for k in block], dtype=float)[:, np.newaxis]
            d = haversine_km(lon, lat, g_lon[np.newaxis, :], g_lat[np.newaxis, :])
            within = d <= max_km
            weighted = np.where(within, d * g_factor[np.newaxis, :], np.inf)
            chosen = np.argmin(weighted, axis=1)  # first minimum = lowest WPI number (sorted)
            chosen[~within.any(axis=1)] = -1
            dist = d[np.arange(len(block)), chosen]
            for k, j, dj, dmin in zip(block, chosen.tolist(), dist.tolist(), d.min(axis=1).tolist(), strict=True):
                out[k] = (j, dj, dmin)
    return out


def _choose(places: pd.DataFrame, ports: pd.DataFrame, max_km: float) -> list[dict[str, object]]:
    """One record per place: the chosen port or the reason there is none."""
    cand = candidate_ports(ports).reset_index(drop=True)
    # Per country: the candidates' coordinates and weights as arrays, and the positions of
    # their rows in ``cand`` (read once, not per place).
    positions: dict[str, list[int]] = {}
    for j, iso3 in enumerate(cand["iso3"].tolist()):
        if not pd.isna(iso3):  # as groupby, which drops missing keys
            positions.setdefault(iso3, []).append(j)
    lon, lat, factor = (cand[c].to_numpy(float) for c in ("lon", "lat", "factor"))
    by_country = {iso3: (lon[pos], lat[pos], factor[pos], pos) for iso3, pos in positions.items()}
    port_cols = {c: cand[c].tolist() for c in ("wpi_number", "harbor_size", *_FLAGS)}
    out: list[dict[str, object]] = []
    n = len(places)
    statuses = places["status"].tolist() if "status" in places.columns else ["operating"] * n
    rows = list(zip(*(places[c].tolist() for c in ("id", "iso3", "lon", "lat")), statuses, strict=True))
    nearest = _nearest_ports(rows, by_country, max_km)
    for k, (pid, iso3, _, _, status) in enumerate(rows):
        status = status or "unknown"
        if status not in SHIPPING_STATUSES:
            out.append({"place_id": pid, "reason": f"status {status!r}: not known to ship output; no port inferred"})
            continue
        g = by_country.get(iso3)
        if g is None:
            out.append(
                {
                    "place_id": pid,
                    "reason": f"no port of {iso3} in the World Port Index can take "
                    "cargo (landlocked or none suitable); needs a cited link",
                }
            )
            continue
        j, dist, nearest_km = nearest[k]
        if j < 0:
            out.append(
                {
                    "place_id": pid,
                    "reason": f"nearest suitable port of {iso3} is "
                    f"{nearest_km:.0f} km away, beyond the {max_km:.0f} km cap",
                }
            )
            continue
        g_pos = g[3]
        p = {c: v[g_pos[j]] for c, v in port_cols.items()}
        yes = [f.replace("_", " ") for f in _FLAGS if p[f] == "Yes"]
        out.append(
            {
                "place_id": pid,
                "wpi_number": int(p["wpi_number"]),
                "distance_km": round(dist, 1),
                "note": f"inferred: {p['harbor_size']} port of the same country, "
                + (f"{'/'.join(yes)} facilities" if yes else "cargo facilities unknown in the WPI")
                + f", lowest size-weighted distance within {max_km:.0f} km",
            }
        )
    return out


def infer_ports(
    places: pd.DataFrame, ports: pd.DataFrame, cited: pd.DataFrame, *, max_km: float | None = None
) -> pd.DataFrame:
    """For each located place with no cited port: its inferred port (see the module notes).

    Parameters
    ----------
    places
        Canonical places table (``id``, ``iso3``, ``lon``, ``lat``).
    ports
        Canonical ports table (``wpi_number``, ``iso3``, ``harbor_size``, cargo flags, ``lon``, ``lat``).
    cited
        Cited ``SHIPS_VIA`` rows (``place_id``); those places are skipped.
    max_km
        Cap on the real distance; default ``settings.MAX_INFERRED_PORT_KM``.

    Returns
    -------
    pandas.DataFrame
        ``place_id, wpi_number, commodity, inferred, distance_km, note``, one row per linked
        place, in the order of ``places``.
    """
    max_km = settings.MAX_INFERRED_PORT_KM if max_km is None else max_km
    cols = ["place_id", "wpi_number", "commodity", "inferred", "distance_km", "note"]
    todo = _located_uncited(places, cited)
    if not len(todo):
        return pd.DataFrame(columns=cols)
    recs = [{**r, "commodity": "", "inferred": True} for r in _choose(todo, ports, max_km) if "wpi_number" in r]
    return pd.DataFrame(recs, columns=cols)


def unlinked_places(
    places: pd.DataFrame, ports: pd.DataFrame, cited: pd.DataFrame, *, max_km: float | None = None
) -> pd.DataFrame:
    """Located places with no cited port that :func:`infer_ports` could not link: ``place_id, reason``."""
    max_km = settings.MAX_INFERRED_PORT_KM if max_km is None else max_km
    todo = _located_uncited(places, cited)
    if not len(todo):
        return pd.DataFrame(columns=["place_id", "reason"])
    return pd.DataFrame([r for r in _choose(todo, ports, max_km) if "reason" in r], columns=["place_id", "reason"])
