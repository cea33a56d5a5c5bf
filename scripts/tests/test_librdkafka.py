"""The reason for the adapter, with the real client: Debian's librdkafka (through ctypes, as
python3-confluent-kafka is not a prerequisite) fetches metadata through the adapter, and
versions before 2.1.1 cannot even finish the handshake with Tansu directly."""

import ctypes
import ctypes.util
import unittest

from . import support

FIXED_IN = 0x020101FF  # librdkafka 2.1.1: parses non-empty ApiVersions tagged sections


class Broker(ctypes.Structure):
    _fields_ = [("id", ctypes.c_int32), ("host", ctypes.c_char_p), ("port", ctypes.c_int)]


class Metadata(ctypes.Structure):
    _fields_ = [
        ("broker_cnt", ctypes.c_int),
        ("brokers", ctypes.POINTER(Broker)),
        ("topic_cnt", ctypes.c_int),
        ("topics", ctypes.c_void_p),
        ("orig_broker_id", ctypes.c_int32),
        ("orig_broker_name", ctypes.c_char_p),
    ]


def load_librdkafka():
    lib = ctypes.CDLL(ctypes.util.find_library("rdkafka") or "librdkafka.so.1")
    lib.rd_kafka_conf_new.restype = ctypes.c_void_p
    lib.rd_kafka_conf_set.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_size_t]
    lib.rd_kafka_new.restype = ctypes.c_void_p
    lib.rd_kafka_new.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t]
    lib.rd_kafka_metadata.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p, ctypes.POINTER(ctypes.POINTER(Metadata)), ctypes.c_int]
    lib.rd_kafka_metadata_destroy.argtypes = [ctypes.POINTER(Metadata)]
    lib.rd_kafka_destroy.argtypes = [ctypes.c_void_p]
    lib.rd_kafka_err2name.restype = ctypes.c_char_p
    return lib


def fetch_metadata(lib, port: int, timeout_ms: int):
    """(error name or None, [(host, port) of advertised brokers])."""
    err = ctypes.create_string_buffer(512)
    conf = lib.rd_kafka_conf_new()
    for key, value in (("bootstrap.servers", f"127.0.0.1:{port}"), ("log_level", "0")):
        if lib.rd_kafka_conf_set(conf, key.encode(), value.encode(), err, len(err)) != 0:
            raise AssertionError(err.value.decode())
    rk = lib.rd_kafka_new(0, conf, err, len(err))  # takes the conf only on success
    if not rk:
        raise AssertionError(err.value.decode())
    try:
        md = ctypes.POINTER(Metadata)()
        code = lib.rd_kafka_metadata(rk, 1, None, ctypes.byref(md), timeout_ms)
        if code:
            return lib.rd_kafka_err2name(code).decode(), []
        try:
            brokers = [(md.contents.brokers[i].host.decode(), md.contents.brokers[i].port) for i in range(md.contents.broker_cnt)]
        finally:
            lib.rd_kafka_metadata_destroy(md)
        return None, brokers
    finally:
        lib.rd_kafka_destroy(rk)


class Librdkafka(support.TansuBehindAdapter):
    @classmethod
    def setUpClass(cls):
        cls.lib = load_librdkafka()
        cls.version = cls.lib.rd_kafka_version()
        super().setUpClass()

    def test_metadata_through_the_adapter_and_the_broker_advertises_the_adapter(self):
        error, brokers = fetch_metadata(self.lib, self.adapter.port, 5000)
        self.assertIsNone(error)
        self.assertEqual(brokers, [("127.0.0.1", self.adapter.port)])

    def test_old_librdkafka_cannot_talk_to_tansu_directly(self):
        if self.version >= FIXED_IN:
            self.skipTest(f"librdkafka {self.version:#x} has the fix; the adapter is no longer needed")
        error, _ = fetch_metadata(self.lib, self.tansu_port, 1000)
        self.assertIsNotNone(error, "librdkafka < 2.1.1 talked to Tansu directly: is the adapter still needed?")


if __name__ == "__main__":
    unittest.main()
