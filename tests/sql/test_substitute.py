from ddbsql.config import Settings
from ddbsql.sql.substitute import substitute


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


def test_self_reference_terminates():
    text, _ = run("${hivevar:a}", hivevar={"a": "${hivevar:a}"})
    assert text == "${hivevar:a}"
