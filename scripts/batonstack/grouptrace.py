"""Optional log of consumer-group traffic through the adapter (a debugging aid, off by default).

With BATON_ADAPTER_TRACE_GROUPS=1 in its environment the adapter logs one line per group
coordinator request and response (FindCoordinator, JoinGroup, SyncGroup, Heartbeat,
LeaveGroup, OffsetCommit, InitProducerId): connection, correlation id, member id, generation,
error code, and for a JoinGroup answer the leader and the members it lists. It only reads
copies of the bytes; what passes through is unchanged. Versions it cannot decode (flexible
ones, which librdkafka 2.0.2 does not use for these requests) are logged by name only.
"""

import logging
import struct

from .wire import Frames

log = logging.getLogger("kafka-adapter")

NAMES = {8: "OffsetCommit", 10: "FindCoordinator", 11: "JoinGroup", 12: "Heartbeat", 13: "LeaveGroup", 14: "SyncGroup", 22: "InitProducerId"}
# First flexible version of each (from then on this decoder gives up and logs the name only).
FLEXIBLE = {8: 8, 10: 3, 11: 6, 12: 4, 13: 4, 14: 4, 22: 2}
ERRORS = {
    0: "NONE", 15: "COORDINATOR_NOT_AVAILABLE", 16: "NOT_COORDINATOR", 22: "ILLEGAL_GENERATION",
    25: "UNKNOWN_MEMBER_ID", 27: "REBALANCE_IN_PROGRESS", 79: "MEMBER_ID_REQUIRED", 90: "PRODUCER_FENCED",
}


class Reader:
    def __init__(self, buf: bytes, pos: int = 0):
        self.buf, self.pos = buf, pos

    def take(self, fmt: str):
        value = struct.unpack_from(fmt, self.buf, self.pos)[0]
        self.pos += struct.calcsize(fmt)
        return value

    def string(self):
        n = self.take(">h")
        if n < 0:
            return None
        s = self.buf[self.pos : self.pos + n].decode("utf-8", "replace")
        self.pos += n
        return s

    def bytes_(self):
        n = self.take(">i")
        if n < 0:
            return None
        b = self.buf[self.pos : self.pos + n]
        self.pos += n
        return b


def short(member):
    """Member ids are client id + UUID; the last 8 characters tell them apart in a log."""
    return "-" if not member else "…" + member[-8:]


def error(code):
    return ERRORS.get(code, str(code))


class GroupTrace:
    """Per connection: decodes group requests client->broker and their answers broker->client."""

    def __init__(self, number: int):
        self.number = number
        self.pending = {}  # correlation id -> (api_key, version)
        self.requests = Frames(lambda head: struct.unpack_from(">h", head)[0] in NAMES)
        self.responses = Frames(lambda head: struct.unpack_from(">i", head)[0] in self.pending)

    def request(self, data: bytes) -> None:
        for payload in self.requests.feed(data):
            key, version, correlation = struct.unpack_from(">hhi", payload)
            self.pending[correlation] = (key, version)
            try:
                detail = self._request(key, version, payload)
            except (struct.error, UnicodeDecodeError, IndexError) as err:
                detail = f"(undecoded: {err})"
            log.info("trace conn #%d -> %s v%d #%d %s", self.number, NAMES[key], version, correlation, detail)

    def response(self, data: bytes) -> None:
        for payload in self.responses.feed(data):
            correlation = struct.unpack_from(">i", payload)[0]
            key, version = self.pending.pop(correlation)
            try:
                detail = self._response(key, version, payload)
            except (struct.error, UnicodeDecodeError, IndexError) as err:
                detail = f"(undecoded: {err})"
            log.info("trace conn #%d <- %s v%d #%d %s", self.number, NAMES[key], version, correlation, detail)

    def _request(self, key, version, payload):
        if version >= FLEXIBLE[key]:
            return "(flexible version, not decoded)"
        r = Reader(payload, 8)
        r.string()  # client id
        if key == 10:
            return f"key={r.string()}"
        if key == 22:
            return f"transactional_id={r.string()}"
        group = r.string()
        if key == 11:
            session = r.take(">i")
            rebalance = r.take(">i") if version >= 1 else None
            member = r.string()
            instance = r.string() if version >= 5 else None
            return f"group={group} member={short(member)} session={session} rebalance={rebalance} instance={instance}"
        if key in (12, 14, 8):
            generation = r.take(">i")
            member = r.string()
            if key == 14:
                if version >= 3:
                    r.string()
                count = r.take(">i")
                assigned = [short(r.string()) + ":" + str(len(r.bytes_() or b"")) + "B" for _ in range(max(count, 0))]
                return f"group={group} gen={generation} member={short(member)} assignments={assigned}"
            return f"group={group} gen={generation} member={short(member)}"
        if key == 13:
            if version >= 3:
                count = r.take(">i")
                members = []
                for _ in range(max(count, 0)):
                    members.append(short(r.string()))
                    r.string()  # group instance id
                return f"group={group} members={members}"
            return f"group={group} member={short(r.string())}"
        return ""

    def _response(self, key, version, payload):
        if version >= FLEXIBLE[key]:
            return "(flexible version, not decoded)"
        r = Reader(payload, 4)
        throttle = r.take(">i") if (key, version) not in ((11, 0), (12, 0), (13, 0), (14, 0), (8, 0), (8, 1), (8, 2), (10, 0)) else 0
        _ = throttle
        if key == 8:
            return ""
        code = r.take(">h")
        if key == 11:
            generation = r.take(">i")
            r.string()  # protocol name
            leader = r.string()
            member = r.string()
            count = r.take(">i")
            members = []
            for _ in range(max(count, 0)):
                members.append(short(r.string()))
                if version >= 5:
                    r.string()
                r.bytes_()
            return f"{error(code)} gen={generation} member={short(member)} leader={short(leader)} members={members}"
        if key == 14:
            return f"{error(code)} assignment={len(r.bytes_() or b'')}B"
        return error(code)
