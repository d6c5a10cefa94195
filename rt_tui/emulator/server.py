"""The emulator's transport: a websockets server on loopback, URL routing, auth, and dialect choice.

Routes (protocol brief §1, §2.4):
- `/v1/realtime?model=M` (OpenAI) → GA. With `OpenAI-Beta: realtime=v1` (or its browser form, the subprotocol
  `openai-beta.realtime-v1`, which Node's beta client sends): error `beta_api_shape_disabled` + close 4000 like
  api.openai.com, unless `openai_beta="serve"` (then beta).
- `/openai/v1/realtime?model=M` (Azure GA) → GA, the beta header is ignored.
- `/openai/realtime?api-version=V&deployment=D` (Azure classic) → beta for `*-preview` versions and dates
  before 2025-08-28, GA from 2025-08-28; missing api-version or deployment → HTTP 404.
- `?emulator_dialect=ga|beta` (tests) or `EmulatorOptions.dialect` force a dialect.
Auth, when an api key is configured: `Authorization: Bearer K`, `api-key: K` header, `api-key=K` query
parameter, or the browser subprotocol `openai-insecure-api-key.K`; anything else → HTTP 401.
"""

from __future__ import annotations

import asyncio
import json
import re
import ssl
from dataclasses import dataclass, replace
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qs, urlsplit

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.datastructures import Headers
from websockets.http11 import Request, Response

from .options import EmulatorOptions
from .protocol import default_voice, error_event, new_id
from .session import RealtimeSession

GA_FIRST_DATE = "2025-08-28"
DIALECT_OVERRIDE_PARAM = "emulator_dialect"
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class Route:
    dialect: str
    model: str | None
    azure: bool
    refusal: tuple[str, str, int] | None = None  # (code, message, close code) sent right after the upgrade


def dialect_for_api_version(version: str) -> str:
    if version.endswith("-preview") or (_DATE.match(version) and version[:10] < GA_FIRST_DATE):
        return "beta"
    return "ga"


def _offered_subprotocols(request: Request) -> list[str]:
    return [p.strip() for p in request.headers.get("Sec-WebSocket-Protocol", "").split(",")]


