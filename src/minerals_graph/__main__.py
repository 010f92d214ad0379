"""``python -m minerals_graph`` runs the command-line interface."""

from minerals_graph.cli import main

raise SystemExit(main())
