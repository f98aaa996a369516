"""Error positions survive variable substitution and ``?`` numbering."""
import pytest

import ddbsql
from ddbsql.sql.parameters import number_qmarks
from ddbsql.sql.positions import Edits, line_col, offset_of, to_original
from ddbsql.sql.substitute import substitute_mapped


def test_offsets_before_inside_and_after_a_replacement():
    edits = Edits()
    edits.add(4, 10, 2)         # "abc ${xx} def" style: 6 chars became 2
    assert [edits.original_offset(i) for i in (0, 3, 4, 5, 6, 8)] == [0, 3, 4, 4, 10, 12]


def test_substitution_maps_back_to_the_variable():
    values = {"hivevar:long": "x" * 30, "hivevar:two": "a\nb"}
    result = substitute_mapped("SELECT ${long}, ${two}, nope\nFROM t", values.get)
    assert result.text == "SELECT " + "x" * 30 + ", a\nb, nope\nFROM t"
    line, col = line_col(result.text, result.text.index("nope"))
    assert (line, col) == (2, 4)
    assert to_original(line, col, result.text, "SELECT ${long}, ${two}, nope\nFROM t", result.edits) == (1, 25)
    assert to_original(1, 10, result.text, "SELECT ${long}, ${two}, nope\nFROM t", result.edits) == (1, 8)


def test_nested_values_and_undefined_variables():
    values = {"hivevar:a": "${b}${b}", "hivevar:b": "yy"}
    result = substitute_mapped("x ${a} ${missing} z", values.get)
    assert result.text == "x yyyy ${missing} z" and result.undefined == ["missing"]
    assert result.edits.original_offset(result.text.index("z")) == len("x ${a} ${missing} ")


def test_qmarks_are_recorded():
    edits = Edits()
    text = number_qmarks("SELECT ?, '?', ? FROM t", edits)
    assert text == "SELECT :__p0, '?', :__p1 FROM t"
    assert edits.original_offset(text.index("FROM")) == len("SELECT ?, '?', ? ")
    assert offset_of(text, 1, 1) == 0


def test_errors_point_at_what_the_user_wrote(tmp_path):
    conn = ddbsql.connect(metastore=tmp_path / "m.db", region="us-east-1")
    cursor = conn.cursor()
    cursor.execute("CREATE TABLE t (x int)")
    cursor.execute("SET hivevar:long=" + "a" * 40)
    with pytest.raises(ddbsql.ProgrammingError) as caught:
        cursor.execute("SELECT '${long}', nope FROM t")
    assert caught.value.original.col == len("SELECT '${long}', ") + 1
    with pytest.raises(ddbsql.ProgrammingError) as caught:
        cursor.execute("SELECT ?, ?, nope FROM t", ("a" * 30, 1))
    assert caught.value.original.col == len("SELECT ?, ?, ") + 1
    with pytest.raises(ddbsql.ProgrammingError) as caught:
        cursor.execute("EXPLAIN SELECT '${long}', nope FROM t")
    assert caught.value.original.col == len("EXPLAIN SELECT '${long}', ") + 1
    conn.close()
