"""Loopback Kafka protocol adapter with fault injection (the code behind scripts/kafka-adapter).

Why it exists: Debian's librdkafka 2.0.2 cannot parse the tagged fields Tansu sends at the
end of its ApiVersions v3 response (PLATFORM-NOTES.md). The adapter passes every byte
through unchanged except that one section, which it empties, and the member id in a group
leader's LeaveGroup, which it makes unknown to work around a Tansu 0.6.0 group coordinator
bug (batonstack/leavegroup.py; `--leave-group pass` turns that off). Because all test
traffic to the broker flows through it, it is also where chaos tests cut, slow down or
freeze the network; see CONTROL_HELP.
"""

import argparse
import asyncio
import ipaddress
import itertools
import json
import logging
import os
import signal
import socket
import struct
import sys

from . import grouptrace, leavegroup, wire

log = logging.getLogger("kafka-adapter")

CHUNK = 64 * 1024
# Chunks held per direction before the adapter stops reading (backpressure). Bounds memory
# while frozen or delayed: at most QUEUE_CHUNKS * CHUNK bytes per direction.
QUEUE_CHUNKS = 32
BROKER_CONNECT_TIMEOUT = 5.0
# An ApiVersions response is well under a kilobyte; anything this big with a remembered
# correlation id is not one, so it streams through instead of being buffered for rewriting.
MAX_REWRITE_FRAME = 1 << 20

CONTROL_HELP = """\
control endpoint (HTTP on --control, JSON in and out):
  GET  /status   {"connections", "latencyMs", "frozen", "refusing", "rewrites", "leaveGroup",
                  "leavesDeferred", ...}
  POST /drop     close every current client and broker connection now -> {"dropped": n}
  POST /faults   body with any of:
                   "latencyMs": int  delay added to every chunk, in each direction
                   "freeze": bool    hold all bytes (sockets stay open) until false
                   "refuse": bool    reset new client connections right after accept
                 -> status
  POST /reset    all faults off -> status
"""


# --- Stream scanning ------------------------------------------------------------------------


class RequestScanner:
    """Follows the client->broker byte stream frame by frame without changing or holding it.

    It only reads each request's header, to remember which correlation ids belong to
    ApiVersions requests of version >= 3 (their responses get rewritten).
    """

    def __init__(self, pending: "dict[int, int]"):
        self.pending = pending  # correlation id -> api_version, shared with the rewriter
        self._head = bytearray()  # frame length + request header, while incomplete
        self._skip = 0  # payload bytes of the current frame still to pass by
        self.lost = False  # stream is not Kafka framing; stop interpreting it

    def feed(self, data: bytes) -> None:
        pos = 0
        while pos < len(data) and not self.lost:
            if self._skip:
                step = min(self._skip, len(data) - pos)
                self._skip -= step
                pos += step
                continue
            pos = self._fill_head(data, pos)

    def _fill_head(self, data: bytes, pos: int) -> int:
        want = 4 if len(self._head) < 4 else 4 + min(wire.REQUEST_HEADER.size, self._length())
        take = data[pos : pos + want - len(self._head)]
        self._head += take
        pos += len(take)
        if len(self._head) == 4:
            length = self._length()
            if length < 0 or length > wire.MAX_FRAME:
                log.warning("request stream has a frame length of %d; passing it through blindly", length)
                self.lost = True
            elif length == 0:
                self._head.clear()
        elif len(self._head) == want:
            self._finish_header()
        return pos

    def _length(self) -> int:
        return struct.unpack_from(">i", self._head)[0]

    def _finish_header(self) -> None:
        length = self._length()
        header = bytes(self._head[4:])
        self._head.clear()
        self._skip = length - len(header)
        if len(header) < wire.REQUEST_HEADER.size:
            return
        api_key, api_version, correlation_id = wire.request_header(header)
        if api_key == wire.API_VERSIONS and api_version >= wire.FIRST_FLEXIBLE_API_VERSIONS:
            self.pending[correlation_id] = api_version


