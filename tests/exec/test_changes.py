"""exec.changes.request_of: the condition every change carries, and its update expression."""
from ddbsql.exec.changes import Action, ItemChange, request_of

KEYS = ("id", "day")


def test_update_is_conditioned_on_the_key_and_the_values_read():
    change = ItemChange(0, Action.UPDATE, {"id": {"S": "a"}, "day": {"N": "1"}},
                        expected={"n": {"N": "5"}, "note": None, "m": {"M": {"a": {"N": "1.50"}}},
                                  "gone": {"NULL": True}},
                        values={"n": {"N": "6"}, "note": None})
    params, meaning = request_of(change, KEYS)
    assert params["ConditionExpression"] == ("attribute_exists(#a0) AND #a1 = :v0 AND attribute_not_exists(#a2) "
                                             "AND #a3 = :v1 AND attribute_type(#a4, :v2)")
    assert params["UpdateExpression"] == "SET #a1 = :v3 REMOVE #a2"
    assert params["ExpressionAttributeNames"] == {"#a0": "id", "#a1": "n", "#a2": "note", "#a3": "m", "#a4": "gone"}
    assert params["ExpressionAttributeValues"] == {":v0": {"N": "5"}, ":v1": {"M": {"a": {"N": "1.50"}}},
                                                   ":v2": {"S": "NULL"}, ":v3": {"N": "6"}}
    assert params["Key"] == {"id": {"S": "a"}, "day": {"N": "1"}} and "changed or deleted" in meaning


def test_delete_and_insert_conditions():
    delete, _ = request_of(ItemChange(0, Action.DELETE, {"id": {"S": "a"}, "day": {"N": "1"}}), KEYS)
    assert delete["ConditionExpression"] == "attribute_exists(#a0)" and "UpdateExpression" not in delete
    item = {"id": {"S": "b"}, "day": {"N": "2"}, "n": {"N": "1"}}
    put, meaning = request_of(ItemChange(1, Action.PUT, {"id": {"S": "b"}, "day": {"N": "2"}}, values=item), KEYS)
    assert put == {"Item": item, "ConditionExpression": "attribute_not_exists(#a0)",
                   "ExpressionAttributeNames": {"#a0": "id"}}
    assert "inserted by another writer" in meaning
