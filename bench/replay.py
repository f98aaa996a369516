"""A DynamoDB endpoint on loopback that replays recorded Scan pages instantly.

It serves a "virtual table" made of recorded pages: a Scan of segment ``s`` of ``S``
gets recorded pages ``s, s+S, s+2S, …`` one per request, chained by a synthetic
``LastEvaluatedKey``; ``DescribeTable`` gets the recorded description; ``BatchWriteItem``
is a sink (everything processed).  Request signatures are not checked.  Run it in its own
process so that its work does not compete with the client being measured for the GIL::

    python -m bench.replay PAGES_FILE [--port 0] [--repeat K]   # prints "READY http://127.0.0.1:PORT"

``PAGES_FILE`` is what :func:`save_recording` writes.
"""
from __future__ import annotations

import argparse
import http.server
import json
import pickle
import socketserver
import sys
import zlib
from pathlib import Path

__all__ = ["save_recording", "load_recording", "serve"]


def save_recording(path: Path, *, table_name: str, describe: bytes, pages: list[bytes]) -> None:
    """Store recorded response bodies: ``describe`` (DescribeTable) and Scan ``pages``."""
    with open(path, "wb") as f:
        pickle.dump({"table_name": table_name, "describe": describe, "pages": pages}, f)


def load_recording(path: Path) -> dict:
    with open(path, "rb") as f:
        return pickle.load(f)


def _items_chunks(pages: list[bytes]) -> list[tuple[bytes, int]]:
    """Each recorded page's Items array (raw JSON bytes) and its item count."""
    from ddbsql.exec.fastpath.meta import split_body

    chunks = []
    for body in pages:
        members, span = split_body(body)
        if span is None:
            continue
        chunks.append((body[span[0]:span[1]], members.get("Count", 0)))
    return chunks


class _Table:
    def __init__(self, recording: dict, repeat: int = 1):
        self.name = recording["table_name"]
        self.chunks = _items_chunks(recording["pages"]) * repeat
        self.describe = _scaled_description(recording["describe"], repeat)

    def scan(self, request: dict) -> bytes:
        total = int(request.get("TotalSegments", 1))
        segment = int(request.get("Segment", 0))
        start = request.get("ExclusiveStartKey")
        index = int(start["__replay"]["N"]) if start else 0
        mine = self.chunks[segment::total]
        capacity = "ReturnConsumedCapacity" in request and request["ReturnConsumedCapacity"] != "NONE"
        if index >= len(mine):
            items, count = b"[]", 0
        else:
            items, count = mine[index]
        parts = [b'{"Count":%d,"Items":' % count, items]
        if index + 1 < len(mine):
            parts.append(b',"LastEvaluatedKey":{"__replay":{"N":"%d"}}' % (index + 1))
        if capacity:
            units = max(0.5, len(items) / 4096 / 2)
            parts.append(b',"ConsumedCapacity":{"TableName":%s,"CapacityUnits":%.1f}'
                         % (json.dumps(self.name).encode(), units))
        parts.append(b',"ScannedCount":%d}' % count)
        body = b"".join(parts)  # built per request: a table served many times over is not kept twice
        return body


def _scaled_description(describe: bytes, repeat: int) -> bytes:
    """The recorded DescribeTable answer for a table ``repeat`` times as large."""
    if repeat == 1:
        return describe
    description = json.loads(describe)
    table = description.get("Table", {})
    for key in ("ItemCount", "TableSizeBytes"):
        if key in table:
            table[key] *= repeat
    return json.dumps(description).encode()


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True   # no 40 ms stalls between headers and body
    wbufsize = 1 << 16               # headers and small bodies leave in one segment
    table: _Table

    def log_message(self, *args) -> None:  # quiet
        pass

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        request = json.loads(self.rfile.read(length) or b"{}")
        operation = (self.headers.get("X-Amz-Target") or "").rpartition(".")[2]
        status = 200
        if operation == "Scan":
            body = self.table.scan(request)
        elif operation == "DescribeTable":
            body = self.table.describe
        elif operation == "BatchWriteItem":
            body = b'{"UnprocessedItems":{}}'
        else:
            status = 400
            body = json.dumps({"__type": "com.amazon.coral.validate#ValidationException",
                               "message": f"the replay endpoint does not serve {operation}"}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/x-amz-json-1.0")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("x-amz-crc32", str(zlib.crc32(body) & 0xFFFFFFFF))
        self.send_header("x-amzn-RequestId", "replay")
        self.end_headers()
        self.wfile.write(body)


class _Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128


def serve(recording: dict, port: int = 0, repeat: int = 1) -> _Server:
    """A server (not yet serving) replaying ``recording``, its pages ``repeat`` times over."""
    handler = type("Handler", (_Handler,), {"table": _Table(recording, repeat)})
    return _Server(("127.0.0.1", port), handler)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pages")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=1, help="serve the recorded pages this many times over")
    args = parser.parse_args()
    server = serve(load_recording(Path(args.pages)), args.port, args.repeat)
    print(f"READY http://127.0.0.1:{server.server_address[1]}", flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    sys.exit(main())
