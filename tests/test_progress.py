"""Progress callbacks report the real steps of a load and of the maps, in order."""

from minerals_graph.model import ModelConfig, SupplyModel
from minerals_graph.tables import CURATED_STEPS, RAW_STEPS


def test_load_reports_each_step_once_in_order_bundled():
    seen: list[str] = []
    SupplyModel.load(progress=seen.append)
    assert seen == [*CURATED_STEPS, "graph"] == list(SupplyModel.load_steps())


def test_load_steps_of_the_raw_files(shared):
    assert SupplyModel.load_steps(ModelConfig(sources=shared)) == (*RAW_STEPS, "graph")


def test_cli_progress_counts_every_step(monkeypatch, capsys):
    """The CLI's bar is driven by the same steps (the bar itself is silent without a TTY)."""
    from minerals_graph import cli

    counts = []

    class Bar:
        def __init__(self, total, desc):
            self.total, self.n, self.descs = total, 0, []

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            counts.append((self.total, self.n, self.descs))

        def update(self, k):
            self.n += k

        def set_description_str(self, s):
            self.descs.append(s)

    monkeypatch.setattr(cli, "_progress", Bar)
    assert cli.main(["summary"]) == 0
    total, n, descs = counts[0]
    assert total == n == 3 and descs == ["curated tables", "register, matching and ports", "graph", "done"]
