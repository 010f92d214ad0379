import pytest
from tests.conftest import write

from minerals_graph.errors import MineralsGraphError, RowAccountingError, SourceFormatError
from minerals_graph.sources._common import (
    QValue,
    RowLedger,
    SourceInfo,
    first_copies,
    frame_records,
    parse_number,
    parse_qvalue,
    read_csv_text,
)


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
    assert res.loaded_rows == frozenset({1})
    led2 = RowLedger("g.csv")
    led2.load(1)
    with pytest.raises(RowAccountingError, match="^g.csv: .*rows with no fate: \\[2\\]"):
        led2.finish(src, 2, __import__("pandas").DataFrame())


def test_ledger_refuses_a_row_loaded_and_rejected():
    """A row that was loaded (its values are in the table) and also rejected has two fates."""
    src = SourceInfo("k", "p", "d", 2024, "http://x")
    led = RowLedger("h.csv")
    led.load(1)
    led.reject(1, "F", "v", "bad")
    with pytest.raises(RowAccountingError, match="with two: \\[1\\]"):
        led.finish(src, 1, __import__("pandas").DataFrame())
    led = RowLedger("h.csv")
    led.load(3)
    with pytest.raises(RowAccountingError, match="outside 1..1: \\[3\\]"):
        led.finish(src, 1, __import__("pandas").DataFrame())


def test_row_accounting_error_is_in_the_exception_tree():
    assert issubclass(RowAccountingError, MineralsGraphError)
    assert not issubclass(RowAccountingError, AssertionError)


@pytest.mark.parametrize("text", ["1,2", "12,34,567", "1_000"])
def test_parse_qvalue_refuses_misplaced_separators(text):
    with pytest.raises(ValueError):
        parse_qvalue(text)


@pytest.mark.parametrize(
    "text, value",
    [
        ("7950.0", 7950.0),
        ("-74.25", -74.25),
        ("1,200.5", 1200.5),
        (".5", 0.5),
        ("1.5e3", 1500.0),
        (12, 12.0),
        ("\u221216", -16.0),
    ],
)
def test_parse_number(text, value):
    assert parse_number(text) == value


@pytest.mark.parametrize(
    "text",
    ["", "-", "inf", "nan", "Infinity", "1_000", "0x1A", "1,2", "1.2.3", "six", float("nan"), float("inf"), True],
)
def test_parse_number_refuses_what_float_would_accept(text):
    with pytest.raises(ValueError):
        parse_number(text)


@pytest.mark.parametrize(
    "body, match",
    [
        ("A,B\n1,2\n3,", "no line break"),  # cut inside the last row
        ('A,B\n1,"two\n', "inside a quoted field"),  # cut inside a quoted value
        ("A,B,C\n1,2\n", "row 1, field 'C': 2 values for 3"),  # a short row
        ("A,B\n1,2,3\n", "row 1, field '\\(beyond the header\\)': 3 values for 2"),
        ("", "empty file"),
    ],
)
def test_read_csv_text_refuses_damaged_files(tmp_path, body, match):
    p = write(tmp_path / "d.csv", body)
    with pytest.raises(SourceFormatError, match=match):
        read_csv_text(p)


def test_read_csv_text_encodings(tmp_path):
    p = write(tmp_path / "u.csv", "A\nS\u00e1nchez\n", encoding="cp1252")
    with pytest.raises(SourceFormatError, match="u.csv: line 2: cannot be decoded as utf-8"):
        read_csv_text(p)
    assert read_csv_text(p, "cp1252") == (["A"], [["S\u00e1nchez"]])
    p = write(tmp_path / "c.csv", "A\nS\u00e1nchez\n")  # UTF-8 where cp1252 is published
    with pytest.raises(SourceFormatError, match="line 2: UTF-8 bytes .* wrong encoding"):
        read_csv_text(p, "cp1252")


def test_first_copies():
    assert first_copies([["a", "1"], ["", ""], ["a", "1"], ["", ""], ["b", "1"], ["a", "1"]]) == {3: 1, 6: 1}


