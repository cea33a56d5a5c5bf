"""The adapter's stream logic in-process: every way TCP can split the bytes, malformed input,
fault validation. Fast and exhaustive where the process tests can only sample."""

import struct
import unittest

from batonstack import adapter, wire

TAGS = b"\x04" + b"\x00\x01\x01" + b"\x01\x08" + b"\xff" * 8 + b"\x02\x01\x01" + b"\x03\x01\x00"


def v3_response(correlation_id: int, tags: bytes = TAGS) -> bytes:
    entries = b"\x02" + struct.pack(">hhh", 18, 0, 3) + b"\x01\x07\x02ab"  # one entry, one tagged field
    return wire.frame(struct.pack(">ih", correlation_id, 0) + entries + struct.pack(">i", 0) + tags)


def other_request(correlation_id: int, size: int = 5) -> bytes:
    return wire.frame(struct.pack(">hhi", 0, 7, correlation_id) + bytes(i % 256 for i in range(size)))


def other_response(correlation_id: int, size: int = 5) -> bytes:
    return wire.frame(struct.pack(">i", correlation_id) + bytes(i % 256 for i in range(100, 100 + size)))


def feed_split(feed, data: bytes, cut: int, cut2: int) -> bytes:
    return b"".join(feed(part) or b"" for part in (data[:cut], data[cut:cut2], data[cut2:]))


class Wire(unittest.TestCase):
    def test_strip_keeps_everything_through_throttle(self):
        payload = v3_response(5)[4:]
        stripped = wire.strip_api_versions_tags(payload)
        self.assertEqual(stripped, payload[: -len(TAGS)] + b"\x00")

    def test_strip_refuses_what_is_not_one_v3_response(self):
        good = v3_response(5)[4:]
        for bad in (good[:-1], good + b"\x00", good[:8], struct.pack(">ihi", 5, 35, 1) + struct.pack(">hhh", 18, 0, 2)):
            with self.assertRaises(wire.WireError):
                wire.strip_api_versions_tags(bad)

    def test_uvarint_round_trip(self):
        for value in (0, 1, 127, 128, 300, 16383, 16384, 2**28 - 1):
            encoded = wire.encode_uvarint(value)
            self.assertEqual(wire.read_uvarint(encoded, 0), (value, len(encoded)))

    def test_v3_request_layout(self):
        frame = wire.api_versions_request_v3(77, "c", "n", "1")
        payload = frame[4:]
        self.assertEqual(struct.unpack(">i", frame[:4])[0], len(payload))
        self.assertEqual(wire.request_header(payload), (18, 3, 77))
        # client_id (int16 string), header tags, compact strings, body tags
        self.assertEqual(payload[8:], b"\x00\x01c" + b"\x00" + b"\x02n" + b"\x021" + b"\x00")


class Streams(unittest.TestCase):
    def test_scanner_finds_v3_requests_at_every_split(self):
        data = other_request(1) + wire.api_versions_request_v0(2) + wire.api_versions_request_v3(3) + other_request(4, 0)
        for cut in range(len(data) + 1):
            for cut2 in range(cut, len(data) + 1, 7):
                pending = {}
                feed_split(adapter.RequestScanner(pending).feed, data, cut, cut2)
                self.assertEqual(pending, {3: 3}, (cut, cut2))

    def test_rewriter_at_every_split(self):
        data = other_response(1) + v3_response(3) + other_response(4, 70) + v3_response(5)
        expected = other_response(1) + v3_response(3, b"\x00") + other_response(4, 70) + v3_response(5)
        for cut in range(len(data) + 1):
            for cut2 in range(cut, len(data) + 1, 5):
                pending = {3: 3}  # only 3 was asked for with v3; 5 was not
                rewriter = adapter.ResponseRewriter(pending)
                self.assertEqual(feed_split(rewriter.feed, data, cut, cut2), expected, (cut, cut2))
                self.assertEqual(pending, {})

    def test_rewriter_releases_ordinary_bytes_without_waiting_for_the_frame_end(self):
        rewriter = adapter.ResponseRewriter({})
        frame = other_response(1, 1000)
        self.assertEqual(rewriter.feed(frame[:500]), frame[:500])

    def test_rewriter_leaves_a_malformed_v3_answer_alone(self):
        pending = {9: 3}
        answer = wire.frame(struct.pack(">ihi", 9, 35, 1) + struct.pack(">hhh", 18, 0, 2))
        self.assertEqual(adapter.ResponseRewriter(pending).feed(answer), answer)

    def test_non_kafka_bytes_pass_through_blindly(self):
        junk = b"\xff\xff\xff\xff" + b"GET / HTTP/1.1\r\n\r\n"
        with self.assertLogs("kafka-adapter", "WARNING"):
            rewriter = adapter.ResponseRewriter({})
            self.assertEqual(rewriter.feed(junk[:2]) + rewriter.feed(junk[2:]), junk)
            scanner = adapter.RequestScanner({})
            scanner.feed(junk)
            self.assertTrue(scanner.lost)

    def test_frames_shorter_than_their_headers(self):
        data = wire.frame(b"\x00\x12") + wire.api_versions_request_v3(3)
        pending = {}
        adapter.RequestScanner(pending).feed(data)
        self.assertEqual(pending, {3: 3})
        responses = wire.frame(b"\x01") + other_response(4)
        self.assertEqual(adapter.ResponseRewriter({}).feed(responses), responses)


class FaultValidation(unittest.TestCase):
    def test_bad_changes_change_nothing(self):
        faults = adapter.Faults()
        for bad in ({"latencyMs": "5"}, {"latencyMs": True}, {"freeze": 1}, {"freeze": True, "nope": 1}, {"latencyMs": -5}):
            with self.assertRaises(ValueError):
                faults.apply(bad)
        self.assertEqual((faults.latency_ms, faults.frozen, faults.refusing), (0, False, False))

    def test_apply_and_reset(self):
        faults = adapter.Faults()
        faults.apply({"latencyMs": 20, "freeze": True, "refuse": True})
        self.assertEqual((faults.latency_ms, faults.frozen, faults.refusing), (20, True, True))
        faults.reset()
        self.assertEqual((faults.latency_ms, faults.frozen, faults.refusing), (0, False, False))


if __name__ == "__main__":
    unittest.main()
