from ddbsql.catalog.binding import ColumnBinding
from ddbsql.catalog.facts import TableFacts
from ddbsql.planner.scan import MAX_SEGMENTS, page_bytes, plan_scan, segment_count
from ddbsql.planner.units import MAX_PAGE_BYTES as PAGE_BYTES
from ddbsql.types import ITEM_MAP, STRING


def facts(size: int) -> TableFacts:
    return TableFacts("T", "id", None, {"id": "S"}, "PAY_PER_REQUEST", size_bytes=size)


def test_segments_follow_size_unless_chosen():
    assert segment_count(facts(0), None) == 1
    assert segment_count(facts(PAGE_BYTES // 2), None) == 1            # one page: one request
    assert segment_count(facts(3 * PAGE_BYTES), None) == 3             # every page its own worker
    assert segment_count(facts(8 * PAGE_BYTES), None) == 8             # an 8 MB table: 8 workers busy
    assert segment_count(facts(100 * PAGE_BYTES), None) == 25          # 4 pages a segment
    assert segment_count(facts(10 ** 15), None) == MAX_SEGMENTS        # DynamoDB's limit
    assert segment_count(facts(10 ** 15), 4) == 4
    assert segment_count(facts(10 ** 15), 10 ** 9) == MAX_SEGMENTS


def test_a_small_budget_means_small_pages_and_more_segments():
    # 200 RCU/s over 8 workers: 25 units a page, 8 KB a unit when eventually consistent
    assert page_bytes(200) == 25 * 8192
    assert page_bytes(200, consistent=True) == 25 * 4096
    assert page_bytes(None) == page_bytes(10 ** 6) == PAGE_BYTES
    assert page_bytes(1) == 4096
    assert segment_count(facts(8 * PAGE_BYTES), None, read_budget=200) == 11   # 41 pages


def test_projection_uses_placeholders_for_every_name():
    bindings = [ColumnBinding("a", STRING, "name", "S"), ColumnBinding("b", STRING, "a.b #x", "S")]
    plan = plan_scan(facts(0), bindings)
    assert plan.request(0) == {"TableName": "T", "ProjectionExpression": "#c0, #c1",
                               "ExpressionAttributeNames": {"#c0": "name", "#c1": "a.b #x"}}


def test_whole_item_column_reads_whole_items_and_segments_are_sent():
    plan = plan_scan(facts(0), [ColumnBinding("item", ITEM_MAP, None, "ITEM")], segments=3, consistent_read=True)
    assert plan.request(2) == {"TableName": "T", "Segment": 2, "TotalSegments": 3, "ConsistentRead": True}
