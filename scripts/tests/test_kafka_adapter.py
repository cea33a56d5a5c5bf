"""scripts/kafka-adapter as a process: against a real Tansu, and against a fake broker socket
where every byte must be checked. Run from the repo root:
    /usr/bin/python3 -m unittest discover -s scripts/tests -t scripts
"""

import os
import random
import socket
import struct
import subprocess
import sys
import time
import unittest

from batonstack import wire

from . import support
from .support import HOST, TIMEOUT


def read_uvarint(buf: bytes, pos: int):
    value = shift = 0
    while True:
        byte = buf[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value, pos
        shift += 7


def split_api_versions_v3(payload: bytes):
    """(everything through throttle_time_ms, the trailing tagged section) of a v3 response.

    Written independently of batonstack.wire on purpose: the test must not check the
    adapter's parser with itself.
    """
    pos = 6  # correlation_id, error_code
    count, pos = read_uvarint(payload, pos)
    for _ in range(count - 1):
        pos += 6
        fields, pos = read_uvarint(payload, pos)
        for _ in range(fields):
            _tag, pos = read_uvarint(payload, pos)
            size, pos = read_uvarint(payload, pos)
            pos += size
    pos += 4
    return payload[:pos], payload[pos:]


def tagged_field_count(section: bytes) -> int:
    return read_uvarint(section, 0)[0]


class AgainstTansu(support.TansuBehindAdapter):
    """One real broker and one adapter for the whole class; faults are reset between tests."""

    def setUp(self):
        self.adapter.control("POST", "/reset")
        self.addCleanup(self.adapter.control, "POST", "/drop")
        self.addCleanup(self.adapter.control, "POST", "/reset")

    def client(self, port=None) -> socket.socket:
        sock = support.connect(port or self.adapter.port)
        self.addCleanup(sock.close)
        return sock

    def api_versions_v3(self, port: int, correlation_id: int) -> bytes:
        sock = self.client(port)
        sock.sendall(wire.api_versions_request_v3(correlation_id))
        payload = support.read_frame(sock)
        # The frame length must be exact: the next response follows immediately.
        support.api_versions_v0_round_trip(sock, correlation_id + 1)
        return payload

    def test_v3_handshake_through_adapter_has_empty_tagged_section(self):
        rewritten = self.api_versions_v3(self.adapter.port, 41)
        raw = self.api_versions_v3(self.tansu_port, 41)
        kept, section = split_api_versions_v3(rewritten)
        self.assertEqual(struct.unpack_from(">ih", rewritten), (41, 0))
        self.assertEqual(section, b"\x00")
        # Everything through throttle_time_ms is the broker's own bytes.
        self.assertEqual(kept, split_api_versions_v3(raw)[0])
        self.adapter.child.wait_for_line(r"rewrote ApiVersions v3 response \(correlation id 41\)")

    def test_raw_tansu_sends_tagged_fields_which_is_why_the_adapter_exists(self):
        _, section = split_api_versions_v3(self.api_versions_v3(self.tansu_port, 7))
        self.assertGreater(tagged_field_count(section), 0)
        self.assertGreater(len(section), 1)

    def test_v0_response_passes_unchanged(self):
        direct = support.api_versions_v0_round_trip(self.client(self.tansu_port), 5)
        through = support.api_versions_v0_round_trip(self.client(), 5)
        self.assertEqual(through, direct)

    def test_drop_closes_live_connections(self):
        socks = [self.client() for _ in range(2)]
        for i, sock in enumerate(socks):
            support.api_versions_v0_round_trip(sock, i)
        self.assertEqual(self.adapter.control("POST", "/drop"), {"dropped": 2})
        for sock in socks:
            self.assertTrue(support.closed_by_peer(sock))
        self.assertEqual(self.adapter.control("GET", "/status")["connections"], 0)
        support.api_versions_v0_round_trip(self.client(), 3)  # new connections still work

    def test_latency_delays_each_direction(self):
        sock = self.client()
        support.api_versions_v0_round_trip(sock, 1)  # connection to the broker is up
        latency_ms = 150
        self.assertEqual(self.adapter.control("POST", "/faults", {"latencyMs": latency_ms})["latencyMs"], latency_ms)
        started = time.monotonic()
        support.api_versions_v0_round_trip(sock, 2)
        elapsed = time.monotonic() - started
        # Added once on the way to the broker and once on the way back.
        self.assertGreaterEqual(elapsed, 2 * latency_ms / 1000)
        self.adapter.control("POST", "/reset")
        started = time.monotonic()
        support.api_versions_v0_round_trip(sock, 3)
        self.assertLess(time.monotonic() - started, latency_ms / 1000)

    def test_freeze_holds_bytes_until_unfrozen(self):
        sock = self.client()
        support.api_versions_v0_round_trip(sock, 1)
        self.assertTrue(self.adapter.control("POST", "/faults", {"freeze": True})["frozen"])
        sock.sendall(wire.api_versions_request_v0(2))
        sock.settimeout(0.3)  # proving that nothing arrives needs some wait; keep it short
        with self.assertRaises(socket.timeout):
            sock.recv(1)
        status = self.adapter.control("GET", "/status")
        self.assertEqual((status["frozen"], status["connections"]), (True, 1))
        self.adapter.control("POST", "/faults", {"freeze": False})
        sock.settimeout(TIMEOUT)
        payload = support.read_frame(sock)
        self.assertEqual(wire.parse_api_versions_v0_response(payload)[:2], (2, 0))

    def test_refuse_resets_new_connections_and_reset_lifts_it(self):
        live = self.client()
        support.api_versions_v0_round_trip(live, 1)
        self.assertTrue(self.adapter.control("POST", "/faults", {"refuse": True})["refusing"])
        self.assertTrue(support.refused(self.adapter.port))
        support.api_versions_v0_round_trip(live, 2)  # existing connections are left alone
        self.adapter.control("POST", "/reset")
        support.api_versions_v0_round_trip(self.client(), 3)

    def test_control_rejects_bad_requests_without_changing_anything(self):
        cases = [
            ("POST", "/faults", {"latencyMs": True}),
            ("POST", "/faults", {"latencyMs": -1}),
            ("POST", "/faults", {"freeze": True, "color": "red"}),
            ("POST", "/faults", [1]),
            ("GET", "/drop", None),
            ("GET", "/nope", None),
        ]
        for method, path, body in cases:
            status, answer = self.adapter.request(method, path, body)
            self.assertIn(status, (400, 404, 405), (method, path, body))
            self.assertIn("error", answer)
        status = self.adapter.control("GET", "/status")
        self.assertEqual((status["latencyMs"], status["frozen"], status["refusing"]), (0, False, False))


def request_frame(api_key: int, version: int, correlation_id: int, body: bytes) -> bytes:
    return wire.frame(struct.pack(">hhih", api_key, version, correlation_id, 4) + b"test" + body)


def response_frame(correlation_id: int, body: bytes) -> bytes:
    return wire.frame(struct.pack(">i", correlation_id) + body)


def v3_body(tags: bytes) -> bytes:
    """An ApiVersions v3 response body: no error, two api keys, throttle 0, then `tags`."""
    entries = b"\x03" + struct.pack(">hhh", 0, 0, 9) + b"\x00" + struct.pack(">hhh", 18, 0, 3) + b"\x00"
    return b"\x00\x00" + entries + b"\x00\x00\x00\x00" + tags


TANSU_LIKE_TAGS = b"\x04" + b"\x00\x01\x01" + b"\x01\x08" + b"\xff" * 8 + b"\x02\x01\x01" + b"\x03\x01\x00"


class AgainstFakeBroker(unittest.TestCase):
    """Exact bytes in both directions, split into many small writes."""

    def setUp(self):
        self.broker = support.FakeBroker()
        self.addCleanup(self.broker.close)
        self.adapter = support.Adapter(self.broker.port)
        self.addCleanup(self.adapter.stop)
        self.client = support.connect(self.adapter.port)
        self.addCleanup(self.client.close)
        self.upstream = self.broker.accept()
        self.addCleanup(self.upstream.close)
        self.random = random.Random(1234)

    def noise(self, n: int) -> bytes:
        return bytes(self.random.getrandbits(8) for _ in range(n))

    def relay(self, src, dst, data: bytes) -> bytes:
        support.send_in_pieces(src, data, [1, 2, 3, 5, 7, 11, 64])
        return support.recv_exactly(dst, len(data))

    def test_non_api_versions_and_v0_to_v2_frames_pass_unchanged_both_ways(self):
        requests = b"".join(
            [
                request_frame(0, 7, 100, self.noise(3000)),  # Produce
                request_frame(18, 0, 101, b""),
                request_frame(18, 1, 102, b""),
                request_frame(18, 2, 103, b""),
                request_frame(3, 4, 104, self.noise(50)),  # Metadata
                wire.frame(b""),  # degenerate, still passed through
                request_frame(1, 11, 105, self.noise(70000)),  # Fetch, bigger than one read
            ]
        )
        self.assertEqual(self.relay(self.client, self.upstream, requests), requests)
        # Responses to v0-v2 ApiVersions keep their bytes, even ones shaped like v3 with tags.
        responses = b"".join(
            [
                response_frame(100, self.noise(500)),
                response_frame(101, v3_body(TANSU_LIKE_TAGS)),
                response_frame(102, v3_body(TANSU_LIKE_TAGS)),
                response_frame(103, v3_body(TANSU_LIKE_TAGS)),
                response_frame(104, self.noise(90000)),
                response_frame(105, b""),
            ]
        )
        self.assertEqual(self.relay(self.upstream, self.client, responses), responses)

    def test_v3_response_rewritten_even_when_split_into_single_bytes(self):
        requests = request_frame(0, 7, 1, self.noise(40)) + wire.api_versions_request_v3(2) + request_frame(3, 4, 3, b"")
        self.assertEqual(self.relay(self.client, self.upstream, requests), requests)
        before, after = response_frame(1, self.noise(30)), response_frame(3, self.noise(30))
        support.send_in_pieces(self.upstream, before + response_frame(2, v3_body(TANSU_LIKE_TAGS)) + after, [1])
        expected = before + response_frame(2, v3_body(b"\x00")) + after
        self.assertEqual(support.recv_exactly(self.client, len(expected)), expected)

    def test_v3_request_answered_in_v0_shape_passes_unchanged(self):
        # A broker that rejects the version answers UNSUPPORTED_VERSION in the v0 layout.
        self.assertTrue(self.relay(self.client, self.upstream, wire.api_versions_request_v3(9)))
        answer = response_frame(9, struct.pack(">hi", 35, 1) + struct.pack(">hhh", 18, 0, 2))
        self.assertEqual(self.relay(self.upstream, self.client, answer), answer)

    def test_freeze_holds_requests_before_they_reach_the_broker(self):
        self.adapter.control("POST", "/faults", {"freeze": True})
        data = request_frame(0, 7, 1, b"held")
        self.client.sendall(data)
        self.upstream.settimeout(0.3)
        with self.assertRaises(socket.timeout):
            self.upstream.recv(1)
        self.adapter.control("POST", "/faults", {"freeze": False})
        self.upstream.settimeout(TIMEOUT)
        self.assertEqual(support.recv_exactly(self.upstream, len(data)), data)

    def test_close_is_passed_on_and_ends_the_connection(self):
        self.client.close()
        self.assertTrue(support.closed_by_peer(self.upstream))
        self.upstream.close()  # as a broker does when its client goes away
        self.adapter.child.wait_for_line(r"conn #1 closed")
        self.assertEqual(self.adapter.control("GET", "/status")["connections"], 0)


class CommandLine(unittest.TestCase):
    def run_adapter(self, *args):
        return subprocess.run(
            [sys.executable, os.path.join(support.SCRIPTS, "kafka-adapter"), *args],
            capture_output=True, text=True, timeout=TIMEOUT,
        )

    def test_refuses_non_loopback_addresses(self):
        result = self.run_adapter("--listen", f"{HOST}:0", "--broker", f"{HOST}:1", "--control", "0.0.0.0:0")
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("not a loopback address", result.stderr)

    def test_help_documents_the_control_api(self):
        result = self.run_adapter("--help")
        self.assertEqual(result.returncode, 0)
        for word in ("/status", "/drop", "/faults", "/reset", "latencyMs", "freeze", "refuse"):
            self.assertIn(word, result.stdout)


if __name__ == "__main__":
    unittest.main()
