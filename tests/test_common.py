import pytest

from minerals_graph.sources._common import QValue, RowLedger, SourceInfo, parse_qvalue, read_csv_text
from tests.conftest import write


@pytest.mark.parametrize(
    "text, expected",
    [
        ("7900", QValue(7900.0, "")),
        ("7,900", QValue(7900.0, "")),
        ("-16", QValue(-16.0, "")),
        ("\u221216", QValue(-16.0, "")),  # Unicode minus, as in the tantalum salient file
        ("W", QValue(None, "W")),
        ("NA", QValue(None, "NA")),
        ("E", QValue(None, "E")),
        (">50", QValue(50.0, ">")),
        ("<25", QValue(25.0, "<")),
        (">95", QValue(95.0, ">")),
        ("<100,000", QValue(100000.0, "<")),
        ("e150", QValue(150.0, "e")),
        ("Less than \u00bd unit.", QValue(0.5, "<")),
        ("Less than 500 carats.", QValue(500.0, "<")),
        ("50\u2013300", QValue(None, "range 50-300")),
        ("Included in World total.", QValue(None, "included in world total")),
        ("", QValue(None, "")),
        ("  \u00a0", QValue(None, "")),
    ],
)
def test_parse_qvalue_keeps_codes_and_never_invents_zero(text, expected):
    assert parse_qvalue(text) == expected


def test_parse_qvalue_rejects_unknown_text_with_expectation():
    with pytest.raises(ValueError, match="expected a number"):
        parse_qvalue("about forty")


def test_read_csv_text_strips_bom_and_trailing_empty_columns(tmp_path):
    p = write(tmp_path / "t.csv", "A,B,,,\n1,2,,,\n,,,,\n", bom=True, crlf=True)
    header, rows = read_csv_text(p)
    assert header == ["A", "B"]
    assert rows == [["1", "2"], ["", ""]]


def test_ledger_balances_and_catches_forgotten_rows():
    src = SourceInfo("k", "p", "d", 2024, "http://x")
    led = RowLedger("f.csv")
    led.load(1)
    led.reject(2, "F", "v", "bad")
    led.exclude(3, "empty row")
    res = led.finish(src, 3, __import__("pandas").DataFrame())
    assert (res.rows_read, res.rows_loaded, res.rows_rejected, res.rows_excluded) == (3, 1, 1, 1)
    led2 = RowLedger("g.csv")
    led2.load(1)
    with pytest.raises(AssertionError, match="rows with no fate: \\[2\\]"):
        led2.finish(src, 2, __import__("pandas").DataFrame())
