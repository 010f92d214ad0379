"""The FastAPI application. The graph and analysis caches are built once, in the lifespan.

Every parameter is checked: against the schema by its type (stages, kinds, ranges), against
the data by the routes (a commodity or country of the graph), and no query parameter may be
unknown; each failure is a 422 in FastAPI's field-level format naming the value and the
nearest valid choice. ``/docs`` (Swagger UI) and ``/redoc`` are served from assets packaged
with the ``fastapi-offline`` distribution, so they work with no network.

Speed (docs/deploy.md): a repeated ``GET`` is answered from :class:`ResponseCache`, the bytes
first sent for that URL; the request checks are async dependencies (no worker-thread hop);
the middlewares are plain ASGI; :func:`app_from_env` is the factory for several workers.
"""

from __future__ import annotations

import gc
import re
from collections import OrderedDict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.exception_handlers import http_exception_handler, request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from minerals_graph import __version__
from minerals_graph.api.deps import get_state, reject_unknown_query
from minerals_graph.api.settings import DOCS_ASSETS, MAX_BODY_BYTES, RESPONSE_CACHE_BYTES, RESPONSE_CACHE_ENTRIES
from minerals_graph.api.state import AppState, build_state
from minerals_graph.errors import InvalidInputError, nearest
from minerals_graph.model import ModelConfig, SupplyModel

PREFIX = "/api/v1"
#: Where /docs and /redoc load Swagger UI, ReDoc and the favicon from (no CDN).
DOCS_ASSETS_URL = "/docs-assets"


def _with_nearest(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Pydantic's 'Input should be 'a', 'b' or …' plus the nearest valid value."""
    out = []
    for e in errors:
        e = dict(e)
        expected = str((e.get("ctx") or {}).get("expected", ""))
        if e.get("type") in ("literal_error", "enum") and expected:
            near = nearest(e.get("input"), re.findall(r"'([^']*)'", expected), n=1)
            if near:
                e["msg"] = f"{e['msg']}; did you mean {near[0]!r}?"
        out.append(e)
    return out


def _enum_from_state(app: FastAPI, spec: dict[str, Any]) -> dict[str, Any]:
    """Give parameters marked ``x-choices`` the valid values of the served data as an
    ``enum`` (countries, commodities, modelled commodities), so the OpenAPI document says
    what the server accepts."""
    state: AppState | None = getattr(app.state, "mg", None)
    if state is None:
        return spec
    from minerals_graph.api.deps import nir_years
    from minerals_graph.lookup import commodity_ids, country_codes

    values: dict[str, list[Any]] = {
        "countries": country_codes(state.G),
        "commodities": commodity_ids(state.G),
        "modelled": sorted(state.commodities),
        "nir_years": nir_years(state),
    }
    for ops in spec.get("paths", {}).values():
        for op in ops.values():
            for prm in op.get("parameters", []) if isinstance(op, dict) else []:
                schema = prm.get("schema", {})
                kind = schema.get("x-choices")
                if kind in values and values[kind]:
                    keep = {k: schema[k] for k in ("title", "description", "examples", "default") if k in schema}
                    typ = "integer" if values[kind] and isinstance(values[kind][0], int) else "string"
                    prm["schema"] = {"type": typ, "enum": values[kind], **keep}
    # request-body fields (the what-if body) marked the same way, directly or on array items
    for comp in spec.get("components", {}).get("schemas", {}).values():
        for prop in comp.get("properties", {}).values():
            for schema in (prop, prop.get("items", {}), *prop.get("anyOf", [])):
                kind = schema.get("x-choices") if isinstance(schema, dict) else None
                if kind in values:
                    schema.pop("pattern", None)
                    schema["enum"] = values[kind]
    return spec


class BodyLimit:
    """413 for a request whose ``content-length`` is not a number or is over
    :data:`~minerals_graph.api.settings.MAX_BODY_BYTES` (a plain ASGI middleware)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            length = next((v for k, v in scope["headers"] if k == b"content-length"), None)
            if length is not None and (not length.isdigit() or int(length) > MAX_BODY_BYTES):
                response = JSONResponse({"detail": f"request body over {MAX_BODY_BYTES} bytes"}, status_code=413)
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


class ResponseCache:
    """The serialised bytes of every successful JSON ``GET`` under ``prefix``, per request
    (path and query string), replayed as they were first sent: a repeated request costs no
    routing, validation, analysis or serialisation.

    Sound because the API is read-only: the model never changes after start-up, so a GET
    answer is a function of its URL. Only 200 ``application/json`` answers are kept (errors
    are recomputed); at most ``max_entries`` answers and ``max_bytes`` bytes, the least
    recently used dropped first. The event loop is single-threaded: no lock is needed.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        prefix: str,
        max_entries: int = RESPONSE_CACHE_ENTRIES,
        max_bytes: int = RESPONSE_CACHE_BYTES,
    ) -> None:
        self.app = app
        self.prefix = prefix
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.size = 0
        self.entries: OrderedDict[tuple[str, bytes], tuple[list[tuple[bytes, bytes]], bytes]] = OrderedDict()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET" or not scope["path"].startswith(self.prefix):
            await self.app(scope, receive, send)
            return
        key = (scope["path"], scope["query_string"])
        hit = self.entries.get(key)
        if hit is not None:
            self.entries.move_to_end(key)
            await send({"type": "http.response.start", "status": 200, "headers": hit[0]})
            await send({"type": "http.response.body", "body": hit[1]})
            return
        headers: list[tuple[bytes, bytes]] | None = None
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            nonlocal headers
            if message["type"] == "http.response.start":
                raw = list(message.get("headers", []))
                ctype = next((v for k, v in raw if k == b"content-type"), b"")
                headers = raw if message["status"] == 200 and ctype.startswith(b"application/json") else None
            elif message["type"] == "http.response.body" and headers is not None:
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False):
                    self._store(key, headers, b"".join(chunks))
            await send(message)

        await self.app(scope, receive, capture)

    def _store(self, key: tuple[str, bytes], headers: list[tuple[bytes, bytes]], body: bytes) -> None:
        if len(body) > self.max_bytes // 8:  # a huge answer would evict everything else
            return
        self.entries[key] = (headers, body)
        self.size += len(body)
        while self.entries and (len(self.entries) > self.max_entries or self.size > self.max_bytes):
            _, (_, old) = self.entries.popitem(last=False)
            self.size -= len(old)