def _parse_number_slow(text: str) -> float | str:
    """parse_number without its fast path (the reference the fast path must equal)."""
    from minerals_graph.sources import _common as c

    s = c.clean_text(text).replace("\u2212", "-")
    if not c._STRICT_NUMBER.match(s):
        return "error"
    value = float(s.replace(",", ""))
    return "error" if value != value or value in (float("inf"), float("-inf")) else value


def test_parse_number_fast_path_reads_as_the_full_rules():
    import random

    rng = random.Random(7)
    texts = ["1", "01", "1.5", "1.", ".5", "1e3", "9" * 400, "9" * 400 + ".5", "1\n", " 1", "1,000", "\u0661", ""]
    texts += ["".join(rng.choice("0123456789.,e- \n") for _ in range(rng.randint(1, 8))) for _ in range(3000)]
    for t in texts:
        try:
            got: float | str = parse_number(t)
        except ValueError:
            got = "error"
        assert repr(got) == repr(_parse_number_slow(t)), t


def test_first_copies_ignores_blank_rows_whatever_their_order():
    import random

    def reference(rows):
        first, out = {}, {}
        for i, r in enumerate(rows, start=1):
            if "".join(r).strip():
                if tuple(r) in first:
                    out[i] = first[tuple(r)]
                else:
                    first[tuple(r)] = i
        return out

    rng = random.Random(3)
    for _ in range(500):
        rows = [[rng.choice(["", " ", "a", "b"]) for _ in range(2)] for _ in range(rng.randint(0, 10))]
        assert first_copies(rows) == reference(rows)


def test_frame_records_equals_to_dict_records():
    import numpy as np
    import pandas as pd

    base = pd.DataFrame(
        {
            "i": [1, 2],
            "s": ["x", None],
            "f": [1.5, np.nan],
            "o": [np.int64(3), "q"],
            "n": [None, None],
            "b": [True, False],
            "t": pd.to_datetime(["2020-01-01", None]),
            "m": [np.float64(2.0), np.bool_(True)],
        }
    )
    frames = [
        base,
        base.assign(nullable=pd.array([1, None], dtype="Int64")),
        pd.DataFrame(),
        pd.DataFrame(index=[0, 1]),
        pd.DataFrame({"a": []}),
    ]
    for df in frames:
        a, b = df.to_dict("records"), frame_records(df)
        assert repr(a) == repr(b)
        assert [[type(v) for v in r.values()] for r in a] == [[type(v) for v in r.values()] for r in b]


def test_utf8_sequence_search_equals_the_regular_expression():
    """read_csv_text finds UTF-8 bytes in a cp1252 file with numpy, then the expression: the
    match must be the expression's first match, on any bytes (random and edge cases)."""
    import random

    from minerals_graph.sources._common import _UTF8_SEQUENCE, _utf8_sequence

    rng = random.Random(7)
    alphabet = [0x41, 0x0A, 0x80, 0xBF, 0xC1, 0xC2, 0xC3, 0xE9, 0xF4, 0xF5, 0xFF]
    cases = [b"", b"plain ascii\n", b"caf\xe9\n", b"\xc3", b"\xc3\xa9", b"x\xf4\x80\x80\x80y", b"\xc1\xa9\xc2\xa9"]
    cases += [bytes(rng.choice(alphabet) for _ in range(rng.randint(0, 12))) for _ in range(3000)]
    for data in cases:
        want, got = _UTF8_SEQUENCE.search(data), _utf8_sequence(data)
        assert (want and (want.start(), want.group(0))) == (got and (got.start(), got.group(0))), data


def test_parse_number_negative_plain_numbers_read_as_before():
    assert parse_number("-74.25") == -74.25 and parse_number("-0") == 0.0
    assert str(parse_number("-0.0")) == "-0.0" and parse_number("-12") == -12.0
    for bad in ("--1", "-", "-.5.", "- 1"):
        with pytest.raises(ValueError):
            parse_number(bad)
    assert parse_number("-.5") == -0.5  # the strict rule still reads it, as before
