"""Defers a leader's LeaveGroup to the session timeout: a workaround for a Tansu 0.6.0 bug.

The bug (tansu-broker src/coordinator/group/administrator.rs at v0.6.0-510f3e2,
`impl Group for Inner<O, Forming>`, `fn leave`): while a group is rebalancing ("forming"),
a LeaveGroup removes the member and bumps the generation but leaves `state.leader` naming
it. Every later JoinGroup answer names that departed member as leader, so no member gets
the member list, none sends assignments, every SyncGroup ends REBALANCE_IN_PROGRESS, and
the group never forms again, new members included, until the broker restarts. A formed
group's leave (`Inner<O, Formed>::leave`) and a member evicted for missed heartbeats (in
both states) clear the leader correctly.

So the leave of a member that is, or may be, its group's leader becomes silence: the
adapter forwards that LeaveGroup with the member id changed to one no group has (the id
plus SUFFIX). Tansu answers it itself, in order, without error and without touching the
group (LeaveGroup v0-v2 answers carry only a top-level error code; v3 lists the changed id
as UNKNOWN_MEMBER_ID, which librdkafka ignores on close), and evicts the member once its
session times out, as if it had crashed. Cost: the group rebalances a session timeout
after such a leave instead of at once. Other members' leaves pass unchanged, so a clean
leave stays fast where it cannot trigger the bug.

"May be the leader" is decided from the JoinGroup traffic the adapter relays (all of it,
since clients reach the broker only through the adapter): Tansu only ever makes a member
leader while handling that member's JoinGroup, and the answer names it. So a member is
treated as a possible leader if any JoinGroup answer of its group named it, if it has a
JoinGroup without an answer yet (one answered to a dead connection never gets one), or if
the adapter has seen no JoinGroup answer for the group at all. Real Kafka needs none of
this; `--leave-group pass` turns it off (to show the bug).
"""

import logging
import struct

from . import wire

log = logging.getLogger("kafka-adapter")

JOIN_GROUP = 11
LEAVE_GROUP = 13
# JoinGroup v6 is the first flexible version (librdkafka 2.0.2 sends v5); on seeing one the
# adapter stops trusting what it knows and defers every leave.
JOIN_GROUP_FLEXIBLE = 6
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


class GroupLeaders:
    """Adapter-wide: which members may be their group's leader (see the module's doc)."""

    def __init__(self):
        self.named = {}  # group -> member ids some JoinGroup answer named leader
        self.joining = {}  # (group, member id) -> JoinGroup requests not answered yet
        self.blind = False  # a JoinGroup this module cannot read went by

    def may_lead(self, group: str, member: str) -> bool:
        if self.blind or group not in self.named:
            return True
        return member in self.named[group] or self.joining.get((group, member), 0) > 0

    def joined(self, group: str, member: str) -> None:
        self.joining[(group, member)] = self.joining.get((group, member), 0) + 1

    def answered(self, group: str, member: str, leader) -> None:
        left = self.joining.get((group, member), 0) - 1
        if left > 0:
            self.joining[(group, member)] = left
        else:
            self.joining.pop((group, member), None)
        if leader:
            self.named.setdefault(group, set()).add(leader)


class JoinWatcher:
    """Per connection: reads JoinGroup requests and answers (copies) into GroupLeaders."""

    def __init__(self, leaders: GroupLeaders):
        self.leaders = leaders
        self.pending = {}  # correlation id -> (group, member id, version)
        self.requests = wire.Frames(lambda head: struct.unpack_from(">h", head)[0] == JOIN_GROUP)
        self.responses = wire.Frames(lambda head: struct.unpack_from(">i", head)[0] in self.pending)

    def request(self, data: bytes) -> None:
        for payload in self.requests.feed(data):
            try:
                _key, version, correlation = wire.request_header(payload)
                if version >= JOIN_GROUP_FLEXIBLE:
                    self.leaders.blind = True
                    continue
                pos = wire.REQUEST_HEADER.size
                _client, pos = _string(payload, pos)
                group, pos = _string(payload, pos)
                pos += 8 if version >= 1 else 4  # session and rebalance timeouts
                member, pos = _string(payload, pos)
            except (wire.WireError, struct.error):
                self.leaders.blind = True
                continue
            group, member = _text(group), _text(member)
            self.pending[correlation] = (group, member, version)
            self.leaders.joined(group, member)

    def response(self, data: bytes) -> None:
        for payload in self.responses.feed(data):
            correlation = struct.unpack_from(">i", payload)[0]
            group, member, version = self.pending.pop(correlation)
            leader = None
            try:
                pos = 4 + (4 if version >= 2 else 0)  # correlation id, throttle time
                (error,) = struct.unpack_from(">h", payload, pos)
                if error == 0:
                    _protocol, pos = _string(payload, pos + 6)  # after error code, generation
                    leader, _ = _string(payload, pos)
            except (wire.WireError, struct.error):
                self.leaders.blind = True
            self.leaders.answered(group, member, _text(leader) if leader else None)


