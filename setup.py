"""Build hook: everything else is in pyproject.toml.

The wheel carries the offline map assets, copied at build time from the npm packages that
``scripts/setup.sh`` installs (``leaflet``, ``jquery``, ``leaflet.markercluster`` and
``leaflet-search``, with their licences) into ``minerals_graph/assets/``, where
``settings.LEAFLET_DIST``, ``JQUERY_DIST``, ``MARKERCLUSTER_DIST`` and ``LEAFLET_SEARCH_DIR``
find them in an installed package. Without ``node_modules`` the wheel
is built without them (a warning here); maps then say to use ``--cdn``. An editable install
uses ``node_modules`` in place and copies nothing.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
#: (source under the repository root, destination under minerals_graph/assets/)
ASSETS = (
    ("node_modules/leaflet/dist/leaflet.js", "leaflet/leaflet.js"),
    ("node_modules/leaflet/dist/leaflet.css", "leaflet/leaflet.css"),
    ("node_modules/leaflet/dist/images", "leaflet/images"),
    ("node_modules/leaflet/LICENSE", "leaflet/LICENSE"),
    ("node_modules/jquery/dist/jquery.min.js", "jquery/jquery.min.js"),
    ("node_modules/jquery/LICENSE.txt", "jquery/LICENSE.txt"),
    ("node_modules/leaflet.markercluster/dist/leaflet.markercluster.js", "markercluster/leaflet.markercluster.js"),
    ("node_modules/leaflet.markercluster/dist/MarkerCluster.css", "markercluster/MarkerCluster.css"),
    ("node_modules/leaflet.markercluster/dist/MarkerCluster.Default.css", "markercluster/MarkerCluster.Default.css"),
    ("node_modules/leaflet.markercluster/MIT-LICENCE.txt", "markercluster/MIT-LICENCE.txt"),
    ("node_modules/leaflet-search/dist/leaflet-search.min.js", "leaflet-search/dist/leaflet-search.min.js"),
    ("node_modules/leaflet-search/dist/leaflet-search.min.css", "leaflet-search/dist/leaflet-search.min.css"),
    ("node_modules/leaflet-search/images/search-icon.png", "leaflet-search/images/search-icon.png"),
    ("node_modules/leaflet-search/images/loader.gif", "leaflet-search/images/loader.gif"),
    ("node_modules/leaflet-search/license.txt", "leaflet-search/license.txt"),
)


class BuildPyWithAssets(build_py):
    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        missing = [src for src, _ in ASSETS if not (ROOT / src).exists()]
        if missing:
            self.warn(
                "offline map assets not found (" + ", ".join(missing) + "): run `npm ci` first; "
                "the installed tool will then need `minerals-graph map --cdn`"
            )
            return
        dest_root = Path(self.build_lib) / "minerals_graph" / "assets"
        for src, dest in ASSETS:
            target = dest_root / dest
            target.parent.mkdir(parents=True, exist_ok=True)
            if (ROOT / src).is_dir():
                shutil.copytree(ROOT / src, target, dirs_exist_ok=True)
            else:
                shutil.copy2(ROOT / src, target)


setup(cmdclass={"build_py": BuildPyWithAssets})
