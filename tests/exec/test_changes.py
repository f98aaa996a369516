"""exec.changes.request_of: the condition every change carries, and its update expression."""
from ddbsql.exec.changes import Action, ItemChange, request_of

KEYS = ("id", "day")


def test_update_is_conditioned_on_the_key_and_the_values_read():
    change = ItemChange(0, Action.UPDATE, {"id": {"S": "a"}, "day": {"N": "1"}},
                        expected={"n": {"N": "5"}, "note": "S"}, values={"n": {"N": "6"}, "note": None})
    params, meaning = request_of(change, KEYS)
    assert params["ConditionExpression"] == "attribute_exists(#a0) AND #a1 = :v0 AND NOT attribute_type(#a2, :v1)"
    assert params["UpdateExpression"] == "SET #a1 = :v2 REMOVE #a2"
    assert params["ExpressionAttributeNames"] == {"#a0": "id", "#a1": "n", "#a2": "note"}
    assert params["ExpressionAttributeValues"] == {":v0": {"N": "5"}, ":v1": {"S": "S"}, ":v2": {"N": "6"}}
    assert params["Key"] == {"id": {"S": "a"}, "day": {"N": "1"}} and "changed or deleted" in meaning


def test_delete_and_insert_conditions():
    delete, _ = request_of(ItemChange(0, Action.DELETE, {"id": {"S": "a"}, "day": {"N": "1"}}), KEYS)
    assert delete["ConditionExpression"] == "attribute_exists(#a0)" and "UpdateExpression" not in delete
    item = {"id": {"S": "b"}, "day": {"N": "2"}, "n": {"N": "1"}}
    put, meaning = request_of(ItemChange(1, Action.PUT, {"id": {"S": "b"}, "day": {"N": "2"}}, values=item), KEYS)
    assert put == {"Item": item, "ConditionExpression": "attribute_not_exists(#a0)",
                   "ExpressionAttributeNames": {"#a0": "id"}}
    assert "inserted by another writer" in meaning
