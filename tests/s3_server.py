"""A real S3-compatible server for ``s3://`` state: moto's server, on 127.0.0.1, on a free port.

Tests start it with ``S3Server()`` (a context manager) and it is stopped by its PID when they
are done. ``python -m tests.s3_server`` (``make s3-server``) serves one until Ctrl-C, for trying
the ``s3://`` backend by hand.

The state URL Pulumi CLI v3.274.1 takes (gocloud.dev's s3blob with the AWS SDK v2), see docs/teams.md:
``s3://BUCKET[/PREFIX]?endpoint=http://127.0.0.1:PORT&region=us-east-1&use_path_style=true
&response_checksum_validation=when_required``. The last one is for moto, which sends no response
checksums: without it the SDK prints a warning on every read.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from types import TracebackType
from typing import Any

import boto3

REGION = "us-east-1"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# The requests moto serves before it checks credentials: CreateBucket, CreateUser, PutUserPolicy,
# CreateAccessKey (its INITIAL_NO_AUTH_ACTION_COUNT; by default it never checks them).
SETUP_ACTIONS = 4


class S3Server:
    """moto's S3 server in a child process; ``bucket`` is created on start.

    With ``check_credentials``, moto checks every later request's signature against an IAM user
    made on start, whose key is ``access_key`` (id, secret): any other key is refused.
    """

    def __init__(
        self, bucket: str = "workdocs-state", port: int | None = None, check_credentials: bool = False
    ) -> None:
        self.bucket = bucket
        self.port = port or free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.check_credentials = check_credentials
        self.access_key: tuple[str, str] | None = None
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> S3Server:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env={
                **os.environ,
                "MOTO_ALLOW_NONEXISTENT_REGION": "true",
                **({"INITIAL_NO_AUTH_ACTION_COUNT": str(SETUP_ACTIONS)} if self.check_credentials else {}),
            },
        )
        deadline = time.monotonic() + 60
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"moto's S3 server exited with {self.process.returncode} before answering")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(f"moto's S3 server did not listen on {self.endpoint} within 60 s") from None
                time.sleep(0.1)
        try:
            self.client().create_bucket(Bucket=self.bucket)
            if self.check_credentials:
                self.access_key = self._make_user()
        except BaseException:
            self.stop()
            raise
        return self

    def _make_user(self) -> tuple[str, str]:
        """An IAM user allowed everything, and its key: the only credentials moto takes from now on."""
        iam = boto3.client("iam", **self._client_args())
        iam.create_user(UserName="state")
        allow = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
        iam.put_user_policy(UserName="state", PolicyName="state", PolicyDocument=json.dumps(allow))
        key = iam.create_access_key(UserName="state")["AccessKey"]
        return str(key["AccessKeyId"]), str(key["SecretAccessKey"])

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.kill(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.process = None

    def __enter__(self) -> S3Server:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.stop()

    def url(self, prefix: str = "") -> str:
        """The Pulumi state URL of ``bucket`` (under ``prefix``, if any) on this server."""
        path = f"/{prefix.strip('/')}" if prefix else ""
        query = (
            f"endpoint={self.endpoint}&region={REGION}&use_path_style=true&response_checksum_validation=when_required"
        )
        return f"s3://{self.bucket}{path}?{query}"

    def client(self) -> Any:
        """A boto3 S3 client on this server (with the IAM user's key when credentials are checked)."""
        return boto3.client("s3", **self._client_args())

    def _client_args(self) -> dict[str, str]:
        key_id, secret = self.access_key or (
            os.environ.get("AWS_ACCESS_KEY_ID", "testing"),
            os.environ.get("AWS_SECRET_ACCESS_KEY", "testing"),
        )
        return {"endpoint_url": self.endpoint, "region_name": REGION, "aws_access_key_id": key_id,
                "aws_secret_access_key": secret}  # fmt: skip

    def object_keys(self) -> list[str]:
        """Every object key in the bucket."""
        pages = self.client().get_paginator("list_objects_v2").paginate(Bucket=self.bucket)
        return [item["Key"] for page in pages for item in page.get("Contents", [])]


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main() -> None:
    # A `kill PID` (SIGTERM) or Ctrl-C stops the server too: a shell's background job ignores SIGINT.
    signal.signal(signal.SIGTERM, _interrupt)
    port = int(sys.argv[1]) if len(sys.argv) > 1 else None
    with S3Server(port=port) as server:
        print(f"S3 server (moto) on {server.endpoint}, bucket {server.bucket}", flush=True)
        print(f"PULUMI_BACKEND_URL='{server.url()}'", flush=True)
        try:
            while server.process is not None and server.process.poll() is None:
                time.sleep(1)
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
