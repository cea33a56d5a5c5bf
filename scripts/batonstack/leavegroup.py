"""Defers LeaveGroup to the session timeout: the adapter's workaround for a Tansu 0.6.0 bug.

The bug (tansu-broker src/coordinator/group/administrator.rs at v0.6.0-510f3e2,
`impl Group for Inner<O, Forming>`, `fn leave`): while a group is rebalancing ("forming"),
a LeaveGroup removes the member and bumps the generation but leaves `state.leader` naming
it. Every later JoinGroup answer names that departed member as leader, so no member gets
the member list, none sends assignments, every SyncGroup ends REBALANCE_IN_PROGRESS, and
the group never forms again: new members included, until the broker restarts. A formed
group's leave (`Inner<O, Formed>::leave`) and a member evicted for missed heartbeats (both
states) clear the leader correctly.

So the adapter turns a leave into silence: it forwards the LeaveGroup with each member id
changed to one no group has (the id plus SUFFIX). Tansu answers it itself, in order, with
no error and no change to the group (LeaveGroup v0-v2 carry only a top-level error code;
v3 lists the rewritten id as UNKNOWN_MEMBER_ID, which librdkafka ignores on close), and
the member is evicted once its session times out, as if it had crashed. The cost: the
group rebalances a session timeout after a clean leave instead of at once. Real Kafka
needs none of this; `--leave-group pass` turns it off (to show the bug).
"""

import logging
import struct

from . import wire

log = logging.getLogger("kafka-adapter")

LEAVE_GROUP = 13
# Versions whose request body this module can rewrite (v4 is the first flexible one, which
# librdkafka 2.0.2 does not send; such a request passes unchanged, with a warning).
MAX_VERSION = 3
# A LeaveGroup is a group id and a few member ids; anything bigger streams through.
MAX_HELD = 64 * 1024
SUFFIX = ".leave-deferred-by-kafka-adapter"


def _string(buf: bytes, pos: int) -> "tuple[bytes, int]":
    (n,) = struct.unpack_from(">h", buf, pos)
    pos += 2
    if n < 0:
        return None, pos
    if pos + n > len(buf):
        raise wire.WireError("string runs past the end of the frame")
    return buf[pos : pos + n], pos + n


def _put_string(value: bytes) -> bytes:
    return struct.pack(">h", len(value)) + value


def defer_leave(payload: bytes) -> "tuple[bytes, list[str], str]":
    """Rewrites one LeaveGroup v0-v3 request payload; returns (payload, member ids, group)."""
    _key, version, _correlation = wire.request_header(payload)
    pos = wire.REQUEST_HEADER.size
    _client, pos = _string(payload, pos)
    group, pos = _string(payload, pos)
    out = bytearray(payload[:pos])
    members = []
    if version <= 2:
        member, pos = _string(payload, pos)
        members.append(member)
        out += _put_string(member + SUFFIX.encode())
    else:
        (count,) = struct.unpack_from(">i", payload, pos)
        pos += 4
        out += struct.pack(">i", count)
        for _ in range(max(count, 0)):
            member, pos = _string(payload, pos)
            instance_start = pos
            _instance, pos = _string(payload, pos)
            members.append(member)
            out += _put_string(member + SUFFIX.encode()) + payload[instance_start:pos]
    out += payload[pos:]
    return bytes(out), [m.decode("utf-8", "replace") for m in members], (group or b"").decode("utf-8", "replace")


class LeaveGroupRewriter:
    """Passes the client->broker stream through, holding and rewriting LeaveGroup frames.

    Other frames stream through as soon as their first 8 bytes (length, api key, version)
    are known, so nothing else is delayed or buffered.
    """

    def __init__(self, number: int, enabled: bool = True):
        self.number = number
        self.enabled = enabled
        self._head = bytearray()
        self._stream = 0
        self._hold = None
        self._hold_left = 0
        self.lost = False
        self.deferred = 0

    def feed(self, data: bytes) -> bytes:
        if not self.enabled:
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
                    out += self._release()
            else:
                take = data[pos : pos + 8 - len(self._head)]
                self._head += take
                pos += len(take)
                if len(self._head) == 4 and struct.unpack_from(">i", self._head)[0] < 4:
                    self._pass_head(out)  # not Kafka framing we understand: stop looking
                    self.lost = True
                elif len(self._head) == 8:
                    self._route(out)
        return bytes(out)

    def _pass_head(self, out: bytearray) -> None:
        out += self._head
        self._head.clear()

    def _route(self, out: bytearray) -> None:
        length, key, version = struct.unpack_from(">ihh", self._head)
        if length < 0 or length > wire.MAX_FRAME:
            self._pass_head(out)
            self.lost = True
            return
        if key == LEAVE_GROUP and version <= MAX_VERSION and length <= MAX_HELD:
            self._hold = bytearray(self._head)
            self._hold_left = length - 4
            self._head.clear()
            if not self._hold_left:
                out += self._release()
            return
        if key == LEAVE_GROUP:
            log.warning("conn #%d LeaveGroup v%d passes unchanged (only v0-v%d are deferred)", self.number, version, MAX_VERSION)
        self._stream = length - 4
        self._pass_head(out)

    def _release(self) -> bytes:
        held = bytes(self._hold)
        self._hold = None
        try:
            payload, members, group = defer_leave(held[4:])
        except (wire.WireError, struct.error) as err:
            log.warning("conn #%d LeaveGroup not understood, passed unchanged: %s", self.number, err)
            return held
        self.deferred += 1
        log.info(
            "conn #%d LeaveGroup of %s in group %s deferred to the session timeout (Tansu 0.6.0 keeps a leader that leaves mid-rebalance)",
            self.number, ", ".join(members), group,
        )
        return wire.frame(payload)
