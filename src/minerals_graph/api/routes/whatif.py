from collections.abc import Callable
from typing import Annotated

import anyio
import pandas as pd
from fastapi import APIRouter, HTTPException, Query, Response

from minerals_graph.analysis import whatif as wi
from minerals_graph.api.deps import State, check_modelled, invalid, records
from minerals_graph.api.models import Citation, ListOf, Preset, WhatIfRequest, WhatIfRow
from minerals_graph.api.settings import WHATIF_TIMEOUT_S
from minerals_graph.errors import MineralsGraphError

router = APIRouter(tags=["what-if"])


def _rows(df: pd.DataFrame) -> list[dict]:
    out = records(df, wi.WHATIF_COLUMNS)
    for r in out:
        for k in ("removed", "status", "assumptions", "reason", "evidence", "evidence_basis"):
            r[k] = r.get(k) or ""
        r["removed_nodes"] = int(r.get("removed_nodes") or 0)
    return out


def _answer(df: pd.DataFrame) -> Response:
    """The rows as the response model's JSON, validated once (the route returns the bytes:
    FastAPI does not validate and serialise them again)."""
    rows = _rows(df)
    body = ListOf[WhatIfRow].model_validate({"data": rows, "count": len(rows)}).model_dump_json()
    return Response(body.encode(), media_type="application/json")


async def _compute(fn: Callable[[], pd.DataFrame]) -> Response:
    """Run ``fn`` (a cached model call) and serialise its answer in a worker thread, with
    the what-if time limit."""
    try:
        with anyio.fail_after(WHATIF_TIMEOUT_S):
            return await anyio.to_thread.run_sync(lambda: _answer(fn()), abandon_on_cancel=True)
    except TimeoutError:
        raise HTTPException(
            504, f"what-if computation exceeded {WHATIF_TIMEOUT_S:g} s; narrow it with 'commodities'"
        ) from None


@router.post(
    "/whatif",
    response_model=ListOf[WhatIfRow],
    summary="Remove nodes by filter and/or add capacity; supply and shortfall per commodity and demand",
    description="With nothing removed or added, the base case (supply before = after) is returned.",
)
async def whatif(state: State, req: WhatIfRequest) -> Response:
    coms = [check_modelled(state, c) for c in req.commodities] or None
    for a in req.add:
        check_modelled(state, a.commodity)
    filters = [wi.NodeFilter(**{k: frozenset(v) for k, v in f.model_dump().items()}) for f in req.remove]
    adds = [wi.Addition(**{**a.model_dump(), "dest": a.dest or ""}) for a in req.add]
    try:  # the same rules as the CLI (one library function)
        state.model.validate_whatif(filters, adds)
    except MineralsGraphError as exc:
        raise invalid(("body",), str(exc)) from None
    return await _compute(lambda: state.model.whatif(filters, adds, coms))


@router.get("/whatif/presets", response_model=ListOf[Preset], summary="Named scenarios")
def presets(state: State) -> ListOf[Preset]:
    rows = [
        Preset(
            name=k,
            description=p.description,
            kind=p.kind,
            date=p.date or None,
            commodities=list(p.commodities),
            citations=[Citation(label=lab, url=url) for lab, url in p.citations],
        )
        for k, p in sorted(state.model.presets().items())
    ]
    return ListOf[Preset](data=rows, count=len(rows))


@router.get("/whatif/presets/{name}", response_model=ListOf[WhatIfRow], summary="Run a named scenario")
async def run_preset(
    state: State,
    name: str,
    commodity: Annotated[
        list[str] | None, Query(max_length=60, description="repeatable; default: all modelled")
    ] = None,
) -> Response:
    if name not in state.model.presets():
        raise HTTPException(404, f"preset {name!r} not found; list presets at /api/v1/whatif/presets")
    coms = [check_modelled(state, c) for c in (commodity or [])] or None
    return await _compute(lambda: state.model.preset(name, coms))
