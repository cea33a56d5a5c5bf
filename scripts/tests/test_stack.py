"""scripts/stack up/down/env/status in a temporary directory, with real processes."""

import contextlib
import io
import json
import os
import shutil
import signal
import smtplib
import socket
import subprocess
import sys
import tempfile
import unittest
import urllib.request
from unittest import mock

from batonstack import stack

from . import support

STACK = os.path.join(support.SCRIPTS, "stack")
ENV_KEYS = [
    "BATON_KAFKA_BOOTSTRAP_SERVERS",
    "BATON_S3_ENDPOINT",
    "BATON_S3_REGION",
    "BATON_S3_ACCESS_KEY_ID",
    "BATON_S3_SECRET_ACCESS_KEY",
    "BATON_SMTP_URL",
    "BATON_STACK_SMTP_MAILDIR",
    "BATON_STACK_KAFKA_ADAPTER_CONTROL",
    "BATON_STACK_KAFKA_BROKER",
]


def live_members(session: int) -> list:
    """Pids of live (non-zombie) processes in a session. Each part leads its own session, so
    this finds the part and anything it may have forked."""
    return stack.live_members(3, session)


class Stack(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="baton-stack-test-")
        self.addCleanup(shutil.rmtree, self.dir, True)
        self.addCleanup(self.run_stack, "down")  # whatever a test leaves, stop it

    def run_stack(self, *args, check=True):
        env = {k: v for k, v in os.environ.items() if k != "BATON_STACK_DIR"}
        result = subprocess.run(
            [STACK, *args, "--dir", self.dir], capture_output=True, text=True, timeout=support.scaled(60), env=env
        )
        if check and result.returncode != 0:
            self.fail(f"stack {' '.join(args)} exited {result.returncode}:\n{result.stderr}")
        return result

    def pids(self) -> dict:
        with open(os.path.join(self.dir, "pids")) as f:
            return {name: record["pid"] for name, record in json.load(f)["parts"].items()}

    def assert_all_gone(self, pids: dict):
        for name, pid in pids.items():
            self.assertEqual(live_members(pid), [], f"{name} (session {pid}) left processes behind")

    def test_up_serves_every_part_and_down_leaves_nothing_behind(self):
        out = self.run_stack("up").stdout
        env = dict(line.split("=", 1) for line in out.splitlines())
        self.assertEqual(list(env), ENV_KEYS)
        with open(os.path.join(self.dir, "env")) as f:
            self.assertEqual(f.read(), out)
        self.assertEqual(env["BATON_STACK_SMTP_MAILDIR"], os.path.join(self.dir, "maildir"))
        for value in env.values():
            self.assertNotIn("0.0.0.0", value)
        pids = self.pids()
        self.assertEqual(sorted(pids), sorted(stack.PARTS))

        self.check_parts_answer(env)
        self.assertEqual(self.run_stack("status").returncode, 0)

        again = self.run_stack("up")  # healthy: same stack, same environment
        self.assertEqual(again.stdout, out)
        self.assertIn("already up", again.stderr)
        self.assertEqual(self.pids(), pids)

        self.run_stack("down")
        self.assert_all_gone(pids)
        self.assertFalse(os.path.exists(os.path.join(self.dir, "env")))
        self.assertEqual(self.run_stack("down").returncode, 0)
        self.assertEqual(self.run_stack("env", check=False).returncode, 1)
        self.assertEqual(self.run_stack("status", check=False).returncode, 1)

    def check_parts_answer(self, env: dict):
        host, port = env["BATON_KAFKA_BOOTSTRAP_SERVERS"].split(":")
        with support.connect(int(port)) as sock:
            support.api_versions_v0_round_trip(sock, 1)
            with urllib.request.urlopen(env["BATON_STACK_KAFKA_ADAPTER_CONTROL"] + "/status", timeout=support.TIMEOUT) as r:
                self.assertEqual(json.load(r)["connections"], 1)
        with urllib.request.urlopen(env["BATON_S3_ENDPOINT"] + "/", timeout=support.TIMEOUT) as r:
            self.assertEqual(r.status, 200)
        smtp_host, smtp_port = env["BATON_SMTP_URL"].removeprefix("smtp://").split(":")
        with smtplib.SMTP(smtp_host, int(smtp_port), timeout=support.TIMEOUT) as smtp:
            smtp.sendmail("a@example.com", ["b@example.com"], "Subject: stack test\r\n\r\nhello\r\n")
        delivered = os.listdir(os.path.join(env["BATON_STACK_SMTP_MAILDIR"], "new"))
        self.assertEqual(len(delivered), 1)

    def test_up_replaces_a_half_dead_stack(self):
        self.run_stack("up")
        old = self.pids()
        os.kill(old["moto"], signal.SIGKILL)  # a process this test's stack started
        result = self.run_stack("up")
        self.assertIn("not healthy", result.stderr)
        new = self.pids()
        self.assertTrue(set(old.values()).isdisjoint(new.values()))
        self.assert_all_gone(old)
        self.assertEqual(self.run_stack("status").returncode, 0)

    def test_up_retries_when_a_chosen_port_is_taken_meanwhile(self):
        # Tansu exits 0 after logging AddrInUse: `up` must notice and pick new ports.
        blocker = socket.create_server((support.HOST, 0))
        self.addCleanup(blocker.close)
        chosen = []
        real_free_ports = stack.free_ports

        def rigged(count):
            ports = real_free_ports(count)
            if not chosen:
                ports[0] = blocker.getsockname()[1]  # the first port goes to tansu
            chosen.append(ports)
            return ports

        notes = io.StringIO()
        with mock.patch.object(stack, "free_ports", rigged), contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(notes):
            self.assertEqual(stack.up(stack.Files(self.dir)), 0)
        self.assertIn("port clash (tansu exited with status 0", notes.getvalue())
        self.assertEqual(len(chosen), 2)
        self.assertEqual(self.run_stack("status").returncode, 0)

    def test_down_never_signals_a_pid_that_is_no_longer_ours(self):
        # A pids file whose pid now belongs to someone else (here: a process of ours that
        # the stack did not start) must be left alone.
        bystander = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
        self.addCleanup(bystander.wait, support.TIMEOUT)
        self.addCleanup(bystander.kill)
        record = {"pid": bystander.pid, "argv": ["tansu", "broker"], "start_ticks": 1, "boot_id": stack.boot_id(), "log": ""}
        with open(os.path.join(self.dir, "pids"), "w") as f:
            json.dump({"ports": {}, "parts": {"tansu": record}}, f)
        result = self.run_stack("down")
        self.assertIn("was not running", result.stderr)
        self.assertIsNone(bystander.poll())

    def test_help_explains_commands_and_environment(self):
        out = subprocess.run([STACK, "--help"], capture_output=True, text=True, timeout=support.TIMEOUT).stdout
        for word in ["up", "down", "env", "status", "--dir", "BATON_STACK_DIR", *ENV_KEYS]:
            self.assertIn(word, out)


if __name__ == "__main__":
    unittest.main()
