"""The S3 server the s3:// backend tests use: it starts on loopback, holds objects, and stops by its PID."""

from __future__ import annotations

import socket

from tests.s3_server import S3Server


def test_the_s3_server_serves_the_bucket_and_stops() -> None:
    with S3Server(bucket="probe") as server:
        assert server.url().startswith(f"s3://probe?endpoint=http://127.0.0.1:{server.port}&")
        server.client().put_object(Bucket="probe", Key="a/b.json", Body=b"{}")
        assert server.object_keys() == ["a/b.json"]
        process = server.process
        assert process is not None
    assert process.poll() is not None  # stopped
    with socket.socket() as sock:
        assert sock.connect_ex(("127.0.0.1", server.port)) != 0  # nothing listens any more
