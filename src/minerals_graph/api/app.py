"""The FastAPI application. The graph and analysis caches are built once, in the lifespan."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles

from minerals_graph import __version__
from minerals_graph.api.deps import get_state
from minerals_graph.api.settings import MAX_BODY_BYTES
from minerals_graph.api.state import AppState, build_state
from minerals_graph.model import ModelConfig, SupplyModel

PREFIX = "/api/v1"


def create_app(
    sources: Path | None = None,
    *,
    trade_dir: Path | None = None,
    with_maps: bool = True,
    state: AppState | None = None,
    model: SupplyModel | None = None,
    config: ModelConfig | None = None,
) -> FastAPI:
    """The API over one :class:`~minerals_graph.model.SupplyModel`.

    In order of precedence: a ready ``state``; a ``model`` (warmed at start-up, maps
    written if ``with_maps``); a ``config``; ``sources``/``trade_dir`` (default: the bundled
    data/). When ``get_state`` is overridden (``app.dependency_overrides``, e.g. a tiny
    test model), nothing is loaded at start-up.

    Read-only: every route is a GET except ``POST /whatif``, which computes on views and
    changes nothing.
    """

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if get_state in app.dependency_overrides:
            yield
            return
        app.state.mg = state or build_state(
            sources, trade_dir=trade_dir, with_maps=with_maps, model=model, config=config
        )
        if app.state.mg.maps_dir is not None:
            app.mount(
                f"{PREFIX}/maps/assets", StaticFiles(directory=app.state.mg.maps_dir / "assets"), name="map-assets"
            )
        yield

    app = FastAPI(
        title="minerals-graph API",
        version=__version__,
        description="Critical-minerals supply chain graph: chokepoints, import dependence, PRC exposure, what-if "
        "scenarios, GeoJSON and maps. Read-only; every number carries its source. Methods: "
        "docs/methods.md.",
        lifespan=lifespan,
        docs_url="/docs",
        openapi_url="/openapi.json",
    )

    @app.middleware("http")
    async def limit_body(request: Request, call_next):
        length = request.headers.get("content-length")
        if length is not None and (not length.isdigit() or int(length) > MAX_BODY_BYTES):
            return JSONResponse({"detail": f"request body over {MAX_BODY_BYTES} bytes"}, status_code=413)
        return await call_next(request)

    from minerals_graph.api.models import Problem
    from minerals_graph.api.routes import analysis, geo, maps, meta, nodes, whatif

    common: dict[int | str, dict[str, Any]] = {
        404: {
            "model": Problem,
            "description": "unknown id, commodity, preset or map (the message says where to list valid ones)",
        },
        413: {"model": Problem, "description": "request body too large"},
    }
    for r in (meta.router, nodes.router, analysis.router, geo.router, maps.router):
        app.include_router(r, prefix=PREFIX, responses=common)
    app.include_router(
        whatif.router,
        prefix=PREFIX,
        responses={
            **common,
            400: {"model": Problem, "description": "the body is not JSON (cannot be parsed)"},
            504: {"model": Problem, "description": "the what-if computation exceeded its time limit"},
        },
    )
    return app
