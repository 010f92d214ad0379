"""Dependencies: the app state, and checks that turn unknown values into clear 404s."""

from __future__ import annotations

from typing import Annotated, Any

import pandas as pd
from fastapi import Depends, HTTPException, Request
from fastapi.exceptions import RequestValidationError

from minerals_graph.api.state import AppState
from minerals_graph.convert import plain_value as plain
from minerals_graph.model import SupplyModel


def get_state(request: Request) -> AppState:
    """The app's state (the model and its maps), made once in the lifespan."""
    return request.app.state.mg


State = Annotated[AppState, Depends(get_state)]


def get_model(state: State) -> SupplyModel:
    return state.model


Model = Annotated[SupplyModel, Depends(get_model)]


def check_commodity(state: AppState, cid: str | None) -> str | None:
    if cid is None:
        return None
    if f"commodity:{cid}" not in state.G:
        raise HTTPException(404, f"commodity {cid!r} not found; list valid ids at /api/v1/commodities")
    return cid


def check_modelled(state: AppState, cid: str) -> str:
    check_commodity(state, cid)
    if cid not in state.commodities:
        raise HTTPException(
            404,
            f"commodity {cid!r} is not modelled (no USGS production data); modelled: {', '.join(state.commodities)}",
        )
    return cid


def invalid(loc: tuple[str, ...], msg: str, value: Any = None) -> RequestValidationError:
    """A 422 in FastAPI's own field-level format (``detail: [{loc, msg, type}]``)."""
    return RequestValidationError([{"type": "value_error", "loc": loc, "msg": msg, "input": value}])


def records(df: pd.DataFrame, columns: list[str] | None = None) -> list[dict[str, Any]]:
    cols = columns or list(df.columns)
    return [{c: plain(r.get(c)) for c in cols} for r in df.to_dict("records")]
