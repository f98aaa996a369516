"""Cancellation reasons as lines, and the reasons servers put only in the message."""
from botocore.exceptions import ClientError

from ddbsql.exec.transact import Change, _reasons_from_message, cancellation_lines, key_text


def test_one_line_per_failed_item_naming_key_row_and_reason():
    changes = [Change("Put", {}, {"id": {"S": "a"}}, 0), Change("Put", {}, {"id": {"S": "b"}, "n": {"N": "2"}}, 1,
                                                                 condition_text="the item already exists"),
               Change("Delete", {}, {"id": {"S": "c"}}, 2)]
    reasons = [{"Code": "None"}, {"Code": "ConditionalCheckFailed", "Message": "The conditional request failed"},
               {"Code": "ValidationError", "Message": "Item size has exceeded the maximum allowed size"}]
    assert cancellation_lines(changes, reasons) == [
        "Put of item id='b', n=2 (row 2, ConditionalCheckFailed): the item already exists",
        "Delete of item id='c' (row 3, ValidationError): Item size has exceeded the maximum allowed size"]


def test_reasons_read_from_the_message_when_the_list_is_missing():
    exc = ClientError({"Error": {"Code": "TransactionCanceledException", "Message":
                                 "Transaction cancelled, please refer cancellation reasons for specific reasons "
                                 "[None, ConditionalCheckFailed]"}}, "TransactWriteItems")
    assert _reasons_from_message(exc) == [{"Code": "None"}, {"Code": "ConditionalCheckFailed"}]
    assert key_text({"k": {"B": b"x"}}) == "k=<B>"
