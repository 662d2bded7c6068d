"""A state backend that cannot be read is one line: its URL (no user:password) and the engine's cause,
without the SDK's request ids, retry counts or any key from the environment."""

from __future__ import annotations

from pathlib import Path

import pytest

from pulumi_workdocs.engine.state import backend_reason, shown_url

PREFIX = "error: blob (code=Unknown): operation error S3: ListObjectsV2, https response error StatusCode: 403, "


@pytest.mark.parametrize(
    ("said", "reason"),
    [
        ('error: read ".pulumi/meta.yaml": blob (key ".pulumi/meta.yaml") (code=Unknown): operation error S3: '
         "GetObject, exceeded maximum number of attempts, 3, https response error StatusCode: 0, RequestID: , "
         'HostID: , request send failed, Get "http://127.0.0.1:1/b/.pulumi/meta.yaml?x-id=GetObject": '
         "dial tcp 127.0.0.1:1: connect: connection refused",
         "dial tcp 127.0.0.1:1: connect: connection refused"),
        ("error: error listing stacks: could not list bucket: blob (code=NotFound): operation error S3: "
         "ListObjectsV2, https response error StatusCode: 404, RequestID: 3VGE, HostID: 9Gjj+/ILVxhAGI0qyPfg=, "
         "NoSuchBucket: The specified bucket does not exist",
         "NoSuchBucket: The specified bucket does not exist"),
        (PREFIX + "RequestID: R, HostID: H, api error InvalidAccessKeyId: The AWS Access Key Id you provided does "
         "not exist in our records.",
         "InvalidAccessKeyId: The AWS Access Key Id you provided does not exist in our records."),
        ('error: open bucket s3://b?x=1: unknown query parameter "x"',
         'open bucket s3://b?x=1: unknown query parameter "x"'),
        ("code: 255\nstdout: \nstderr: nothing like an error line\n", "nothing like an error line"),
    ],
)  # fmt: skip
def test_the_cause_is_the_engine_error_without_sdk_noise(said: str, reason: str) -> None:
    assert backend_reason(said) == reason


def test_a_key_from_the_environment_is_never_shown(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "s3cr3t-Key-value")
    assert backend_reason("error: signature of s3cr3t-Key-value refused") == "signature of *** refused"


def test_the_url_is_shown_without_a_user_or_password(tmp_path: Path) -> None:
    assert shown_url("s3://user:pw@bucket/team?endpoint=http://h:9") == "s3://****:****@bucket/team?endpoint=http://h:9"
    assert shown_url("s3://bucket?region=us-east-1") == "s3://bucket?region=us-east-1"
    # ... nor one in its endpoint, and a port no URL parser takes is shown, not a crash
    assert (
        shown_url("s3://b?endpoint=http://key:secret@h:9&region=r") == "s3://b?endpoint=http://****:****@h:9&region=r"
    )
    assert shown_url("s3://b:99999999?region=r") == "s3://b:99999999?region=r"
    assert shown_url(str(tmp_path / "state")) == (tmp_path / "state").as_uri()
    assert not (tmp_path / "state").exists()  # shown, never made
