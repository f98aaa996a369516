import time

import pytest

from ddbsql.config import Settings
from ddbsql.errors import NotPermittedError, ParseError
from ddbsql.sql.substitute import substitute, substitute_mapped


def run(text, hiveconf=None, hivevar=None, env=None):
    settings = Settings(hiveconf or {}, hivevar or {})
    return substitute(text, settings.lookup, env=env or {})


def test_all_namespaces():
    text, undefined = run("${hiveconf:domain}_${hivevar:ttl}_${x}_${env:HOME}_${system:line.separator}",
                          hiveconf={"domain": "Devo"}, hivevar={"ttl": "31536000", "x": "X"},
                          env={"HOME": "/h"})
    assert text == "Devo_31536000_X_/h_\n"
    assert undefined == []


def test_plain_name_prefers_hivevar_then_hiveconf():
    assert run("${a}", hiveconf={"a": "conf"}, hivevar={"a": "var"})[0] == "var"
    assert run("${a}", hiveconf={"a": "conf"})[0] == "conf"


def test_undefined_stays_as_written_and_is_reported_once():
    text, undefined = run("${hiveconf:nope} and ${hiveconf:nope} and ${env:NOPE}")
    assert text == "${hiveconf:nope} and ${hiveconf:nope} and ${env:NOPE}"
    assert undefined == ["hiveconf:nope", "env:NOPE"]


def test_missing_dollar_is_not_a_variable():
    # seed 002 wrote {hiveconf:domain}: Hive leaves it alone, and so do we
    assert run("T_{hiveconf:domain}_x", hiveconf={"domain": "Devo"})[0] == "T_{hiveconf:domain}_x"


def test_nested_values_are_substituted_again():
    assert run("${hivevar:a}", hivevar={"a": "${hivevar:b}!", "b": "deep"})[0] == "deep!"


def test_self_reference_is_an_error_naming_the_cycle():
    with pytest.raises(ParseError, match=r"refer to themselves: \$\{hivevar:a\} -> \$\{hivevar:a\}"):
        run("${hivevar:a}", hivevar={"a": "${hivevar:a}"})
    with pytest.raises(ParseError, match=r"\$\{a\} -> \$\{b\} -> \$\{a\}"):
        run("select ${a}", hivevar={"a": "${b}", "b": "${a}"})


def test_doubling_definition_fails_fast():
    started = time.monotonic()
    with pytest.raises(ParseError, match="refer to themselves"):
        run("${a}", hivevar={"a": "${a}${a}"})
    assert time.monotonic() - started < 2


def test_growth_without_a_cycle_is_capped():
    levels = {f"v{i}": f"${{v{i + 1}}}" * 8 for i in range(12)}
    levels["v12"] = "x" * 64
    started = time.monotonic()
    with pytest.raises(ParseError, match="longer than"):
        run("${v0}", hivevar=levels)
    assert time.monotonic() - started < 5


def test_deep_chains_end_at_hives_depth():
    chain = {f"v{i}": f"${{v{i + 1}}}" for i in range(100)}
    with pytest.raises(ParseError, match="deeper than 40"):
        run("${v0}", hivevar=chain)


def test_environment_only_where_allowed():
    settings = Settings()
    with pytest.raises(NotPermittedError, match="environment variables"):
        substitute_mapped("${env:HOME}", settings.lookup, {"HOME": "/h"}, allow_env=False)
    assert substitute_mapped("${env:HOME}", settings.lookup, {"HOME": "/h"}).text == "/h"