class ResponseRewriter(wire.FrameRewriter):
    """Passes the broker->client byte stream through, rewriting ApiVersions v3+ responses.

    Bytes of ordinary frames are released as soon as the frame's correlation id is known
    (8 bytes in); only a response to a remembered ApiVersions request is held until complete.
    """

    def __init__(self, pending: "dict[int, int]", on_rewrite=None):
        super().__init__()
        self.pending = pending
        self.on_rewrite = on_rewrite or (lambda correlation_id, version, before, after: None)

    def _read_head(self, data: bytes, pos: int, out: bytearray) -> int:
        if len(self._head) < 4:
            want = 4
        else:  # never take bytes past the end of a (malformed) frame shorter than 4
            want = 4 + min(4, struct.unpack_from(">i", self._head)[0])
        take = data[pos : pos + want - len(self._head)]
        self._head += take
        pos += len(take)
        if len(self._head) < 4:
            return pos
        length = struct.unpack_from(">i", self._head)[0]
        if length < 0 or length > wire.MAX_FRAME:
            log.warning("response stream has a frame length of %d; passing it through blindly", length)
            self.lost = True
            self._pass_head(out)
        elif len(self._head) == 4 + min(4, length):
            self._route_frame(length, out)
        return pos

    def _route_frame(self, length: int, out: bytearray) -> None:
        """Decides, with length and correlation id known, whether to hold or stream the frame."""
        if len(self._head) == 8:
            correlation_id = struct.unpack_from(">i", self._head, 4)[0]
            if correlation_id in self.pending and length <= MAX_REWRITE_FRAME:
                self._hold_frame(length, out)
                return
        self._stream_frame(length, out)

    def _release(self, held: bytes) -> bytes:
        payload = held[4:]
        correlation_id = wire.response_correlation_id(payload)
        version = self.pending.pop(correlation_id)
        try:
            rewritten = wire.strip_api_versions_tags(payload)
        except wire.WireError as err:
            # E.g. the v0-shaped error answer to a version the broker does not support:
            # not ours to fix, so it passes unchanged.
            log.info("ApiVersions v%d response (correlation id %d) left unchanged: %s", version, correlation_id, err)
            return held
        self.on_rewrite(correlation_id, version, len(payload), len(rewritten))
        return wire.frame(rewritten)


# --- Faults -----------------------------------------------------------------------------------


class Faults:
    """The fault switches the control endpoint flips; read by every pipe on every chunk."""

    def __init__(self):
        self.latency_ms = 0
        self.refusing = False
        self.thawed = asyncio.Event()  # set = bytes flow; cleared while frozen
        self.thawed.set()

    @property
    def frozen(self) -> bool:
        return not self.thawed.is_set()

    def apply(self, changes: dict) -> None:
        """Validates everything first so a bad request changes nothing."""
        allowed = {"latencyMs": int, "freeze": bool, "refuse": bool}
        for key, value in changes.items():
            if key not in allowed:
                raise ValueError(f"unknown fault {key!r}; known: {', '.join(allowed)}")
            # bool is an int in Python; do not let {"latencyMs": true} through.
            if type(value) is not allowed[key]:
                kind = "an integer" if allowed[key] is int else "true or false"
                raise ValueError(f"fault {key!r} needs {kind}, got {json.dumps(value)}")
            if key == "latencyMs" and value < 0:
                raise ValueError("latencyMs must be >= 0")
        if "latencyMs" in changes:
            self.latency_ms = changes["latencyMs"]
        if "refuse" in changes:
            self.refusing = changes["refuse"]
        if "freeze" in changes:
            (self.thawed.clear if changes["freeze"] else self.thawed.set)()

    def reset(self) -> None:
        self.apply({"latencyMs": 0, "freeze": False, "refuse": False})


# --- Connections ------------------------------------------------------------------------------


