"""What the side-by-side benchmark's parts share: child processes, /proc figures, the table."""
import datetime
import math
import os
import signal
import subprocess
import time

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def envelope(job_id, index, stage, retries, birst=None):
    """A job envelope as `baton publish` writes one (DESIGN.md §3), ~0.6 KB."""
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {
        "version": 1, "jobId": job_id, "createdAt": now,
        "source": {"bucket": "reports", "key": f"daily/bench-{index}.csv", "size": 50_000,
                   "eTag": "9b2cf535f27731c974343645a3985328", "versionId": None,
                   "sequencer": f"0055AED6DCD9028{index:06d}", "eventTime": now},
        "target": {"spaceId": f"space-{index}", "sourceName": f"bench-{index}", "subgroups": [], "route": "bench"},
        "stage": stage, "retriesLeft": retries, "slices": 0, "notBefore": None,
        "birst": birst or {"uploadedBytes": 0},
        "lastError": None,
    }


def spawn(arguments, env=None, log=None, new_group=False):
    """A child with its output in `log`; Python's subprocess leaves SIGTERM unblocked."""
    out = open(log, "ab") if log else subprocess.DEVNULL
    try:
        return subprocess.Popen(arguments, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                env=env, start_new_session=new_group)
    finally:
        if log:
            out.close()


def stop(process, grace=20):
    """SIGTERM (the whole process group for a shell pipe), SIGKILL after `grace` seconds."""
    if process.poll() is not None:
        return process.returncode
    try:
        if os.getpgid(process.pid) == process.pid:
            os.killpg(process.pid, signal.SIGTERM)
        else:
            process.send_signal(signal.SIGTERM)
        return process.wait(grace)
    except subprocess.TimeoutExpired:
        process.kill()
        return process.wait()
    except ProcessLookupError:
        return process.wait()


def wait_for_line(path, needle, seconds, process=None):
    """The first line of `path` containing `needle`, waiting up to `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with open(path, errors="replace") as f:
                for line in f:
                    if needle in line:
                        return line
        except FileNotFoundError:
            pass
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"{process.args[0]} exited ({process.returncode}) before '{needle}'; see {path}")
        time.sleep(0.05)
    raise RuntimeError(f"no '{needle}' in {path} within {seconds} s")


def process_tree(pid):
    """`pid` and its descendants (a shell pipe's members)."""
    children = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                children.setdefault(int(fields[1]), []).append(int(entry))
            except OSError:
                pass
    tree, todo = [], [pid]
    while todo:
        current = todo.pop()
        tree.append(current)
        todo.extend(children.get(current, []))
    return tree


def cpu_seconds(pids):
    """User + system CPU of these processes (all threads), in seconds."""
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except OSError:
            pass
    return total / CLOCK_TICKS


def rss_mib(pid, field="VmRSS"):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return float("nan")


def median(values):
    values = sorted(v for v in values if not math.isnan(v))
    if not values:
        return float("nan")
    middle = len(values) // 2
    return values[middle] if len(values) % 2 else (values[middle - 1] + values[middle]) / 2


def percentile(values, p):
    """Nearest rank, p in 0…100."""
    values = sorted(values)
    if not values:
        return float("nan")
    rank = max(1, math.ceil(p / 100 * len(values)))
    return values[min(rank, len(values)) - 1]


def number(value):
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    magnitude = abs(value)
    decimals = 0 if magnitude >= 100 else 1 if magnitude >= 10 else 2 if magnitude >= 1 else 3
    return f"{value:,.{decimals}f}"


class Table:
    """Rows of (section, what, values, unit), printed as median and min–max like baton-bench's."""

    def __init__(self):
        self.rows = []

    def add(self, section, what, unit, values):
        self.rows.append((section, what, unit, [v for v in values if v is not None]))

    def render(self):
        header = ["#", "what it measures", "median", "min – max", "unit", "n"]
        lines, last = [], None
        for section, what, unit, values in self.rows:
            shown = section if section != last else ""
            last = section
            clean = sorted(v for v in values if not math.isnan(v))
            spread = f"{number(clean[0])} – {number(clean[-1])}" if len(clean) > 1 else ""
            lines.append([shown, what, number(median(values)), spread, unit, str(len(values))])
        widths = [max(len(r[i]) for r in [header] + lines) for i in range(len(header))]

        def fmt(cells):
            out = []
            for i, cell in enumerate(cells):
                out.append(cell.rjust(widths[i]) if i in (2, 3, 5) else cell.ljust(widths[i]))
            return "  ".join(out).rstrip()
        return "\n".join([fmt(header), fmt(["-" * w for w in widths])] + [fmt(r) for r in lines])


def log_time(line):
    """The `ts` of one of Baton's JSON log lines, as a Unix time."""
    import json
    stamp = json.loads(line)["ts"]
    return datetime.datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S.%fZ").replace(
        tzinfo=datetime.timezone.utc).timestamp()
