"""S3 credentials renewed during a statement: the file system asks for the current keys
before each operation and rebuilds itself when they changed (moto's S3 over HTTP)."""
from __future__ import annotations

import sys
import uuid

import boto3
import pyarrow.fs as pafs
import pytest

import ddbsql
from ddbsql.files.locations import FileSystems, S3Access

pytestmark = pytest.mark.e2e


@pytest.fixture
def bucket(moto_endpoint, aws_credentials):
    name = f"ddbsql-renew-{uuid.uuid4().hex[:12]}"
    client = boto3.client("s3", endpoint_url=moto_endpoint, region_name="us-east-1")
    client.create_bucket(Bucket=name)
    for i in range(3):
        client.put_object(Bucket=name, Key=f"t/part-{i}.csv", Body=f"{i},row {i}\n".encode())
    return name


def test_new_keys_build_a_new_s3_file_system(moto_endpoint, bucket):
    issued = []

    def access() -> S3Access:
        # a new session token every time it is asked, as an STS session renewed each time
        issued.append(len(issued))
        return S3Access("us-east-1", moto_endpoint, access_key="AKIDTEST", secret_key="secret",
                        session_token=f"token-{len(issued)}")

    fs = FileSystems(access).s3(bucket)
    assert isinstance(fs, pafs.PyFileSystem)
    handler = fs.handler
    names = sorted(info.path for info in fs.get_file_info(pafs.FileSelector(f"{bucket}/t")))
    assert names == [f"{bucket}/t/part-{i}.csv" for i in range(3)]
    for i, name in enumerate(names):
        with fs.open_input_stream(name) as stream:
            assert stream.read() == f"{i},row {i}\n".encode()
    with fs.open_output_stream(f"{bucket}/out/x.txt") as stream:
        stream.write(b"written")
    with fs.open_input_file(f"{bucket}/out/x.txt") as stream:
        assert stream.read() == b"written"
    assert handler.builds == len(issued) - 1 >= 6        # one file system per token seen


def test_unchanged_keys_keep_one_file_system(moto_endpoint, bucket):
    fs = FileSystems(lambda: S3Access("us-east-1", moto_endpoint, "AKIDTEST", "secret")).s3(bucket)
    for i in range(3):
        with fs.open_input_stream(f"{bucket}/t/part-{i}.csv") as stream:
            stream.read()
    assert fs.handler.builds == 1


def test_a_statement_reads_with_credentials_renewed_by_boto3(moto_endpoint, bucket, tmp_path, monkeypatch):
    """A profile whose credential_process hands out keys about to expire: boto3 asks again at
    every use, and each S3 request of the statement uses the keys current at that moment."""
    counter = tmp_path / "issued"
    counter.write_text("0")
    process = tmp_path / "credentials.py"
    process.write_text(f"""import datetime, json, pathlib
path = pathlib.Path({str(counter)!r})
n = int(path.read_text()) + 1
path.write_text(str(n))
expires = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(minutes=5)
print(json.dumps({{"Version": 1, "AccessKeyId": "AKIDTEST", "SecretAccessKey": "secret",
                  "SessionToken": f"token-{{n}}", "Expiration": expires.isoformat()}}))
""")
    config = tmp_path / "config"
    config.write_text(f"[profile renewing]\nregion = us-east-1\ncredential_process = {sys.executable} {process}\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.delenv(name, raising=False)
    with ddbsql.connect(profile="renewing", endpoint_url=moto_endpoint, metastore=tmp_path / "m.db") as conn:
        cursor = conn.cursor()
        cursor.execute(f"""CREATE EXTERNAL TABLE t (k int, v string) ROW FORMAT DELIMITED FIELDS TERMINATED BY ','
                           LOCATION 's3://{bucket}/t/'""")
        before = int(counter.read_text())
        cursor.execute("SELECT k, v FROM t ORDER BY k")
        assert cursor.fetchall() == [(0, "row 0"), (1, "row 1"), (2, "row 2")]
        assert int(counter.read_text()) - before >= 3     # renewed while the statement ran