class Link:
    """One client connection and its own connection to the broker."""

    def __init__(self, adapter: "Adapter", number: int, client_reader, client_writer):
        self.adapter = adapter
        self.number = number
        self.client_reader = client_reader
        self.client_writer = client_writer
        self.broker_writer = None
        self.peer = client_writer.get_extra_info("peername")
        self.close_reason = None
        self._tasks = []

    def abort(self, reason: str) -> None:
        """Closes both sockets at once, discarding held bytes, as a network cut would."""
        if self.close_reason is None:
            self.close_reason = reason
        for writer in (self.client_writer, self.broker_writer):
            if writer is not None:
                writer.transport.abort()
        for task in self._tasks:
            task.cancel()

    async def run(self) -> None:
        host, port = self.adapter.broker
        log.info("conn #%d open from %s:%d", self.number, *self.peer[:2])
        try:
            broker_reader, self.broker_writer = await asyncio.wait_for(
                asyncio.open_connection(host, port), BROKER_CONNECT_TIMEOUT
            )
        except (OSError, asyncio.TimeoutError) as err:
            self.abort(f"broker {host}:{port} unreachable: {err or 'timeout'}")
            return
        if self.close_reason is not None:  # dropped while we were connecting
            self.abort(self.close_reason)
            return
        pending = {}
        scanner = RequestScanner(pending)
        rewriter = ResponseRewriter(pending, self._log_rewrite)
        leaves = leavegroup.LeaveGroupRewriter(self.number, self.adapter.defer_leave_group, self.adapter.leaders)
        joins = leavegroup.JoinWatcher(self.adapter.leaders)

        def scan(data):
            joins.request(data)
            before = leaves.deferred
            data = leaves.feed(data)
            self.adapter.leaves_deferred += leaves.deferred - before
            scanner.feed(data)
            return data

        def watch_and_rewrite(data):
            joins.response(data)  # as the broker sent it, even if the client is gone by now
            return rewriter.feed(data)

        # The trace sees bytes when they are written on, i.e. after a freeze has let them go.
        trace = grouptrace.GroupTrace(self.number) if self.adapter.trace_groups else None
        self._tasks = [
            asyncio.ensure_future(self._pipe(self.client_reader, self.broker_writer, scan, trace and trace.request)),
            asyncio.ensure_future(self._pipe(broker_reader, self.client_writer, watch_and_rewrite, trace and trace.response)),
        ]
        try:
            await asyncio.gather(*self._tasks)
            self.close_reason = self.close_reason or "closed by peers"
        except asyncio.CancelledError:
            pass
        except (OSError, wire.WireError) as err:
            self.abort(f"error: {err}")
        finally:
            self.abort(self.close_reason or "closed")

    def _log_rewrite(self, correlation_id, version, before, after):
        self.adapter.rewrites += 1
        log.info(
            "conn #%d rewrote ApiVersions v%d response (correlation id %d): %d -> %d bytes, tagged section emptied",
            self.number, version, correlation_id, before, after,
        )

    async def _pipe(self, reader, writer, transform, tap=None) -> None:
        """Copies one direction: a reader task feeds a delay line that a writer task drains.

        The delay line stamps each chunk on arrival, so added latency delays bytes without
        throttling throughput, and freezing simply stops the drain.
        """
        queue = asyncio.Queue(QUEUE_CHUNKS)
        drain = asyncio.ensure_future(self._drain(queue, writer, tap))
        # A failed write must end the link now, not when this direction next reads something.
        drain.add_done_callback(self._drain_done)
        try:
            while True:
                data = await reader.read(CHUNK)
                due = asyncio.get_running_loop().time() + self.adapter.faults.latency_ms / 1000
                if not data:
                    await queue.put((due, None))
                    break
                out = transform(data)
                if out:
                    await queue.put((due, out))
            await drain
        finally:
            drain.cancel()

    def _drain_done(self, task) -> None:
        if not task.cancelled() and task.exception() is not None:
            self.abort(f"error: {task.exception()}")

    async def _drain(self, queue, writer, tap=None) -> None:
        loop = asyncio.get_running_loop()
        faults = self.adapter.faults
        while True:
            due, data = await queue.get()
            while True:  # re-check after each wait: a freeze may start while we sleep
                await faults.thawed.wait()
                delay = due - loop.time()
                if delay <= 0:
                    break
                await asyncio.sleep(delay)
            if data is None:
                if writer.can_write_eof():
                    writer.write_eof()  # pass the half-close on; the other side decides
                return
            if tap is not None:
                tap(data)
            writer.write(data)
            await writer.drain()


