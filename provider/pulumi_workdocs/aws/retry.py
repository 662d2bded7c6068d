"""Retries that last a whole run: per-call backoff with full jitter, bounded by time, no shared quota.

botocore's standard and adaptive modes keep one retry quota per client (500 tokens); the
provider shares one client across every user, so under a high error rate the quota empties
and every later call fails at once. This module replaces only botocore's retry decision on
one client: botocore still runs the loop (re-signing each attempt), its checkers still say
which errors are retryable and which are throttling, and with ``adaptive`` its client-side
rate limiter (``botocore.retries.adaptive``, registered by the client itself) still slows the
whole client down after throttling. What is ours: no quota, a deadline per call
(``workdocs:callTimeout``), an attempt limit only when ``workdocs:maxAttempts`` is set, and
a note in the final response saying whether an earlier attempt may have been carried out.

Two more things are ours. Until the endpoint has answered the client once, a call that
cannot connect at all (``errors.unreachable``: DNS, refused, connect timeout) gets only a
few quick attempts, then ``EndpointUnreachable`` names the endpoint, where it came from and
how to change it: a wrong or dead endpoint is one line in seconds, not five silent minutes.
After the first answer, the same errors are a flaky service and keep every retry. And a
long wait is announced on stderr (operation, error code, attempt, next wait; never a value).
"""

from __future__ import annotations

import random
import sys
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from botocore.exceptions import HTTPClientError
from botocore.retries import standard

from pulumi_workdocs.aws.errors import RETRY_NOTE, unreachable
from pulumi_workdocs.aws.progress import retry_line
from pulumi_workdocs.errors import EndpointUnreachable
from pulumi_workdocs.handoff import without_credentials

if TYPE_CHECKING:
    from mypy_boto3_workdocs import WorkDocsClient

# Our key in botocore's per-call request context (the response's is errors.RETRY_NOTE).
_CONTEXT_KEY = "workdocs_retry"
# Codes some services use for throttling that botocore's list lacks; a 429 is throttling too.
_EXTRA_THROTTLING_CODES = frozenset({"TooManyRequests"})
_MAX_EXPONENT = 30  # 2**30 * any base is far past any cap: keeps the float finite
# How to point workdocs-users, a Pulumi program or the plugin at another endpoint.
ENDPOINT_HINT = (
    "check it, or set another with --endpoint URL, $AWS_ENDPOINT_URL_WORKDOCS"
    " or `pulumi config set workdocs:endpoint URL`"
)


@dataclass(frozen=True)
class RetryPolicy:
    """How long one call may keep retrying, and how long each wait may be."""

    call_timeout: float = 300.0  # seconds from a call's start; no retry starts after it
    max_attempts: int | None = None  # total attempts (the first included); None: time-bound only
    base_delay: float = 0.05  # first backoff bound for a transient error (botocore's standard value)
    throttling_base_delay: float = 1.0  # first backoff bound after throttling (botocore's standard value)
    max_delay: float = 20.0  # no single wait is longer (botocore's cap)
    # Before the endpoint first answers the client: attempts at a call that cannot connect, and
    # no such retry starts later than first_contact_window seconds after the call's start.
    first_contact_attempts: int = 3
    first_contact_window: float = 5.0
    announce_wait: float = 2.0  # a wait this long gets a line on stderr...
    announce_quiet: float = 10.0  # ...and so does a call retrying this long since its last line

    def delay(self, attempt: int, throttled: bool) -> float:
        """Full jitter: uniform in [0, min(max_delay, base * 2**(attempt-1))]."""
        base = self.throttling_base_delay if throttled else self.base_delay
        return random.uniform(0.0, min(self.max_delay, base * 2 ** min(attempt - 1, _MAX_EXPONENT)))


