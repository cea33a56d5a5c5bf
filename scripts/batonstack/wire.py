"""The few Kafka wire-protocol facts the adapter and the stack's health checks need.

Every Kafka request and response is a frame: a 4-byte big-endian payload length, then the
payload. Only ApiVersions (api_key 18) is ever looked into; see PLATFORM-NOTES.md for why.
"""

import struct

API_VERSIONS = 18
# ApiVersions v3 is the first flexible version: the one whose response ends in a tagged-field
# section that librdkafka < 2.1.1 mis-parses when it is not empty.
FIRST_FLEXIBLE_API_VERSIONS = 3

FRAME_HEADER = struct.Struct(">i")
REQUEST_HEADER = struct.Struct(">hhi")  # api_key, api_version, correlation_id
# Refuse absurd frame lengths instead of buffering gigabytes: far above anything a client sends.
MAX_FRAME = 1 << 30


class WireError(ValueError):
    """Bytes that do not have the shape the Kafka protocol promises."""


def frame(payload: bytes) -> bytes:
    return FRAME_HEADER.pack(len(payload)) + payload


def encode_uvarint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def read_uvarint(buf: bytes, pos: int) -> "tuple[int, int]":
    """Returns (value, position after it)."""
    value = shift = 0
    while True:
        if pos >= len(buf):
            raise WireError("varint runs past the end of the frame")
        byte = buf[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value, pos
        shift += 7
        if shift > 28:
            raise WireError("varint longer than 5 bytes")


def skip_tagged_fields(buf: bytes, pos: int) -> int:
    """Skips a tagged-field section (count, then tag/size/bytes per field); returns the end."""
    count, pos = read_uvarint(buf, pos)
    for _ in range(count):
        _tag, pos = read_uvarint(buf, pos)
        size, pos = read_uvarint(buf, pos)
        pos += size
        if pos > len(buf):
            raise WireError("tagged field runs past the end of the frame")
    return pos


def request_header(payload: bytes) -> "tuple[int, int, int]":
    """(api_key, api_version, correlation_id) of a request payload."""
    if len(payload) < REQUEST_HEADER.size:
        raise WireError("request shorter than its header")
    return REQUEST_HEADER.unpack_from(payload)


def response_correlation_id(payload: bytes) -> int:
    if len(payload) < 4:
        raise WireError("response shorter than its correlation id")
    return struct.unpack_from(">i", payload)[0]


def api_versions_v3_body_end(payload: bytes) -> "tuple[int, int]":
    """Parses a flexible (v3+) ApiVersions response payload.

    Returns (end of throttle_time_ms, end of the trailing tagged section). Raises WireError
    when the payload is not exactly one such response, e.g. the non-flexible v0-shaped
    answer a broker sends when it rejects the requested version.
    """
    pos = 4 + 2  # correlation_id (response header v0, always, for ApiVersions), error_code
    entries_plus_one, pos = read_uvarint(payload, pos)
    if entries_plus_one == 0:
        raise WireError("null api_keys array")
    for _ in range(entries_plus_one - 1):
        pos += 6  # api_key, min_version, max_version
        pos = skip_tagged_fields(payload, pos)
    pos += 4  # throttle_time_ms
    if pos > len(payload):
        raise WireError("response ends inside throttle_time_ms")
    end = skip_tagged_fields(payload, pos)
    if end != len(payload):
        raise WireError(f"{len(payload) - end} unexpected bytes after the tagged section")
    return pos, end


def strip_api_versions_tags(payload: bytes) -> bytes:
    """The same ApiVersions v3+ response with an empty trailing tagged-field section.

    Everything through throttle_time_ms is kept byte for byte; the tagged section (Tansu
    always sends its four optional fields) becomes the single varint 0 that Apache Kafka
    sends and librdkafka < 2.1.1 can parse.
    """
    keep, _ = api_versions_v3_body_end(payload)
    return payload[:keep] + b"\x00"


# --- Building requests by hand (health checks, tests) -------------------------------------


def api_versions_request_v0(correlation_id: int, client_id: str = "baton-stack") -> bytes:
    """A complete ApiVersions v0 request frame (request header v1, empty body)."""
    cid = client_id.encode()
    header = REQUEST_HEADER.pack(API_VERSIONS, 0, correlation_id) + struct.pack(">h", len(cid)) + cid
    return frame(header)


def _compact_string(text: str) -> bytes:
    raw = text.encode()
    return encode_uvarint(len(raw) + 1) + raw


def api_versions_request_v3(
    correlation_id: int,
    client_id: str = "baton-stack",
    software_name: str = "baton-stack",
    software_version: str = "1.0",
) -> bytes:
    """A complete ApiVersions v3 request frame.

    Request header v2: api_key, api_version, correlation_id, client_id (a nullable int16
    string even in flexible headers), tagged fields. Body: compact strings
    client_software_name and client_software_version, tagged fields.
    """
    cid = client_id.encode()
    header = (
        REQUEST_HEADER.pack(API_VERSIONS, 3, correlation_id)
        + struct.pack(">h", len(cid))
        + cid
        + b"\x00"
    )
    body = _compact_string(software_name) + _compact_string(software_version) + b"\x00"
    return frame(header + body)


def parse_api_versions_v0_response(payload: bytes) -> "tuple[int, int, int]":
    """(correlation_id, error_code, number of api keys) of an ApiVersions v0 response."""
    if len(payload) < 10:
        raise WireError("ApiVersions v0 response shorter than 10 bytes")
    correlation_id, error_code, count = struct.unpack_from(">ihi", payload)
    return correlation_id, error_code, count


class FrameRewriter:
    """Passes a stream of Kafka frames through, holding whole the frames a subclass picks
    (to rewrite them in `_release`) and passing every other byte on as soon as it arrives.

    A subclass reads each frame's first bytes into `_head` in `_read_head`, then calls
    `_hold_frame` or `_stream_frame`; `_pass_head` with `lost = True` gives up on framing.
    """

    def __init__(self):
        self._head = bytearray()  # the current frame's first bytes, while undecided
        self._stream = 0  # bytes of the current frame still to pass unchanged
        self._hold = None  # the frame being held for rewriting (bytearray), if any
        self._hold_left = 0
        self.lost = False

    def feed(self, data: bytes) -> bytes:
        if self.lost:
            return data
        if self._stream >= len(data):  # the common case: the middle of a big frame
            self._stream -= len(data)
            return data
        out = bytearray()
        pos = 0
        while pos < len(data):
            if self.lost:
                out += data[pos:]
                break
            if self._stream:
                step = min(self._stream, len(data) - pos)
                out += data[pos : pos + step]
                self._stream -= step
                pos += step
            elif self._hold is not None:
                step = min(self._hold_left, len(data) - pos)
                self._hold += data[pos : pos + step]
                self._hold_left -= step
                pos += step
                if not self._hold_left:
                    out += self._release_hold()
            else:
                pos = self._read_head(data, pos, out)
        return bytes(out)

    def _read_head(self, data: bytes, pos: int, out: bytearray) -> int:
        raise NotImplementedError

    def _release(self, held: bytes) -> bytes:
        """The held frame (length prefix included) as it goes on."""
        raise NotImplementedError

    def _hold_frame(self, length: int, out: bytearray) -> None:
        self._hold = bytearray(self._head)
        self._hold_left = length - (len(self._head) - 4)
        self._head.clear()
        if not self._hold_left:
            out += self._release_hold()

    def _stream_frame(self, length: int, out: bytearray) -> None:
        self._stream = length - (len(self._head) - 4)
        self._pass_head(out)

    def _pass_head(self, out: bytearray) -> None:
        out += self._head
        self._head.clear()

    def _release_hold(self) -> bytes:
        held = bytes(self._hold)
        self._hold = None
        return self._release(held)


class Frames:
    """Cuts a byte stream into whole frames (payloads), keeping only those whose first 8
    payload bytes `want` accepts; the others are skipped without being buffered."""

    def __init__(self, want):
        self.want = want
        self.buf = bytearray()
        self.skip = 0

    def feed(self, data: bytes):
        if self.skip >= len(data) and not self.buf:  # inside a frame nobody wants: no copy
            self.skip -= len(data)
            return []
        out = []
        self.buf += data
        while True:
            if self.skip:
                step = min(self.skip, len(self.buf))
                del self.buf[:step]
                self.skip -= step
                if self.skip:
                    return out
            if len(self.buf) < 12:
                return out
            length = struct.unpack_from(">i", self.buf)[0]
            if length < 8 or not self.want(bytes(self.buf[4:12])):
                self.skip = 4 + max(length, 0)
                continue
            if len(self.buf) < 4 + length:
                return out
            out.append(bytes(self.buf[4 : 4 + length]))
            del self.buf[: 4 + length]