class Adapter:
    def __init__(self, broker: "tuple[str, int]", defer_leave_group: bool = True):
        self.broker = broker
        self.defer_leave_group = defer_leave_group  # see batonstack/leavegroup.py
        self.leaders = leavegroup.GroupLeaders()
        self.leaves_deferred = 0
        self.faults = Faults()
        self.links = set()
        self.rewrites = 0
        self.trace_groups = os.environ.get("BATON_ADAPTER_TRACE_GROUPS") == "1"
        self._numbers = itertools.count(1)

    async def handle_client(self, reader, writer) -> None:
        if self.faults.refusing:
            refuse(writer)
            return
        link = Link(self, next(self._numbers), reader, writer)
        self.links.add(link)
        try:
            await link.run()
        finally:
            self.links.discard(link)
            log.info("conn #%d closed (%s)", link.number, link.close_reason)

    def drop_all(self) -> int:
        links = list(self.links)
        for link in links:
            link.abort("dropped by control")
            self.links.discard(link)  # now, so /status right after /drop says 0
        return len(links)

    def status(self) -> dict:
        return {
            "connections": len(self.links),
            "latencyMs": self.faults.latency_ms,
            "frozen": self.faults.frozen,
            "refusing": self.faults.refusing,
            "rewrites": self.rewrites,
            "leaveGroup": "defer" if self.defer_leave_group else "pass",
            "leavesDeferred": self.leaves_deferred,
            "broker": "%s:%d" % self.broker,
        }


def refuse(writer) -> None:
    """Resets a just-accepted connection (RST, not FIN), which clients treat like a refusal."""
    sock = writer.get_extra_info("socket")
    if sock is not None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    log.info("refused a connection from %s:%d", *writer.get_extra_info("peername")[:2])
    writer.transport.abort()


# --- Control endpoint (a deliberately tiny HTTP/1.1 server on the same event loop) ----------


class HttpError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


REASONS = {200: "OK", 400: "Bad Request", 404: "Not Found", 405: "Method Not Allowed"}


async def handle_control(adapter: Adapter, reader, writer) -> None:
    try:
        try:
            method, path, body = await read_http_request(reader)
            status, answer = 200, route(adapter, method, path, body)
        except HttpError as err:
            status, answer = err.status, {"error": str(err)}
        payload = (json.dumps(answer) + "\n").encode()
        writer.write(
            f"HTTP/1.1 {status} {REASONS[status]}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(payload)}\r\nConnection: close\r\n\r\n".encode() + payload
        )
        await writer.drain()
    except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
        pass  # a client that went away mid-request gets no answer
    finally:
        writer.close()


async def read_http_request(reader) -> "tuple[str, str, bytes]":
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
    lines = head.decode("latin-1").split("\r\n")
    try:
        method, target, _version = lines[0].split(" ", 2)
    except ValueError:
        raise HttpError(400, "malformed request line") from None
    length = 0
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-length":
            length = int(value.strip() or 0)
    body = await asyncio.wait_for(reader.readexactly(length), 10) if length else b""
    return method.upper(), target.split("?", 1)[0], body


def route(adapter: Adapter, method: str, path: str, body: bytes) -> dict:
    routes = {
        "/status": ("GET", lambda: adapter.status()),
        "/drop": ("POST", lambda: {"dropped": adapter.drop_all()}),
        "/faults": ("POST", lambda: set_faults(adapter, body)),
        "/reset": ("POST", lambda: reset_faults(adapter)),
    }
    if path not in routes:
        raise HttpError(404, f"no such endpoint {path}; try GET /status, POST /drop, /faults, /reset")
    want, action = routes[path]
    if method != want:
        raise HttpError(405, f"{path} takes {want}")
    return action()


