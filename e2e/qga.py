"""A minimal guest-agent client for the e2e harness (stdlib only).

It speaks the protocol the way PROTOCOL.md describes: 0xFF, guest-sync-delimited with a fresh
random id, discard everything up to the 0xFF, then read lines until the sync reply.
"""

import json
import random
import socket
import time


class AgentError(Exception):
    pass


class Agent:
    """One connection to one agent channel (a unix socket QEMU serves)."""

    def __init__(self, path, timeout=5.0):
        self.path = path
        self.timeout = timeout
        self.sock = None
        self.buf = b""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        if self.sock is not None:
            self.sock.close()
            self.sock = None
        self.buf = b""

    def _connect(self):
        if self.sock is None:
            self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            self.sock.settimeout(self.timeout)
            self.sock.connect(self.path)
            self.buf = b""

    def _read_line(self, deadline):
        while b"\n" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("agent %s did not answer" % self.path)
            self.sock.settimeout(left)
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("agent channel %s closed" % self.path)
            self.buf += chunk
            if len(self.buf) > 64 << 20:
                raise AgentError("reply over 64 MiB from %s" % self.path)
        line, _, self.buf = self.buf.partition(b"\n")
        return line

    def sync(self, timeout=None):
        self._connect()
        deadline = time.monotonic() + (timeout or self.timeout)
        ident = random.getrandbits(63)
        self.sock.sendall(b"\xff" + json.dumps(
            {"execute": "guest-sync-delimited", "arguments": {"id": ident}}).encode() + b"\n")
        while True:
            while b"\xff" not in self.buf:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError("agent %s not responding (no sync)" % self.path)
                self.sock.settimeout(left)
                chunk = self.sock.recv(65536)
                if not chunk:
                    raise ConnectionError("agent channel %s closed" % self.path)
                self.buf += chunk
            self.buf = self.buf[self.buf.rindex(b"\xff") + 1:]
            while True:
                try:
                    line = self._read_line(deadline)
                except TimeoutError:
                    raise
                if b"\xff" in line:
                    self.buf = line + b"\n" + self.buf
                    break
                try:
                    reply = json.loads(line)
                except ValueError:
                    continue
                if reply == {"return": ident}:
                    return
            # another 0xFF arrived: loop to skip past it

    def execute(self, command, arguments=None, timeout=None, expect_reply=True):
        """Runs one command, synced first; returns its "return" or raises AgentError."""
        try:
            self.sync(timeout)
            request = {"execute": command}
            if arguments is not None:
                request["arguments"] = arguments
            self.sock.sendall(json.dumps(request).encode() + b"\n")
            if not expect_reply:
                return None
            deadline = time.monotonic() + (timeout or self.timeout)
            while True:
                reply = json.loads(self._read_line(deadline))
                if "return" in reply:
                    return reply["return"]
                if "error" in reply:
                    raise AgentError("%s: %s: %s" % (
                        command, reply["error"].get("class"), reply["error"].get("desc")))
        except (OSError, ValueError):
            self.close()
            raise

    def run(self, argv, timeout=30.0, input_data=None):
        """guest-exec argv in the guest and wait for it: returns (exitcode, stdout, stderr)."""
        import base64
        arguments = {"path": argv[0], "arg": list(argv[1:]), "capture-output": True}
        if input_data is not None:
            arguments["input-data"] = base64.b64encode(input_data.encode()).decode()
        pid = self.execute("guest-exec", arguments)["pid"]
        deadline = time.monotonic() + timeout
        while True:
            status = self.execute("guest-exec-status", {"pid": pid})
            if status.get("exited"):
                out = base64.b64decode(status.get("out-data", "")).decode(errors="replace")
                err = base64.b64decode(status.get("err-data", "")).decode(errors="replace")
                code = status.get("exitcode", 128 + status.get("signal", 0))
                return code, out, err
            if time.monotonic() > deadline:
                raise TimeoutError("guest-exec %s still running after %ss" % (argv, timeout))
            time.sleep(0.1)


def wait_for_agent(path, timeout, alive=lambda: True):
    """Waits until the agent at path answers a sync; alive() false aborts (guest died)."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        if not alive():
            raise RuntimeError("guest died while waiting for its agent at %s" % path)
        try:
            with Agent(path, timeout=2.0) as agent:
                agent.sync()
                return
        except (OSError, TimeoutError, ConnectionError) as e:
            last = e
            time.sleep(0.5)
    raise TimeoutError("agent at %s did not answer within %ss (last: %s)" % (path, timeout, last))
