from ddbsql.catalog.binding import ColumnBinding
from ddbsql.catalog.facts import TableFacts
from ddbsql.planner.scan import BYTES_PER_SEGMENT, MAX_AUTO_SEGMENTS, plan_scan, segment_count
from ddbsql.types import ITEM_MAP, STRING


def facts(size: int) -> TableFacts:
    return TableFacts("T", "id", None, {"id": "S"}, "PAY_PER_REQUEST", size_bytes=size)


def test_segments_follow_size_unless_chosen():
    assert segment_count(facts(0), None) == 1
    assert segment_count(facts(3 * BYTES_PER_SEGMENT), None) == 3
    assert segment_count(facts(10 ** 15), None) == MAX_AUTO_SEGMENTS
    assert segment_count(facts(10 ** 15), 4) == 4


def test_projection_uses_placeholders_for_every_name():
    bindings = [ColumnBinding("a", STRING, "name", "S"), ColumnBinding("b", STRING, "a.b #x", "S")]
    plan = plan_scan(facts(0), bindings)
    assert plan.request(0) == {"TableName": "T", "ProjectionExpression": "#c0, #c1",
                               "ExpressionAttributeNames": {"#c0": "name", "#c1": "a.b #x"}}


def test_whole_item_column_reads_whole_items_and_segments_are_sent():
    plan = plan_scan(facts(0), [ColumnBinding("item", ITEM_MAP, None, "ITEM")], segments=3, consistent_read=True)
    assert plan.request(2) == {"TableName": "T", "Segment": 2, "TotalSegments": 3, "ConsistentRead": True}