def set_faults(adapter: Adapter, body: bytes) -> dict:
    try:
        changes = json.loads(body or b"{}")
    except ValueError as err:
        raise HttpError(400, f"body is not JSON: {err}") from None
    if not isinstance(changes, dict):
        raise HttpError(400, "body must be a JSON object")
    try:
        adapter.faults.apply(changes)
    except ValueError as err:
        raise HttpError(400, str(err)) from None
    log.info("faults now latencyMs=%d frozen=%s refusing=%s", adapter.faults.latency_ms, adapter.faults.frozen, adapter.faults.refusing)
    return adapter.status()


def reset_faults(adapter: Adapter) -> dict:
    adapter.faults.reset()
    log.info("faults reset")
    return adapter.status()


# --- Command line ---------------------------------------------------------------------------


def loopback_address(text: str) -> "tuple[str, int]":
    host, sep, port = text.rpartition(":")
    if not sep or not port.isdigit():
        raise argparse.ArgumentTypeError(f"{text!r} is not HOST:PORT")
    return host.strip("[]"), int(port)


def require_loopback(flag: str, address: "tuple[str, int]") -> None:
    """The adapter and its unauthenticated control endpoint must never face a network."""
    host = address[0]
    try:
        ok = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        ok = False
    if not ok:
        raise SystemExit(f"kafka-adapter: {flag} {host} is not a loopback address")


def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog="kafka-adapter",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description=(
            "Loopback TCP adapter in front of a Kafka broker (Tansu). Every byte passes\n"
            "unchanged except the trailing tagged-field section of ApiVersions v3+\n"
            "responses, which becomes empty so that librdkafka < 2.1.1 can connect\n"
            "(see PLATFORM-NOTES.md). Port 0 picks a free port; the ready line on stderr\n"
            "('listening on ...') names the real ones."
        ),
        epilog=CONTROL_HELP,
    )
    parser.add_argument("--listen", required=True, type=loopback_address, metavar="HOST:PORT", help="where Kafka clients connect")
    parser.add_argument("--broker", required=True, type=loopback_address, metavar="HOST:PORT", help="the real broker")
    parser.add_argument("--control", required=True, type=loopback_address, metavar="HOST:PORT", help="HTTP fault-injection endpoint")
    parser.add_argument(
        "--leave-group", choices=("defer", "pass"), default=os.environ.get("BATON_ADAPTER_LEAVE_GROUP", "defer"),
        help="defer (default): the LeaveGroup of a member that is or may be its group's leader reaches "
        "the broker with an unknown member id, so the member leaves at its session timeout instead (Tansu "
        "0.6.0 keeps a leader that leaves mid-rebalance, and the group never forms again; see "
        "batonstack/leavegroup.py); pass: forward every LeaveGroup unchanged. Default from "
        "BATON_ADAPTER_LEAVE_GROUP. BATON_ADAPTER_TRACE_GROUPS=1 logs the group coordinator traffic",
    )
    args = parser.parse_args(argv)
    require_loopback("--listen", args.listen)
    require_loopback("--control", args.control)
    return args


async def serve(args) -> None:
    adapter = Adapter(args.broker, defer_leave_group=args.leave_group == "defer")
    kafka = await asyncio.start_server(adapter.handle_client, *args.listen)
    control = await asyncio.start_server(lambda r, w: handle_control(adapter, r, w), *args.control)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    listen = kafka.sockets[0].getsockname()
    ctl = control.sockets[0].getsockname()
    log.info(
        "listening on %s:%d (broker %s:%d, control http://%s:%d)",
        listen[0], listen[1], args.broker[0], args.broker[1], ctl[0], ctl[1],
    )
    await stop.wait()
    log.info("stopping")
    kafka.close()
    control.close()
    adapter.drop_all()


def main(argv=None) -> int:
    logging.basicConfig(
        stream=sys.stderr,
        level=logging.INFO,
        format="%(asctime)s.%(msecs)03d kafka-adapter: %(message)s",
        datefmt="%H:%M:%S",
    )
    args = parse_args(argv)
    try:
        asyncio.run(serve(args))
    except OSError as err:
        log.error("cannot start: %s", err)
        return 1
    return 0