class DurableRetries:
    """botocore ``needs-retry`` handler with ``policy``; one per client. Its only state between
    calls: whether the endpoint (``url``, named with ``source``) has answered the client yet."""

    def __init__(self, policy: RetryPolicy, url: str = "", source: str = "") -> None:
        self.policy = policy
        self.url = url
        self.source = source
        self.answered = False  # any HTTP response at all, an error included
        self._adapter = standard.RetryEventAdapter()
        self._throttling = standard.ThrottlingErrorDetector(self._adapter)
        self._transient = standard.OrRetryChecker(
            [standard.TransientRetryableChecker(), standard.ModeledRetryableChecker()]
        )

    def on_call_start(self, context: dict[str, Any], **_: Any) -> None:
        """``before-call``: the clock of ``call_timeout`` starts here, once per API call."""
        now = time.monotonic()
        context[_CONTEXT_KEY] = {"started": now, "ambiguous": False, "announced": now}

    def needs_retry(self, **kwargs: Any) -> float | None:
        """The delay before the next attempt, or None to end the call with this attempt's result.

        Raises EndpointUnreachable instead when the endpoint has never answered and connecting
        keeps failing (no chained exception: botocore calls this outside its ``except``)."""
        context = self._adapter.create_retry_context(**kwargs)
        now = time.monotonic()
        state = context.request_context.setdefault(_CONTEXT_KEY, {"started": now, "ambiguous": False, "announced": now})
        if context.http_response is not None:
            self.answered = True
        never_answered = None if self.answered else unreachable(context.caught_exception)
        throttled = self._is_throttling(context)
        reason = self._stop_reason(context, throttled)
        if reason is None:
            delay = self.policy.delay(context.attempt_number, throttled)
            if never_answered and not self._first_contact_left(context.attempt_number, now + delay - state["started"]):
                raise self._unreachable(never_answered)
            if now + delay - state["started"] < self.policy.call_timeout:
                if not throttled and self._maybe_carried_out(context):
                    state["ambiguous"] = True
                self._announce(context, state, now, delay)
                return delay
            reason = f"workdocs:callTimeout {self.policy.call_timeout:g} s reached"
        if never_answered and reason != "not retryable":
            raise self._unreachable(never_answered)
        retryable = reason != "not retryable"
        context.add_retry_metadata(
            **{
                RETRY_NOTE: {
                    "Attempts": context.attempt_number,
                    "EarlierAttemptMayHaveSucceeded": state["ambiguous"],
                    "GaveUp": reason if retryable else None,
                }
            }
        )
        self._adapter.adapt_retry_response_from_context(context)
        return None

    def _first_contact_left(self, attempt: int, elapsed_after_wait: float) -> bool:
        """Whether a call that never reached the endpoint may try once more."""
        return attempt < self.policy.first_contact_attempts and elapsed_after_wait < self.policy.first_contact_window

    def _unreachable(self, why: str) -> EndpointUnreachable:
        where = f"{self.url} ({self.source})" if self.source else self.url
        return EndpointUnreachable(f"cannot reach WorkDocs at {where}: {why}; {ENDPOINT_HINT}")

    def _announce(self, context: standard.RetryContext, state: dict[str, Any], now: float, delay: float) -> None:
        """One stderr line for a long wait, or for a call that has retried quietly for long."""
        if delay < self.policy.announce_wait and now - state["announced"] < self.policy.announce_quiet:
            return
        state["announced"] = now
        if context.get_error_code():
            what = context.get_error_code()
        elif context.caught_exception is not None:
            what = type(context.caught_exception).__name__
        else:
            what = f"HTTP {context.http_response.status_code if context.http_response is not None else '?'}"
        operation = getattr(context.operation_model, "name", "call")
        print(retry_line(operation, what, context.attempt_number, delay), file=sys.stderr, flush=True)

    def _stop_reason(self, context: standard.RetryContext, throttled: bool) -> str | None:
        """None to retry; else why not (a success is "not retryable" too)."""
        if not (throttled or self._transient.is_retryable(context)):
            return "not retryable"
        limit = self.policy.max_attempts
        if limit is not None and context.attempt_number >= limit:
            return f"workdocs:maxAttempts {limit} reached"
        return None

    def _is_throttling(self, context: standard.RetryContext) -> bool:
        if self._throttling.is_throttling_error_from_context(context):
            return True
        if context.get_error_code() in _EXTRA_THROTTLING_CODES:
            return True
        return context.http_response is not None and context.http_response.status_code == 429

    @staticmethod
    def _maybe_carried_out(context: standard.RetryContext) -> bool:
        """The request may have reached the service and been carried out: the connection broke
        after it was sent (not a refused connection), or the service failed with a 5xx other
        than 503 (which says the request was not handled)."""
        if context.caught_exception is not None:
            return isinstance(context.caught_exception, HTTPClientError)
        status = context.http_response.status_code if context.http_response is not None else 0
        return status >= 500 and status != 503


def install(client: WorkDocsClient, policy: RetryPolicy, source: str = "") -> DurableRetries:
    """Replace botocore's retry decision on ``client`` (built in standard or adaptive mode).

    ``source`` says where the client's endpoint came from (flag, variable, stack config, AWS's
    default), for the one line of an endpoint that never answers."""
    events = client.meta.events
    service = client.meta.service_model.service_id.hyphenize()
    # The standard handler (with its quota) is registered under this id in both modes.
    events.unregister(f"needs-retry.{service}", unique_id=f"retry-config-{service}")
    retries = DurableRetries(policy, without_credentials(client.meta.endpoint_url), source)
    events.register(f"before-call.{service}", retries.on_call_start, unique_id=f"workdocs-call-start-{service}")
    events.register(f"needs-retry.{service}", retries.needs_retry, unique_id=f"workdocs-retry-{service}")
    return retries