def create_app(
    sources: Path | None = None,
    *,
    trade_dir: Path | None = None,
    with_maps: bool = True,
    state: AppState | None = None,
    model: SupplyModel | None = None,
    config: ModelConfig | None = None,
    close_state: bool = False,
    cache: bool = False,
) -> FastAPI:
    """The API over one :class:`~minerals_graph.model.SupplyModel`.

    In order of precedence: a ready ``state``; a ``model`` (warmed at start-up, maps
    written if ``with_maps``); a ``config``; ``sources``/``trade_dir`` (default: the bundled
    data/). When ``get_state`` is overridden (``app.dependency_overrides``, e.g. a tiny
    test model), nothing is loaded at start-up.

    A state built at start-up is closed at shutdown (its temporary maps folder removed);
    a given ``state`` only with ``close_state``. With ``cache``, a model built at start-up
    comes from the model cache (:mod:`minerals_graph.cache`) when it is current.

    Read-only: every route is a GET except ``POST /whatif``, which computes on views and
    changes nothing.
    """

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if get_state in app.dependency_overrides:
            yield
            return
        built = getattr(app.state, "mg", None) is None
        if built:
            app.state.mg = build_state(
                sources, trade_dir=trade_dir, with_maps=with_maps, model=model, config=config, cache=cache
            )
        st: AppState = app.state.mg
        if built or close_state:  # a server's own state (serve, workers), not a test's
            # the model lives as long as the process: keep its millions of objects out of the
            # cyclic garbage collector's walks, which would otherwise pause requests now and then
            gc.freeze()
        try:
            if st.maps_dir is not None and not any(getattr(r, "name", "") == "map-assets" for r in app.routes):
                app.mount(f"{PREFIX}/maps/assets", StaticFiles(directory=st.maps_dir / "assets"), name="map-assets")
            yield
        finally:
            if built or close_state:
                st.close()

    app = FastAPI(
        title="minerals-graph API",
        version=__version__,
        description="Critical-minerals supply chain graph: chokepoints, import dependence, PRC exposure, what-if "
        "scenarios, GeoJSON and maps. Read-only; every number carries its source. Methods: "
        "docs/methods.md. Every parameter is checked: an unknown value or query parameter is a 422 naming the "
        "nearest valid choice.",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json",
        swagger_ui_parameters={"validatorUrl": None},  # no badge fetched from the online validator
        dependencies=[Depends(reject_unknown_query)],
    )
    if state is not None:
        app.state.mg = state

    # plain ASGI middlewares (no per-request task or stream wrapping); the last added runs first
    app.add_middleware(ResponseCache, prefix=f"{PREFIX}/")
    app.add_middleware(BodyLimit)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        return await request_validation_exception_handler(
            request, RequestValidationError(_with_nearest(list(exc.errors())), body=exc.body)
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        # FastAPI answers 400 for a body it cannot decode (e.g. not UTF-8); like a body that is
        # not JSON, that is a 422 here, the code the OpenAPI document gives
        if exc.status_code == 400 and "parsing the body" in str(exc.detail):
            return await request_validation_exception_handler(
                request,
                RequestValidationError(
                    [{"type": "json_invalid", "loc": ("body",), "msg": "the body is not UTF-8 JSON", "input": None}]
                ),
            )
        return await http_exception_handler(request, exc)

    @app.exception_handler(InvalidInputError)
    async def invalid_input(request: Request, exc: InvalidInputError) -> JSONResponse:
        where = ("query", exc.param) if request.method == "GET" else ("body", *exc.param.split("."))
        return await request_validation_exception_handler(
            request,
            RequestValidationError([{"type": "value_error", "loc": where, "msg": str(exc), "input": exc.value}]),
        )

    if DOCS_ASSETS is not None and Path(DOCS_ASSETS, "swagger-ui-bundle.js").is_file():
        app.mount(DOCS_ASSETS_URL, StaticFiles(directory=DOCS_ASSETS), name="docs-assets")
        docs_ready = True
    else:
        docs_ready = False
    missing = HTMLResponse(
        "<p>The API documentation assets are not installed: <code>pip install fastapi-offline</code>. "
        "The OpenAPI document is at <a href='/openapi.json'>/openapi.json</a>.</p>",
        status_code=503,
    )

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui() -> HTMLResponse:
        if not docs_ready:
            return missing
        return get_swagger_ui_html(
            openapi_url=str(app.openapi_url),
            title=f"{app.title} - Swagger UI",
            swagger_js_url=f"{DOCS_ASSETS_URL}/swagger-ui-bundle.js",
            swagger_css_url=f"{DOCS_ASSETS_URL}/swagger-ui.css",
            swagger_favicon_url=f"{DOCS_ASSETS_URL}/favicon.png",
            swagger_ui_parameters=app.swagger_ui_parameters,
        )

    @app.get("/redoc", include_in_schema=False)
    async def redoc() -> HTMLResponse:
        if not docs_ready:
            return missing
        return get_redoc_html(
            openapi_url=str(app.openapi_url),
            title=f"{app.title} - ReDoc",
            redoc_js_url=f"{DOCS_ASSETS_URL}/redoc.standalone.js",
            redoc_favicon_url=f"{DOCS_ASSETS_URL}/favicon.png",
            with_google_fonts=False,
        )

    from minerals_graph.api.models import Problem, ValidationProblem
    from minerals_graph.api.routes import analysis, geo, maps, meta, nodes, policy, whatif

    common: dict[int | str, dict[str, Any]] = {
        404: {
            "model": Problem,
            "description": "unknown id, preset or map (the message says where to list valid ones)",
        },
        413: {"model": Problem, "description": "request body too large"},
        422: {
            "model": ValidationProblem,
            "description": "a parameter is out of range, not a valid choice (the message names the nearest), "
            "or not a parameter of this endpoint; for POST, a body that is not JSON or not of the schema",
        },
    }
    for r in (meta.router, nodes.router, analysis.router, geo.router, maps.router, policy.router):
        app.include_router(r, prefix=PREFIX, responses=common)
    app.include_router(
        whatif.router,
        prefix=PREFIX,
        responses={
            **common,
            504: {"model": Problem, "description": "the what-if computation exceeded its time limit"},
        },
    )

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = _enum_from_state(app, FastAPI.openapi(app))
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app


#: Environment of :func:`app_from_env` (what ``minerals-graph serve --workers`` sets).
ENV_SOURCES, ENV_TRADE, ENV_NO_MAPS, ENV_NO_CACHE = (
    "MINERALS_GRAPH_SOURCES",
    "MINERALS_GRAPH_TRADE",
    "MINERALS_GRAPH_NO_MAPS",
    "MINERALS_GRAPH_NO_CACHE",
)


def app_from_env() -> FastAPI:
    """The app as an ASGI server's worker processes start it (an app factory)::

        MINERALS_GRAPH_SOURCES=../shared/data MINERALS_GRAPH_NO_MAPS=1 \\
            uvicorn --factory minerals_graph.api.app:app_from_env --workers 2 --host 127.0.0.1

    ``MINERALS_GRAPH_SOURCES`` and ``MINERALS_GRAPH_TRADE``: as ``serve --sources`` and
    ``--trade``; ``MINERALS_GRAPH_NO_MAPS=1`` and ``MINERALS_GRAPH_NO_CACHE=1``: as
    ``--no-maps`` and ``--no-cache``. Each worker loads the model in its lifespan, from the
    model cache when it is current (build it once first, e.g. with one ``serve``).
    See docs/deploy.md.
    """
    import os

    def path(name: str) -> Path | None:
        value = os.environ.get(name)
        return Path(value) if value else None

    config = ModelConfig(
        sources=path(ENV_SOURCES), trade_dir=path(ENV_TRADE), with_maps=os.environ.get(ENV_NO_MAPS) != "1"
    )
    return create_app(config=config, cache=os.environ.get(ENV_NO_CACHE) != "1")
