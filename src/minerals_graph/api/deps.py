"""Dependencies: the app state, and checks that turn unknown values into clear 404s."""

from __future__ import annotations

import math
from typing import Annotated, Any

import pandas as pd
from fastapi import Depends, HTTPException, Request
from fastapi.exceptions import RequestValidationError

from minerals_graph.api.state import AppState


def get_state(request: Request) -> AppState:
    return request.app.state.mg


State = Annotated[AppState, Depends(get_state)]


def check_commodity(state: AppState, cid: str | None) -> str | None:
    if cid is None:
        return None
    if f"commodity:{cid}" not in state.G:
        raise HTTPException(404, f"commodity {cid!r} not found; list valid ids at /api/v1/commodities")
    return cid


def check_modelled(state: AppState, cid: str) -> str:
    check_commodity(state, cid)
    if cid not in state.commodities:
        raise HTTPException(404, f"commodity {cid!r} is not modelled (no USGS production data); modelled: "
                                 f"{', '.join(state.commodities)}")
    return cid


def invalid(loc: tuple[str, ...], msg: str, value: Any = None) -> RequestValidationError:
    """A 422 in FastAPI's own field-level format (``detail: [{loc, msg, type}]``)."""
    return RequestValidationError([{"type": "value_error", "loc": loc, "msg": msg, "input": value}])


def plain(v: Any) -> Any:
    """JSON-safe plain value: NaN -> None, numpy scalars -> Python."""
    if v is None:
        return None
    if hasattr(v, "item") and not isinstance(v, (str, bytes)):
        v = v.item()
    if isinstance(v, float) and (math.isnan(v) or math.isinf(v)):
        return None
    return v


def records(df: pd.DataFrame, columns: list[str] | None = None) -> list[dict]:
    cols = columns or list(df.columns)
    return [{c: plain(r.get(c)) for c in cols} for r in df.to_dict("records")]