def _http_error(status: HTTPStatus, code: str, message: str) -> Response:
    body = json.dumps({"error": {"code": code, "message": message}}).encode()
    headers = Headers([("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return Response(status.value, status.phrase, headers, body)


class Emulator:
    """`async with Emulator(options) as emu:` → a running server at `emu.url`."""

    def __init__(self, options: EmulatorOptions | None = None) -> None:
        self.options = options or EmulatorOptions()
        if self.options.seed is not None and self.options.faults.seed == 0:
            self.options = replace(self.options, faults=replace(self.options.faults, seed=self.options.seed))
        self.url = ""
        self.ca_file: str | None = None
        self.received: list[dict[str, Any]] = []  # client events as received
        self.sent: list[dict[str, Any]] = []  # server events as sent (wire shape of their connection)
        self.sent_by_dialect: dict[str, list[dict[str, Any]]] = {"ga": [], "beta": []}
        self.sessions: list[RealtimeSession] = []
        self._server: Server | None = None
        self._connections = 0
        self._tls: Any = None

    async def start(self) -> str:
        ssl_context: ssl.SSLContext | None = None
        if self.options.tls:
            from .tls import make_server_tls

            self._tls = make_server_tls()
            ssl_context, self.ca_file = self._tls.context, self._tls.ca_file
        self._server = await serve(
            self._handle, self.options.host, self.options.port, ssl=ssl_context,
            process_request=self._process_request, select_subprotocol=self._select_subprotocol,
            subprotocols=["realtime"], max_size=None, compression=None,
            ping_interval=self.options.ping_interval_s, ping_timeout=self.options.ping_interval_s,
        )
        port = self._server.sockets[0].getsockname()[1]
        scheme = "wss" if self.options.tls else "ws"
        self.url = f"{scheme}://{self.options.host}:{port}"
        return self.url

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        if self._tls is not None:
            self._tls.cleanup()
            self._tls = None

    async def __aenter__(self) -> Emulator:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # --- handshake ----------------------------------------------------------------------------------

    @staticmethod
    def _select_subprotocol(connection: ServerConnection, offered: Any) -> str | None:
        return "realtime" if "realtime" in offered else None

    def _authorized(self, request: Request, query: dict[str, list[str]]) -> bool:
        key = self.options.api_key
        if not key:
            return True
        headers = request.headers
        offered = _offered_subprotocols(request)
        return (headers.get("Authorization") == f"Bearer {key}" or headers.get("api-key") == key
                or key in query.get("api-key", []) or f"openai-insecure-api-key.{key}" in offered)

    def _route(self, request: Request) -> Route | Response:
        url = urlsplit(request.path)
        query = parse_qs(url.query)
        path = url.path.rstrip("/")
        first = {k: v[0] for k, v in query.items()}
        if path == "/v1/realtime":
            beta_header = ("realtime=v1" in request.headers.get("OpenAI-Beta", "")
                           or "openai-beta.realtime-v1" in _offered_subprotocols(request))
            refusal = None
            if beta_header and self.options.openai_beta == "reject":
                refusal = ("beta_api_shape_disabled", "The beta Realtime API shape is disabled; remove the "
                           "'OpenAI-Beta: realtime=v1' header to use the GA API.", 4000)
            route = Route("beta" if beta_header and not refusal else "ga", first.get("model"), False, refusal)
        elif path == "/openai/v1/realtime":
            route = Route("ga", first.get("model"), True)
        elif path == "/openai/realtime":
            if not first.get("api-version") or not first.get("deployment"):
                return _http_error(HTTPStatus.NOT_FOUND, "404", "Resource not found")
            route = Route(dialect_for_api_version(first["api-version"]), first["deployment"], True)
        else:
            return _http_error(HTTPStatus.NOT_FOUND, "404", "Resource not found")
        if not self._authorized(request, query):
            return _http_error(HTTPStatus.UNAUTHORIZED, "401", "Access denied due to invalid subscription key or "
                               "wrong API endpoint. Make sure to provide a valid key for an active subscription "
                               "and use a correct regional API endpoint for your resource.")
        if route.model is None and route.refusal is None:
            route = Route(route.dialect, None, route.azure, ("missing_model", "You must provide a model parameter.", 4000))
        forced = first.get(DIALECT_OVERRIDE_PARAM) or (self.options.dialect if self.options.dialect != "auto" else None)
        if forced in ("ga", "beta") and (route.refusal is None or route.refusal[0] == "beta_api_shape_disabled"):
            route = Route(forced, route.model or "gpt-realtime", route.azure)
        return route

    def _process_request(self, connection: ServerConnection, request: Request) -> Response | None:
        route = self._route(request)
        if isinstance(route, Response):
            return route
        connection.emulator_route = route  # type: ignore[attr-defined]
        return None

    # --- connections --------------------------------------------------------------------------------

    def _record(self, direction: str, event: dict[str, Any], dialect: str = "ga") -> None:
        if not self.options.record_events:
            return
        if direction == "client":
            self.received.append(event)
        else:
            self.sent.append(event)
            self.sent_by_dialect[dialect].append(event)

    async def _handle(self, ws: ServerConnection) -> None:
        route: Route = ws.emulator_route  # type: ignore[attr-defined]
        if route.refusal is not None:
            code, message, close_code = route.refusal
            event = error_event(code, message)
            event["event_id"] = new_id("event_")
            self._record("server", event)
            await ws.send(json.dumps(event))
            await ws.close(close_code, f"invalid_request_error.{code}")
            return
        model = route.model or "gpt-realtime"
        voice = default_voice(model) if route.dialect == "ga" else "alloy"
        max_s = self.options.max_session_s or (1800.0 if route.azure or route.dialect == "beta" else 3600.0)
        index = self._connections
        self._connections += 1
        session = RealtimeSession(ws, dialect=route.dialect, model=model, voice=voice, options=self.options,
                                  max_session_s=max_s, connection_index=index, record=self._record)
        if self.options.record_events:  # a closed session still holds its conversation's audio
            self.sessions.append(session)
        await session.run()


class EmulatorThread:
    """The emulator on its own event loop in a daemon thread (for the TUI's embedded emulator)."""

    def __init__(self, options: EmulatorOptions | None = None) -> None:
        # never records events (`received`/`sent` stay empty): the embedded emulator may run for hours
        self.emulator = Emulator(replace(options or EmulatorOptions(), record_events=False))
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: Any = None

    @property
    def url(self) -> str:
        return self.emulator.url

    def start(self, timeout: float = 10.0) -> str:
        import threading

        ready = threading.Event()
        failure: list[BaseException] = []

        def main() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            asyncio.set_event_loop(loop)
            try:
                loop.run_until_complete(self.emulator.start())
            except BaseException as exc:  # reported to the starting thread
                failure.append(exc)
                ready.set()
                return
            ready.set()
            loop.run_forever()
            loop.run_until_complete(self.emulator.stop())
            loop.close()

        self._thread = threading.Thread(target=main, name="rt-tui-emulator", daemon=True)
        self._thread.start()
        if not ready.wait(timeout):
            raise TimeoutError("the emulator did not start in time")
        if failure:
            raise failure[0]
        return self.url

    def stop(self, timeout: float = 5.0) -> None:
        if self._loop is not None and self._thread is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout)
            self._thread = None
