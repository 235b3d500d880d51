"""A real oversightd for tests of clients in other languages.

    with Testbed(oversightd, cli, source_dir) as bed:   # certificates, server
        bed.load_example()                              # the worked example
        bed.cli("hmicfrs", "head")

Testbed makes fresh development certificates with scripts/certs.sh in a new
temporary directory, starts oversightd there with mutual TLS on a free
loopback port (--listen=127.0.0.1:0; the port is read from the line the
server logs) and a fresh data directory, and always stops it: SIGTERM, then
SIGKILL if it has not stopped within its timeout. Every wait is bounded.
The temporary directory is under $TEST_TMPDIR (CTest sets it) and is
removed when the test passed; kept, and named, when it failed.
"""

import os
import re
import shutil
import signal
import subprocess
import tempfile
import time

EXAMPLE = "examples/dyfed-powys/stalking-review-2025-01.jsonl"
START_TIMEOUT_SECONDS = 60
STOP_TIMEOUT_SECONDS = 30
COMMAND_TIMEOUT_SECONDS = 120


class TestbedError(Exception):
    pass


class Testbed:
    def __init__(self, oversightd, cli, source_dir):
        self.oversightd = oversightd
        self.cli_path = cli
        self.source_dir = source_dir
        self.dir = tempfile.mkdtemp(prefix="oversight-clients-",
                                    dir=os.environ.get("TEST_TMPDIR") or None)
        self.certs = os.path.join(self.dir, "certs")
        self.log_path = os.path.join(self.dir, "oversightd.log")
        self.address = None
        self._server = None
        self._log = None

    # -- certificates and the server ------------------------------------

    def make_certs(self):
        env = dict(os.environ, CERTS_DIR=self.certs,
                   TRUST_DOMAIN="oversight.example")
        run = subprocess.run(
            ["bash", os.path.join(self.source_dir, "scripts", "certs.sh")],
            env=env, capture_output=True, text=True,
            timeout=COMMAND_TIMEOUT_SECONDS, check=False)
        if run.returncode != 0:
            raise TestbedError("scripts/certs.sh failed:\n" + run.stdout + run.stderr)

    def cert(self, name):
        """(certificate, key) paths of a certificate scripts/certs.sh made."""
        return (os.path.join(self.certs, name + ".pem"),
                os.path.join(self.certs, name + ".key"))

    @property
    def ca(self):
        return os.path.join(self.certs, "ca.pem")

    def start(self):
        self._log = open(self.log_path, "w")
        self._server = subprocess.Popen(
            [self.oversightd, "--listen=127.0.0.1:0",
             "--data_dir=" + os.path.join(self.dir, "data"),
             "--shutdown_grace_seconds=1",
             "--tls_cert=" + os.path.join(self.certs, "server.pem"),
             "--tls_key=" + os.path.join(self.certs, "server.key"),
             "--tls_client_ca=" + self.ca,
             "--tls_trust_domain=oversight.example"],
            stdin=subprocess.DEVNULL, stdout=self._log, stderr=self._log)
        listening = re.compile(r"listening on (127\.0\.0\.1:[0-9]+)")
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            match = listening.search(self.server_log())
            if match:
                self.address = match.group(1)
                return self.address
            if self._server.poll() is not None:
                raise TestbedError("oversightd exited with {}:\n{}".format(
                    self._server.returncode, self.server_log()))
            time.sleep(0.05)
        raise TestbedError("oversightd did not say where it listens within "
                           "{} s:\n{}".format(START_TIMEOUT_SECONDS,
                                              self.server_log()))

    def stop(self):
        if self._server is not None and self._server.poll() is None:
            self._server.send_signal(signal.SIGTERM)
            try:
                self._server.wait(timeout=STOP_TIMEOUT_SECONDS)
            except subprocess.TimeoutExpired:
                self._server.kill()
                self._server.wait(timeout=STOP_TIMEOUT_SECONDS)
        self._server = None
        if self._log is not None:
            self._log.close()
            self._log = None

    def server_log(self):
        try:
            with open(self.log_path, errors="replace") as f:
                return f.read()
        except FileNotFoundError:
            return ""

    def __enter__(self):
        try:
            self.make_certs()
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, kind, value, traceback):
        self.stop()
        if kind is None:
            shutil.rmtree(self.dir, ignore_errors=True)
        else:
            print("testbed: kept {} (server log: {})".format(self.dir,
                                                             self.log_path))
        return False

    # -- the oversight CLI -----------------------------------------------

    def cli(self, cert_name, *args, check=True):
        """Runs the oversight CLI with the certificate `cert_name`."""
        cert, key = self.cert(cert_name)
        run = subprocess.run(
            [self.cli_path, "--server=" + self.address, "--cert=" + cert,
             "--key=" + key, "--ca=" + self.ca] + list(args),
            capture_output=True, text=True, timeout=COMMAND_TIMEOUT_SECONDS,
            check=False)
        if check and run.returncode != 0:
            raise TestbedError("oversight {} exited {}:\n{}{}".format(
                " ".join(args), run.returncode, run.stdout, run.stderr))
        return run

    def import_file(self, path):
        """Imports a JSON Lines file with the OPCC importer's certificate
        (on behalf of the agency each line names); returns (applied, head)."""
        run = self.cli("importer", "--quiet", "import", path)
        match = re.search(r"imported ([0-9]+) lines?: ([0-9]+) applied, "
                          r"([0-9]+) already applied; head position ([0-9]+)",
                          run.stdout + run.stderr)
        if not match:
            raise TestbedError("no import summary:\n" + run.stdout + run.stderr)
        return int(match.group(2)), int(match.group(4))

    def load_example(self):
        """Loads the worked example, as scripts/run.sh does; returns the
        head position after it."""
        applied, head = self.import_file(os.path.join(self.source_dir, EXAMPLE))
        if applied == 0:
            raise TestbedError("the example applied nothing on a fresh log")
        return head
