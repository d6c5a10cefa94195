"""The sentences a user reads when connecting fails (pure functions; the live cases are in test_connection_failures)."""

from __future__ import annotations

import socket

from rt_tui.config import Target
from rt_tui.core.connect_errors import RECONNECTABLE_CLOSE_CODES, describe_close, describe_connect_error

AZURE = Target("azure", "https://my-res.openai.azure.com", "gpt-realtime", route="classic", dialect="beta",
               auth="entra", api_version="2025-04-01-preview")


def test_dns_failure_names_the_host():
    message = describe_connect_error(socket.gaierror(-2, "Name or service not known"), AZURE)
    assert message.startswith("Cannot resolve host my-res.openai.azure.com: Name or service not known")


def test_http_refusals_carry_the_servers_message_and_the_fix():
    from websockets.datastructures import Headers
    from websockets.exceptions import InvalidStatus
    from websockets.http11 import Response

    def refusal(status: int, body: bytes) -> InvalidStatus:
        return InvalidStatus(Response(status, "", Headers(), body))

    forbidden = describe_connect_error(refusal(403, b'{"error": {"code": "PermissionDenied", "message": '
                                                    b'"Principal does not have access."}}'), AZURE)
    assert "HTTP 403 Forbidden from my-res.openai.azure.com: Principal does not have access." in forbidden
    assert "Cognitive Services OpenAI User" in forbidden
    missing = describe_connect_error(refusal(404, b'{"error": {"code": "DeploymentNotFound", "message": '
                                                  b'"The API deployment for this resource does not exist."}}'), AZURE)
    assert "does not exist" in missing and "AZURE_OPENAI_DEPLOYMENT_NAME" in missing and "OPENAI_API_VERSION" in missing
    plain = describe_connect_error(refusal(502, b"Bad gateway\nmore"), AZURE)
    assert plain == "HTTP 502 from my-res.openai.azure.com: Bad gateway."


def test_close_descriptions():
    error = {"type": "invalid_request_error", "code": "invalid_api_key", "message": "Incorrect API key provided."}
    assert describe_close(3000, "invalid_request_error.invalid_api_key", error) == (
        "Server closed the session (invalid_api_key): Incorrect API key provided. [close 3000]")
    assert describe_close(1011, "keepalive ping timeout", None) == (
        "Server closed the connection: keepalive ping timeout [close 1011]")
    assert describe_close(1006, "", None) == "Connection lost [close 1006]"
    assert {1001, 1006, 1011} <= RECONNECTABLE_CLOSE_CODES and not {1000, 3000, 4000} & RECONNECTABLE_CLOSE_CODES
