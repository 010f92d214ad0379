"""Dependencies: the app state, and checks of parameter values against the data (an
unknown commodity or country, an unmodelled commodity, an unknown query parameter): each
a 422 naming the value and the nearest valid choice. ``check_commodity`` and
``check_modelled`` keep answering 404 for the what-if routes' body values."""

from __future__ import annotations

from typing import Annotated, Any

import pandas as pd
from fastapi import Depends, HTTPException, Request, Response
from fastapi.exceptions import RequestValidationError

from minerals_graph.api.state import AppState
from minerals_graph.convert import plain_value as plain
from minerals_graph.errors import choices_text
from minerals_graph.lookup import check_commodity as _known_commodity
from minerals_graph.lookup import check_country as _known_country
from minerals_graph.model import SupplyModel


async def get_state(request: Request) -> AppState:
    """The app's state (the model and its maps), made once in the lifespan (async: a
    dependency that does not block runs on the event loop, not in a worker thread)."""
    return request.app.state.mg


State = Annotated[AppState, Depends(get_state)]


async def get_model(state: State) -> SupplyModel:
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


def require_commodity(state: AppState, cid: str | None, *, modelled: bool = False) -> str | None:
    """``cid`` if the graph has it (and, with ``modelled``, it is modelled); else 422 with
    the nearest id (:func:`minerals_graph.lookup.check_commodity`). None passes."""
    if cid is None:
        return None
    return _known_commodity(
        state.G,
        cid,
        "commodity",
        modelled=state.commodities if modelled else None,
        hint="list them at /api/v1/commodities",
    )


def require_country(state: AppState, iso3: str | None, param: str = "country") -> str | None:
    """``iso3`` if the graph has that country, else 422 with the nearest code. None passes."""
    if iso3 is None:
        return None
    return _known_country(state.G, iso3, param, hint="list them at /api/v1/countries")


def nir_years(state: AppState) -> list[int]:
    """The data years of the net-import-reliance table (empty for a graph without it)."""
    df = state.model.nir()
    return sorted({int(y) for y in df["year"].dropna()}) if "year" in df.columns else []


def _query_names(dependant: Any) -> set[str]:
    names = {f.alias for f in dependant.query_params}
    for sub in dependant.dependencies:
        names |= _query_names(sub)
    return names


def _declared_query(route: Any) -> tuple[str, ...]:
    """The query parameters ``route`` declares (its own and its dependencies'), computed once."""
    names = getattr(route, "_mg_query_names", None)
    if names is None:
        dependant = getattr(route, "dependant", None)
        names = tuple(sorted(_query_names(dependant))) if dependant is not None else ()
        route._mg_query_names = names
    return names


async def reject_unknown_query(request: Request) -> None:
    """422 for a query parameter the route does not declare (instead of ignoring it and
    answering as if it had not been given), naming the nearest declared one."""
    route = request.scope.get("route")
    if route is None or not request.query_params:
        return
    declared = _declared_query(route)
    errors = [
        {
            "type": "extra_forbidden",
            "loc": ("query", name),
            "msg": f"unknown query parameter {name!r}; "
            + (choices_text(name, declared, limit=20) if declared else "this endpoint takes none"),
            "input": request.query_params.get(name),
        }
        for name in dict.fromkeys(request.query_params.keys())
        if name not in declared
    ]
    if errors:
        raise RequestValidationError(errors)


def invalid(loc: tuple[str, ...], msg: str, value: Any = None) -> RequestValidationError:
    """A 422 in FastAPI's own field-level format (``detail: [{loc, msg, type}]``)."""
    return RequestValidationError([{"type": "value_error", "loc": loc, "msg": msg, "input": value}])


def json_list(items: list[bytes], **more: int) -> Response:
    """``{"data": [...], "count": n, **more}`` from items already serialised by their
    pydantic model: byte for byte what :class:`~minerals_graph.api.models.ListOf` (with
    ``more``: ``Page``) would send, without validating or serialising the items again."""
    tail = b"".join(b',"%s":%d' % (k.encode(), v) for k, v in more.items())
    body = b'{"data":[' + b",".join(items) + b'],"count":%d' % len(items) + tail + b"}"
    return Response(body, media_type="application/json")


def records(df: pd.DataFrame, columns: list[str] | None = None) -> list[dict[str, Any]]:
    cols = columns or list(df.columns)
    return [{c: plain(r.get(c)) for c in cols} for r in df.to_dict("records")]
