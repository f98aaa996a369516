"""Text files as lines: the Arrow split gives the lines, numbers and blocks of the Python one."""
from __future__ import annotations

from hypothesis import HealthCheck, given, settings, strategies as st

from ddbsql.files import compression
from ddbsql.files.compression import iter_line_arrays, iter_lines
from ddbsql.files.locations import FileSystems, parse_location


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(parts=st.lists(st.sampled_from([b"a", b"\n", b"\r", b"\r\n", b"\xc3\xa9", b"\xc3", b"\xff", b"{}", b" "]),
                      max_size=60),
       block_bytes=st.sampled_from([3, 7, 1 << 20]), batch_rows=st.sampled_from([2, 5, 65536]))
def test_line_arrays_are_the_lines(tmp_path_factory, parts, block_bytes, batch_rows):
    folder = tmp_path_factory.mktemp("lines")
    (folder / "f").write_bytes(b"".join(parts))
    fs = parse_location(str(folder), FileSystems(), allow_local=True).fs
    saved = compression.BLOCK_BYTES, compression.BATCH_ROWS
    compression.BLOCK_BYTES, compression.BATCH_ROWS = block_bytes, batch_rows   # chunks cut characters and lines
    try:
        python = list(iter_lines(fs, str(folder / "f"), "f"))
        arrow = [(first, lines.to_pylist()) for first, lines in iter_line_arrays(fs, str(folder / "f"), "f")]
    finally:
        compression.BLOCK_BYTES, compression.BATCH_ROWS = saved
    assert arrow == python
