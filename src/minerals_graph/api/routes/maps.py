from fastapi import APIRouter, HTTPException
from fastapi.responses import HTMLResponse

from minerals_graph.api.deps import State
from minerals_graph.api.models import ListOf

router = APIRouter(tags=["maps"])


@router.get("/maps", response_model=ListOf[str], summary="The generated maps")
def list_maps(state: State) -> ListOf[str]:
    return ListOf[str](data=state.maps, count=len(state.maps))


@router.get(
    "/maps/{name}",
    response_class=HTMLResponse,
    summary="One generated map (HTML, works offline)",
    responses={200: {"content": {"text/html": {}}}, 404: {"description": "unknown map"}},
)
def get_map(state: State, name: str) -> HTMLResponse:
    if name not in state.maps or state.maps_dir is None:
        raise HTTPException(404, f"map {name!r} not found; list maps at /api/v1/maps")
    return HTMLResponse((state.maps_dir / name).read_text(encoding="utf-8"))