def _text(raw) -> str:
    return (raw or b"").decode("utf-8", "replace")


def defer_leave(payload: bytes, defer=lambda group, member: True) -> "tuple[bytes, list[str], str]":
    """Rewrites the member ids `defer(group, member)` picks in one LeaveGroup v0-v3 request
    payload; returns (payload, the member ids rewritten, group)."""
    _key, version, _correlation = wire.request_header(payload)
    pos = wire.REQUEST_HEADER.size
    _client, pos = _string(payload, pos)
    group, pos = _string(payload, pos)
    out = bytearray(payload[:pos])
    members = []

    def rewrite(member: bytes) -> bytes:
        if member is None or not defer(_text(group), _text(member)):
            return payload[start:end]
        members.append(member)
        return _put_string(member + SUFFIX.encode())

    if version <= 2:
        start = pos
        member, pos = _string(payload, pos)
        end = pos
        out += rewrite(member)
    else:
        (count,) = struct.unpack_from(">i", payload, pos)
        pos += 4
        out += struct.pack(">i", count)
        for _ in range(max(count, 0)):
            start = pos
            member, pos = _string(payload, pos)
            end = instance_start = pos
            _instance, pos = _string(payload, pos)
            out += rewrite(member) + payload[instance_start:pos]
    out += payload[pos:]
    return bytes(out), [_text(m) for m in members], _text(group)


class LeaveGroupRewriter(wire.FrameRewriter):
    """Passes the client->broker stream through, holding and rewriting LeaveGroup frames.

    Other frames stream through as soon as their first 8 bytes (length, api key, version)
    are known, so nothing else is delayed or buffered.
    """

    def __init__(self, number: int, enabled: bool = True, leaders: "GroupLeaders | None" = None):
        super().__init__()
        self.number = number
        self.enabled = enabled
        self.leaders = leaders  # None: every leave is deferred
        self.deferred = 0

    def feed(self, data: bytes) -> bytes:
        return super().feed(data) if self.enabled else data

    def _read_head(self, data: bytes, pos: int, out: bytearray) -> int:
        take = data[pos : pos + (4 if len(self._head) < 4 else 8) - len(self._head)]
        self._head += take
        pos += len(take)
        if len(self._head) == 4:
            length = struct.unpack_from(">i", self._head)[0]
            if length < 0 or length > wire.MAX_FRAME:
                self._pass_head(out)  # not Kafka framing: stop looking
                self.lost = True
            elif length < 4:  # too short for an api key and version: not ours
                self._stream = length
                self._pass_head(out)
        elif len(self._head) == 8:
            self._route(out)
        return pos

    def _route(self, out: bytearray) -> None:
        length, key, version = struct.unpack_from(">ihh", self._head)
        if key == LEAVE_GROUP and version <= MAX_VERSION and length <= MAX_HELD:
            self._hold_frame(length, out)
            return
        if key == LEAVE_GROUP:
            log.warning("conn #%d LeaveGroup v%d passes unchanged (only v0-v%d are deferred)", self.number, version, MAX_VERSION)
        self._stream_frame(length, out)

    def _release(self, held: bytes) -> bytes:
        defer = self.leaders.may_lead if self.leaders is not None else (lambda group, member: True)
        try:
            payload, members, group = defer_leave(held[4:], defer)
        except (wire.WireError, struct.error) as err:
            log.warning("conn #%d LeaveGroup not understood, passed unchanged: %s", self.number, err)
            return held
        if not members:
            return held
        self.deferred += 1
        log.info(
            "conn #%d LeaveGroup of %s in group %s deferred to the session timeout (a leader, or maybe one: Tansu 0.6.0 keeps a leader that leaves mid-rebalance)",
            self.number, ", ".join(members), group,
        )
        return wire.frame(payload)
