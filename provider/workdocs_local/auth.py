"""Who is calling: SigV4 verified with botocore's own signer, or an Authentication token.

The request is rebuilt as the client signed it (raw path and query, only the signed
headers, the exact body bytes, the client's timestamp) and botocore's SigV4Auth computes
the signature; ``add_auth`` is never called because it would stamp the current time.
"""

from __future__ import annotations

import datetime as dt
import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from workdocs_local.errors import WorkDocsError

DEFAULT_ACCESS_KEYS = {"test": "test"}
SERVICE = "workdocs"
MAX_CLOCK_SKEW = dt.timedelta(minutes=15)
_AUTH_RE = re.compile(
    r"AWS4-HMAC-SHA256\s+Credential=(?P<credential>[^,\s]+),\s*"
    r"SignedHeaders=(?P<signed>[^,\s]+),\s*Signature=(?P<signature>[0-9a-f]+)"
)


@dataclass(frozen=True)
class SignedRequest:
    """What SigV4 covers, taken from the wire as it arrived."""

    method: str
    host: str
    raw_uri: str  # path and query string exactly as sent
    headers: Mapping[str, str]
    body: bytes


def load_access_keys(pairs: list[str], files: list[Path]) -> dict[str, str]:
    """The default ``test``/``test`` pair plus ``ACCESS_KEY:SECRET`` pairs from flags or files."""
    keys = dict(DEFAULT_ACCESS_KEYS)
    lines = list(pairs)
    for path in files:
        lines += [ln.strip() for ln in path.read_text().splitlines()]
    for line in lines:
        if not line or line.startswith("#"):
            continue
        access_key, sep, secret = line.partition(":")
        if not sep or not access_key or not secret:
            raise ValueError("access keys are written ACCESS_KEY:SECRET (one per line in a file)")
        keys[access_key.strip()] = secret.strip()
    return keys


def verify_sigv4(request: SignedRequest, access_keys: Mapping[str, str]) -> str:
    """Return the caller's access key, or raise the error AWS would send."""
    authorization = request.headers.get("Authorization", "")
    match = _AUTH_RE.fullmatch(authorization.strip())
    if not match:
        raise WorkDocsError(
            "IncompleteSignatureException",
            "Authorization header requires AWS4-HMAC-SHA256 Credential, SignedHeaders and Signature",
        )
    scope = match["credential"].split("/")
    if len(scope) != 5 or scope[4] != "aws4_request":
        raise WorkDocsError("IncompleteSignatureException", "Credential scope is malformed")
    access_key, date, region, service, _ = scope
    secret = access_keys.get(access_key)
    if secret is None:
        raise WorkDocsError("UnrecognizedClientException", "The security token included in the request is invalid.")
    if service != SERVICE:
        raise WorkDocsError(
            "InvalidSignatureException",
            f"Credential should be scoped to correct service: '{SERVICE}'.",
        )
    amz_date = request.headers.get("X-Amz-Date", "")
    try:
        signed_at = dt.datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ").replace(tzinfo=dt.UTC)
    except ValueError:
        raise WorkDocsError("IncompleteSignatureException", "X-Amz-Date is missing or malformed") from None
    if not amz_date.startswith(date):
        raise WorkDocsError("InvalidSignatureException", "Credential date does not match X-Amz-Date.")
    if abs(dt.datetime.now(dt.UTC) - signed_at) > MAX_CLOCK_SKEW:
        raise WorkDocsError("InvalidSignatureException", "Signature expired: request time too skewed.")

    signed_names = match["signed"].split(";")
    lower = {k.lower(): v for k, v in request.headers.items()}
    headers = {name: lower.get(name, "") for name in signed_names}
    headers.setdefault("host", request.host)
    aws_request = AWSRequest(
        method=request.method,
        url=f"http://{request.host}{request.raw_uri}",
        headers=headers,
        data=request.body,
    )
    aws_request.context["timestamp"] = amz_date
    signer = SigV4Auth(Credentials(access_key, secret), service, region)
    canonical = signer.canonical_request(aws_request)
    expected = signer.signature(signer.string_to_sign(aws_request, canonical), aws_request)
    if not hmac.compare_digest(expected, match["signature"]):
        raise WorkDocsError(
            "InvalidSignatureException",
            "The request signature we calculated does not match the signature you provided.",
        )
    return access_key
