"""The S3 server the s3:// backend tests use: it starts on loopback, holds objects, and stops by its PID."""

from __future__ import annotations

import socket

import boto3
import pytest
from botocore.exceptions import ClientError

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


def test_with_checked_credentials_only_its_own_key_is_taken() -> None:
    with S3Server(bucket="checked", check_credentials=True) as server:
        assert server.access_key is not None
        server.client().put_object(Bucket="checked", Key="k", Body=b"1")  # its IAM user's key
        key_id = server.access_key[0]
        other = boto3.client("s3", endpoint_url=server.endpoint, region_name="us-east-1",
                             aws_access_key_id=key_id, aws_secret_access_key="not-the-secret")  # fmt: skip
        with pytest.raises(ClientError, match="SignatureDoesNotMatch"):
            other.get_object(Bucket="checked", Key="k")
