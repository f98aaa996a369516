from ddbsql.sql.script import is_complete, split_statements, strip_comments


def test_split_on_semicolons_outside_quotes_and_comments():
    script = (
        "-- header; not a statement\n"
        "SELECT 'a;b' FROM t;  SELECT \"c;d\";\n"
        "  !echo \"x;y\";\n"
        "SELECT 1 -- trailing; comment\n"
        "FROM u;\n"
        "select 'it\\'s;' ;\n"
        "   -- only a comment;\n"
        "SELECT `we;ird` FROM v"
    )
    statements = split_statements(script)
    assert [s.text for s in statements] == [
        "SELECT 'a;b' FROM t",
        'SELECT "c;d"',
        '!echo "x;y"',
        "SELECT 1 -- trailing; comment\nFROM u",
        "select 'it\\'s;'",
        "SELECT `we;ird` FROM v",
    ]
    assert [s.number for s in statements] == [1, 2, 3, 4, 5, 6]
    assert [(s.line, s.col) for s in statements] == [(2, 1), (2, 23), (3, 3), (4, 1), (6, 1), (8, 1)]


def test_empty_script_has_no_statements():
    assert split_statements("  \n-- nothing\n;;\n") == []


def test_strip_comments_keeps_quoted_dashes_and_lines():
    assert strip_comments("SELECT '--x' -- gone\nFROM t") == "SELECT '--x' \nFROM t"


def test_is_complete():
    assert is_complete("SELECT 1;")
    assert is_complete("SELECT 1; -- done")
    assert not is_complete("SELECT 'a;")
    assert not is_complete("SELECT 1")
    assert not is_complete("SELECT 1 -- ;")
