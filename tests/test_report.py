"""The briefing report (report.md, self-contained report.html), its figures and the CLI's
table fitting. The tiny model's numbers are in tests/conftest.py."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from minerals_graph.figures import FIGURES, write_figures
from minerals_graph.report import fmt_pct, fmt_t, report_html, report_markdown

SECTIONS = [
    "## Headline",
    "## 1. Where the chokepoints are",
    "## 2. How dependent the U.S., Canada, Mexico and the USMCA are on the PRC",
    "## 3. What breaks under a PRC cut-off",
    "## 4. Possible transshipment through third countries",
    "## 5. Product passport: where North American supply comes from",
    "## 6. Joint investments: which projects close the prc-refining-cutoff gap",
    "## Data and limits",
    "## References",
]
#: An absolute local path: POSIX home/tmp/work folders or a Windows drive.
LOCAL_PATH = re.compile(r"(?<![\w.:/])/(home|tmp|work|root|Users|var|opt|mnt)/|\b[A-Z]:\\")


def _references(md: str) -> dict[int, str]:
    refs = md.split("## References", 1)[1]
    return {int(m.group(1)): m.group(2) for m in re.finditer(r"^- \[(\d+)\] (.*)$", refs, re.M)}


def _check_citations(md: str) -> dict[int, str]:
    body = md.split("## References", 1)[0]
    refs = _references(md)
    cited = {int(n) for n in re.findall(r"\[(\d+)\]", body)}
    assert cited <= set(refs), f"cited without a reference: {sorted(cited - set(refs))}"
    for n, text in refs.items():
        assert re.search(r"https?://\S+$", text), f"reference [{n}] has no URL: {text}"
    return refs


def _check_self_contained(page: str) -> None:
    for tag in re.findall(r"<(?:img|script|link|iframe|source)\b[^>]*>", page, re.I):
        assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", tag, re.I), tag
    imgs = re.findall(r"<img\b[^>]*\bsrc=\"([^\"]*)\"", page)
    assert imgs and all(src.startswith("data:image/png;base64,") for src in imgs)
    assert "<script" not in page.lower() and "<link" not in page.lower()


@pytest.fixture
def written(tiny_model, tmp_path):
    figures = write_figures(tiny_model, tmp_path / "figures")
    return tiny_model, figures, tmp_path


def test_rounding_for_reading():
    assert [fmt_t(x) for x in (0, 0.44, 19, 123.4, 4_000, 16_040.5, 461_000, 1_642_323.17)] == [
        "0 t",
        "0.4 t",
        "19 t",
        "123 t",
        "4 kt",
        "16 kt",
        "461 kt",
        "1.6 Mt",
    ]
    assert [fmt_pct(x) for x in (0, 0.3, 35.65, 100)] == ["0%", "<1%", "36%", "100%"]
    assert fmt_t(float("nan")) == fmt_pct(None) == "unknown"


def test_figures_are_written_as_png_and_svg(written):
    _, figures, tmp_path = written
    assert set(figures) == set(FIGURES)
    for paths in figures.values():
        assert paths["png"].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        svg = paths["svg"].read_text(encoding="utf-8")
        assert "<svg" in svg[:2000] and LOCAL_PATH.search(svg) is None
    assert sorted(p.suffix for p in (tmp_path / "figures").iterdir()) == [".png"] * len(FIGURES) + [".svg"] * len(
        FIGURES
    )


def test_report_answers_the_three_questions_in_order(written):
    model, figures, tmp_path = written
    md = report_markdown(model, figures=figures)
    where = [md.index(s) for s in SECTIONS]
    assert where == sorted(where)
    # the tiny model: U.S. lithium demand 3,000 t, 2,000 t short after the cut-off (0 t optimistic)
    assert "| lithium | 3 kt | 2 kt (67%) | 0 t–2 kt (0%–67%) |" in md
    assert "lithium 67% (0%–67%)" in md
    assert "No export control of the PRC is in the data: no export-control preset." in md
    for stem in FIGURES:
        assert f"](figures/{stem}.png)" in md
    refs = _check_citations(md)
    assert refs and all("http://x" in t for t in refs.values())  # the tiny graph's one source
    assert LOCAL_PATH.search(md) is None and str(tmp_path) not in md and str(Path.cwd()) not in md


def test_unknown_demand_is_said_with_its_reason(written):
    model, figures, _ = written
    md = report_markdown(model, figures=figures)
    assert "unknown (demand of CAN, MEX unknown)" in md
    assert "USMCA 67% (without CAN, MEX (demand unknown))" in md


def test_report_html_is_self_contained(written):
    model, figures, tmp_path = written
    page = report_html(model, figures=figures)
    _check_self_contained(page)
    assert page.count("<img") == len(FIGURES)
    assert "<h2>1. Where the chokepoints are</h2>" in page
    assert LOCAL_PATH.search(page) is None and str(tmp_path) not in page


def test_table_fits_the_terminal_and_columns_choose():
    import pandas as pd

    from minerals_graph.cli import fit_table
    from minerals_graph.errors import InvalidInputError

    df = pd.DataFrame(
        {
            "commodity": ["gallium", "antimony"],
            "demand_t": [19.0, 45000.0],
            "shortfall_t": [15.875446, 16040.462428],
            "reason": ["x" * 300, "99% of world refining removed"],
            "wide": ["y" * 90, "z"],
        }
    )
    text, dropped = fit_table(df, 60)
    assert max(map(len, text.splitlines())) <= 60 and dropped
    assert "15.88" in text and "45,000" in text and "16,040" in text  # rounded for display only
    text, dropped = fit_table(df, 200, ["shortfall_t", "commodity"])
    assert text.splitlines()[0].split() == ["shortfall_t", "commodity"] and dropped == []
    with pytest.raises(InvalidInputError, match="--columns 'shortfal'.*shortfall_t"):
        fit_table(df, 80, ["shortfal"])


def test_cli_table_columns_option(capsys):
    from minerals_graph.cli import main

    assert main(["summary", "--commodities", "--columns", "id"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].strip() == "id" and len(out) > 10


@pytest.mark.shared
def test_report_on_the_real_model(raw_tables, raw_graph, tmp_path):
    """The real public files: the headline cites USGS MCS, the figures and the page are
    self-contained, no local path, every reference has a URL."""
    from minerals_graph.model import ModelConfig, SupplyModel

    model = SupplyModel.from_graph(raw_graph, raw_tables, ModelConfig(with_maps=False))
    figures = write_figures(model, tmp_path / "figures")
    md = report_markdown(model, figures=figures)
    refs = _check_citations(md)
    assert any("Mineral Commodity Summaries" in t and "doi.org" in t for t in refs.values())
    headline = md.split("## Headline", 1)[1].split("\n## ", 1)[0]
    assert "PRC refining cut-off:" in headline and re.search(r"range \d+%", headline)
    assert re.search(r"Facility register: \d+ of \d+ register mines and facilities located", md)
    assert LOCAL_PATH.search(md) is None
    page = report_html(model, figures=figures)
    _check_self_contained(page)
    assert LOCAL_PATH.search(page) is None


def test_progress_is_quiet_when_not_a_terminal(capsys):
    from minerals_graph.cli import _Steps

    with _Steps(2, "job") as steps:
        assert steps.run("one", lambda: 1) == 1
        assert steps.run("two", lambda: "b") == "b"
    assert capsys.readouterr().err == ""


def test_figures_and_report_of_the_bundled_data_are_saved_for_review(data_tables, data_graph):
    """Every figure of the bundled data, and its report, into reports/screenshots/ (ignored by
    git) for review; each PNG has content, and the report cites the export-control
    announcements and answers the three policy sections with numbers."""
    from PIL import Image, ImageStat

    from minerals_graph.model import ModelConfig, SupplyModel

    model = SupplyModel.from_graph(data_graph, data_tables, ModelConfig(with_maps=False))
    out = Path(__file__).resolve().parents[1] / "reports" / "screenshots" / "figures"
    figures = write_figures(model, out)
    assert set(figures) == set(FIGURES)
    for stem, paths in figures.items():
        img = Image.open(paths["png"]).convert("RGB")
        assert max(ImageStat.Stat(img).stddev) > 10, stem  # not blank
        assert len(img.getcolors(maxcolors=1 << 20) or []) > 10, stem
    md = report_markdown(model, figures=figures)
    (out.parent / "report_bundled.md").write_text(md, encoding="utf-8")
    assert "prc-export-control-gallium" in md and "Announcement No. 23 of 2023" in md
    assert re.search(r"mass-balance \d+", md)  # flag counts of section 4
    assert re.search(r"\| rare earths \| separation \| \d+%", md, re.I)  # section 5 rows
    assert "Torngat" in md  # section 6 ranking
    _check_citations(md)
