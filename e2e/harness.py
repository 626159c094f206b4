"""Process management for the e2e suite: QEMU guests, libvirt, the exporter (stdlib only).

Every process this harness starts is recorded by PID in out/pids/ (PID and a marker the
process's command line must contain), so run.sh's EXIT trap can stop whatever the Python side
could not, and never a recycled PID that now belongs to something else.
"""

import glob
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request

import qga

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.environ.get("QGA_E2E_OUT", os.path.join(HERE, "out"))
PIDS = os.path.join(OUT, "pids")


def log(msg):
    print("[e2e %s] %s" % (time.strftime("%H:%M:%S"), msg), flush=True)


def require_real():
    return os.environ.get("QGA_REQUIRE_REAL") == "1"


# ---------------------------------------------------------------- PIDs

def record_pid(label, pid, marker):
    os.makedirs(PIDS, exist_ok=True)
    with open(os.path.join(PIDS, label + ".pid"), "w") as f:
        f.write("%d %s\n" % (pid, marker))


def forget_pid(label):
    try:
        os.unlink(os.path.join(PIDS, label + ".pid"))
    except FileNotFoundError:
        pass


def pid_matches(pid, marker):
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            return marker.encode() in f.read()
    except OSError:
        return False


def stop_pid(pid, marker, grace=10.0, label=""):
    """SIGTERM, then SIGKILL after grace seconds; only if the PID still runs our command."""
    if not pid_matches(pid, marker):
        return
    log("stopping %s (pid %d)" % (label or marker, pid))
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline and pid_matches(pid, marker):
        try:
            if os.waitpid(pid, os.WNOHANG)[0] == pid:
                return
        except ChildProcessError:
            pass
        time.sleep(0.1)
    if pid_matches(pid, marker):
        os.kill(pid, signal.SIGKILL)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def eventually(check, timeout, what, interval=0.5):
    """Polls check() until it returns without AssertionError; returns its value.

    On timeout, raises the last AssertionError with `what` and the time spent."""
    deadline = time.monotonic() + timeout
    start = time.monotonic()
    while True:
        try:
            return check()
        except AssertionError as e:
            if time.monotonic() >= deadline:
                raise AssertionError("%s: not true after %.0fs: %s"
                                     % (what, time.monotonic() - start, e)) from None
        time.sleep(interval)


def tail(path, lines=40):
    try:
        with open(path, "rb") as f:
            data = f.read().decode(errors="replace").splitlines()
    except OSError as e:
        return "(%s)" % e
    return "\n".join(data[-lines:])


def make_disk(path, size_mib):
    with open(path, "wb") as f:
        f.truncate(size_mib << 20)
    subprocess.run(["mkfs.ext4", "-q", "-F", "-L", "data", "-E", "nodiscard", path],
                   check=True)


# ---------------------------------------------------------------- plain QEMU guests

class Guest:
    """One test guest. Plain guests: channel .0 in the exporter's glob dir, .1 for the test."""

    kind = "qemu"

    def __init__(self, name, index, run_dir, kernel, initrd, rtc_offset=0, memory_mib=256):
        self.name = name
        self.hostname = name  # the guest's host name comes from the kernel command line
        self.index = index
        self.mac = "52:54:00:e2:e0:%02x" % index
        self.ip = "10.99.0.%d" % (10 + index)
        self.rtc_offset = rtc_offset
        self.memory_mib = memory_mib
        self.kernel = kernel
        self.initrd = initrd
        self.disk = os.path.join(run_dir, name + ".raw")
        self.disk_mib = 64
        self.sock0 = os.path.join(run_dir, "qga", name + ".sock")
        self.sock1 = os.path.join(run_dir, "ctl", name + ".sock")
        self.qmp = os.path.join(run_dir, "qmp", name + ".sock")
        self.console = os.path.join(OUT, name + ".console.log")
        self.stderr = os.path.join(OUT, name + ".qemu.log")
        self.proc = None
        self.marker = "guest=" + name
        self.exit_code = None

    def cmdline(self):
        return ("console=ttyS0 panic=10 qga.hostname=%s qga.ip=%s/24"
                % (self.hostname, self.ip))

    def start(self, accel):
        for p in (self.sock0, self.sock1, self.qmp):
            os.makedirs(os.path.dirname(p), exist_ok=True)
        make_disk(self.disk, self.disk_mib)
        cmd = [
            "qemu-system-x86_64", "-name", "guest=" + self.name, "-accel", accel,
            "-machine", "pc", "-m", str(self.memory_mib), "-smp", "1",
            "-nodefaults", "-no-user-config", "-display", "none",
            "-serial", "file:" + self.console,
            "-kernel", self.kernel, "-initrd", self.initrd, "-append", self.cmdline(),
            "-device", "virtio-serial-pci,id=vs0",
            "-chardev", "socket,id=qga0,path=%s,server=on,wait=off" % self.sock0,
            "-device", "virtserialport,bus=vs0.0,chardev=qga0,name=org.qemu.guest_agent.0",
            "-chardev", "socket,id=qga1,path=%s,server=on,wait=off" % self.sock1,
            "-device", "virtserialport,bus=vs0.0,chardev=qga1,name=org.qemu.guest_agent.1",
            "-drive", "file=%s,format=raw,if=none,id=data,discard=unmap" % self.disk,
            "-device", "virtio-blk-pci,drive=data",
            # A NIC for interface data; its socket backend listens on loopback with no peer,
            # and the link is set down before the guest runs: no traffic leaves.
            "-netdev", "socket,id=net0,listen=127.0.0.1:0",
            "-device", "virtio-net-pci,id=nic0,netdev=net0,mac=" + self.mac,
            "-qmp", "unix:%s,server=on,wait=off" % self.qmp,
            "-S",
        ]
        if self.rtc_offset:
            base = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(time.time() + self.rtc_offset))
            cmd += ["-rtc", "base=" + base]
        log("starting guest %s: %s" % (self.name, " ".join(cmd)))
        with open(self.stderr, "ab") as err:
            self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=err, stderr=err)
        record_pid("guest-" + self.name, self.proc.pid, self.marker)
        self.qmp_command("set_link", {"name": "nic0", "up": False})
        self.qmp_command("cont")

    def qmp_command(self, command, arguments=None, timeout=10.0):
        deadline = time.monotonic() + timeout
        while True:
            if not self.alive():
                raise RuntimeError("QEMU of %s exited: %s" % (self.name, tail(self.stderr, 5)))
            try:
                s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                s.settimeout(timeout)
                s.connect(self.qmp)
                break
            except OSError:
                s.close()
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        with s:
            f = s.makefile("rwb")
            json.loads(f.readline())  # greeting
            for request in ({"execute": "qmp_capabilities"},
                            {"execute": command, "arguments": arguments or {}}):
                f.write(json.dumps(request).encode() + b"\n")
                f.flush()
                while True:
                    reply = json.loads(f.readline())
                    if "return" in reply:
                        break
                    if "error" in reply:
                        raise RuntimeError("QMP %s on %s: %s" % (command, self.name, reply["error"]))
            return reply["return"]

    def alive(self):
        if self.proc is None:
            return False
        code = self.proc.poll()
        if code is not None:
            self.exit_code = code
            forget_pid("guest-" + self.name)
            return False
        return True

    def wait_exit(self, timeout):
        try:
            self.exit_code = self.proc.wait(timeout)
            forget_pid("guest-" + self.name)
            return self.exit_code
        except subprocess.TimeoutExpired:
            return None

    def agent(self, timeout=10.0):
        """The test's own agent connection (channel .1; the exporter holds .0)."""
        return qga.Agent(self.sock1, timeout=timeout)

    def command(self, command, arguments=None, timeout=10.0):
        """One agent command on the test's own channel; returns its "return"."""
        with self.agent(timeout) as a:
            return a.execute(command, arguments)

    def run(self, argv, timeout=30.0):
        with self.agent() as a:
            return a.run(argv, timeout=timeout)

    def sh(self, script, timeout=30.0):
        code, out, err = self.run(["/bin/sh", "-c", script], timeout=timeout)
        if code != 0:
            raise AssertionError("in %s: sh -c %r exited %s: %s%s"
                                 % (self.name, script, code, out, err))
        return out

    def wait_agents(self, timeout):
        qga.wait_for_agent(self.sock1, timeout, self.alive)

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            stop_pid(self.proc.pid, self.marker, grace=5, label="guest " + self.name)
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                pass
        forget_pid("guest-" + self.name)

    def logs(self):
        return [self.console, self.stderr]


# ---------------------------------------------------------------- libvirt

class Libvirt:
    """libvirtd without systemd (Debian's libvirt-daemon, as the issue describes)."""

    URI = "qemu:///system"

    def __init__(self, run_dir):
        self.dir = os.path.join(run_dir, "libvirt")
        self.started = []  # (label, pid, marker) of daemons this run started
        self.domains = []

    @staticmethod
    def missing():
        if os.geteuid() != 0:
            return "libvirt tests need root (they start libvirtd)"
        for program in ("virsh", "libvirtd", "virtlogd"):
            if shutil.which(program) is None:
                return "%s not found (apt-get install libvirt-daemon " \
                       "libvirt-daemon-driver-qemu libvirt-clients)" % program
        return None

    def virsh(self, *args, check=True, timeout=60):
        r = subprocess.run(["virsh", "-c", self.URI] + list(args), capture_output=True,
                           text=True, timeout=timeout)
        if check and r.returncode != 0:
            raise RuntimeError("virsh %s: %s%s" % (" ".join(args), r.stdout, r.stderr))
        return r

    def responding(self):
        try:
            return self.virsh("version", check=False, timeout=10).returncode == 0
        except subprocess.TimeoutExpired:
            return False

    @staticmethod
    def _daemon_pid(pidfile, program):
        try:
            with open(pidfile) as f:
                pid = int(f.read().strip())
        except (OSError, ValueError):
            return None
        return pid if pid_matches(pid, program) else None

    def start(self):
        if subprocess.run(["getent", "group", "libvirt-qemu"], capture_output=True).returncode:
            subprocess.run(["groupadd", "-r", "libvirt-qemu"], check=True)
        if subprocess.run(["getent", "passwd", "libvirt-qemu"], capture_output=True).returncode:
            subprocess.run(["useradd", "-r", "-g", "libvirt-qemu", "-d", "/var/lib/libvirt",
                            "-s", "/usr/sbin/nologin", "libvirt-qemu"], check=True)
        os.makedirs("/var/log/libvirt/qemu", exist_ok=True)
        os.makedirs(self.dir, exist_ok=True)
        os.chmod(self.dir, 0o755)
        shutil.chown(self.dir, "libvirt-qemu", "libvirt-qemu")
        # The socket policy of Debian's libvirt-daemon-system (read-only: any local user; read-write:
        # group libvirt) without polkitd, which a host without systemd does not run: the non-root
        # tests rely on it. Debian gets the same through polkit (60-libvirt.rules).
        if subprocess.run(["getent", "group", "libvirt"], capture_output=True).returncode:
            subprocess.run(["groupadd", "-r", "libvirt"], check=True)
        self.conf = os.path.join(self.dir, "libvirtd.conf")
        with open(self.conf, "w") as f:
            f.write('unix_sock_group = "libvirt"\nunix_sock_ro_perms = "0777"\n'
                    'unix_sock_rw_perms = "0770"\nauth_unix_ro = "none"\nauth_unix_rw = "none"\n')
        if self.responding():
            log("libvirtd already running: using it, leaving it running")
            return
        for program, pidfile in (("virtlogd", "/run/virtlogd.pid"),
                                 ("libvirtd", "/run/libvirtd.pid")):
            if self._daemon_pid(pidfile, program) is not None:
                continue
            log("starting %s -d" % program)
            extra = ["-f", self.conf] if program == "libvirtd" else []
            subprocess.run([program, "-d"] + extra, check=True, timeout=30)
            pid = None
            deadline = time.monotonic() + 10
            while pid is None and time.monotonic() < deadline:
                pid = self._daemon_pid(pidfile, program)
                time.sleep(0.1)
            if pid is None:
                raise RuntimeError("%s -d started but %s names no running %s"
                                   % (program, pidfile, program))
            record_pid(program, pid, program)
            self.started.append((program, pid, program))
        deadline = time.monotonic() + 120
        while not self.responding():
            if time.monotonic() > deadline:
                raise RuntimeError("libvirtd does not answer on %s after 120 s" % self.URI)
            time.sleep(0.5)
        # A fresh libvirtd probes QEMU's capabilities (~8 s on an idle machine, much longer
        # next to TCG guests): make it happen now, before anything competes for the CPUs.
        t0 = time.monotonic()
        self.virsh("capabilities", timeout=300)
        log("libvirtd ready (capabilities in %.1f s)" % (time.monotonic() - t0))

    def create(self, guest):
        xml_path = os.path.join(self.dir, guest.name + ".xml")
        with open(xml_path, "w") as f:
            f.write(guest.xml())
        if self.virsh("domstate", guest.name, check=False).returncode == 0:
            # left running by an earlier run that was killed before it could clean up
            log("destroying leftover domain %s" % guest.name)
            self.virsh("destroy", guest.name, check=False)
        self.virsh("create", xml_path, timeout=180)
        self.domains.append(guest.name)
        with open("/run/libvirt/qemu/%s.pid" % guest.name) as f:
            pid = int(f.read().strip())
        guest.pid = pid
        record_pid("guest-" + guest.name, pid, guest.marker)

    def stop(self):
        for name in self.domains:
            r = self.virsh("destroy", name, check=False)
            if r.returncode == 0:
                log("destroyed libvirt domain %s" % name)
            forget_pid("guest-" + name)
        self.domains = []
        for label, pid, marker in reversed(self.started):
            stop_pid(pid, marker, grace=15, label=label)
            forget_pid(label)
        if self.started:
            # A libvirtd stopped during a capability probe leaves that QEMU running.
            for pidfile in glob.glob("/var/lib/libvirt/qemu/qmp-*/qmp.pid"):
                try:
                    with open(pidfile) as f:
                        pid = int(f.read().strip())
                except (OSError, ValueError):
                    continue
                stop_pid(pid, os.path.dirname(pidfile), grace=5, label="libvirt QEMU probe")
        self.started = []


class LibvirtGuest(Guest):
    """A transient libvirt domain. with_direct: a second channel .1 at a bind path (the
    exporter's way in while libvirt holds .0); without it, only libvirt's own .0."""

    kind = "libvirt"

    def __init__(self, name, index, libvirt, kernel, initrd, with_direct):
        super().__init__(name, index, libvirt.dir, kernel, initrd)
        self.libvirt = libvirt
        self.with_direct = with_direct
        self.sock1 = os.path.join(libvirt.dir, name + ".1.sock")
        self.console = os.path.join(libvirt.dir, name + ".console.log")
        self.pid = None
        self.marker = "guest=" + name

    def xml(self):
        direct = ""
        if self.with_direct:
            direct = ("<channel type='unix'><source mode='bind' path='%s'/>"
                      "<target type='virtio' name='org.qemu.guest_agent.1'/></channel>"
                      % self.sock1)
        return """<domain type='qemu'>
  <name>{name}</name>
  <memory unit='MiB'>256</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type>
    <kernel>{kernel}</kernel><initrd>{initrd}</initrd><cmdline>{cmdline}</cmdline></os>
  <features><acpi/></features>
  <on_poweroff>destroy</on_poweroff><on_reboot>restart</on_reboot><on_crash>destroy</on_crash>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    <disk type='file' device='disk'><driver name='qemu' type='raw' discard='unmap'/>
      <source file='{disk}'/><target dev='vda' bus='virtio'/></disk>
    <interface type='server'><mac address='{mac}'/><source address='127.0.0.1' port='{port}'/>
      <model type='virtio'/><link state='down'/></interface>
    <channel type='unix'><target type='virtio' name='org.qemu.guest_agent.0'/></channel>
    {direct}
    <serial type='file'><source path='{console}'/><target port='0'/></serial>
    <console type='file'><source path='{console}'/><target type='serial' port='0'/></console>
    <memballoon model='none'/>
  </devices>
</domain>
""".format(name=self.name, kernel=self.kernel, initrd=self.initrd, cmdline=self.cmdline(),
           disk=self.disk, mac=self.mac, port=free_port(), direct=direct, console=self.console)

    def start(self, accel=None):
        make_disk(self.disk, self.disk_mib)
        self.libvirt.create(self)

    def alive(self):
        return self.pid is not None and pid_matches(self.pid, self.marker)

    def command(self, command, arguments=None, timeout=10):
        return self.agent_command(command, arguments, int(timeout))

    def agent_command(self, command, arguments=None, timeout=10):
        request = {"execute": command}
        if arguments is not None:
            request["arguments"] = arguments
        r = self.libvirt.virsh("qemu-agent-command", "--timeout", str(timeout), self.name,
                               json.dumps(request), check=False, timeout=timeout + 30)
        if r.returncode != 0:
            raise qga.AgentError("virsh qemu-agent-command %s %s: %s"
                                 % (self.name, command, r.stderr.strip()))
        return json.loads(r.stdout)["return"]

    def run(self, argv, timeout=30.0):
        """guest-exec through libvirt's own .0 channel (the exporter may hold .1)."""
        import base64
        pid = self.agent_command("guest-exec", {"path": argv[0], "arg": list(argv[1:]),
                                                "capture-output": True})["pid"]
        deadline = time.monotonic() + timeout
        while True:
            status = self.agent_command("guest-exec-status", {"pid": pid})
            if status.get("exited"):
                return (status.get("exitcode", 128 + status.get("signal", 0)),
                        base64.b64decode(status.get("out-data", "")).decode(errors="replace"),
                        base64.b64decode(status.get("err-data", "")).decode(errors="replace"))
            if time.monotonic() > deadline:
                raise TimeoutError("guest-exec %s in %s still running" % (argv, self.name))
            time.sleep(0.2)

    def wait_agents(self, timeout):
        deadline = time.monotonic() + timeout
        while True:
            if not self.alive():
                raise RuntimeError("libvirt domain %s is not running" % self.name)
            try:
                self.agent_command("guest-ping", timeout=3)
                break
            except (qga.AgentError, subprocess.TimeoutExpired) as e:
                if time.monotonic() > deadline:
                    raise TimeoutError("agent .0 of %s via libvirt: %s" % (self.name, e))
                time.sleep(1)
        if self.with_direct:
            qga.wait_for_agent(self.sock1, max(5, deadline - time.monotonic()), self.alive)

    def stop(self):
        pass  # Libvirt.stop destroys every domain it created

    def logs(self):
        return [self.console, "/var/log/libvirt/qemu/%s.log" % self.name]


# ---------------------------------------------------------------- the exporter

class Exporter:
    def __init__(self, jar, port, name="exporter", as_user=()):
        """name: its config, log and PID file names; as_user: a command prefix that runs the
        JVM as another user (e.g. setpriv --reuid U --regid G --init-groups)."""
        self.jar = jar
        self.port = port
        self.url = "http://127.0.0.1:%d" % port
        self.name = name
        self.as_user = list(as_user)
        self.config = os.path.join(OUT, name + ".yaml")
        self.log = os.path.join(OUT, name + ".log")
        self.proc = None
        self.marker = jar

    def write_config(self, text):
        with open(self.config, "w") as f:
            f.write(text)

    def start(self, timeout=90):
        java = shutil.which("java") or "java"
        cmd = self.as_user + [java, "-jar", self.jar, "run", "--config", self.config]
        log("starting exporter: " + " ".join(cmd))
        with open(self.log, "ab") as out:
            out.write(("\n==== %s %s\n" % (time.strftime("%H:%M:%S"), " ".join(cmd))).encode())
            out.flush()
            self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=out)
        record_pid(self.name, self.proc.pid, self.marker)
        deadline = time.monotonic() + timeout
        while True:
            code = self.proc.poll()
            if code is not None:
                forget_pid(self.name)
                raise AssertionError("exporter exited with %s at start: %s"
                                     % (code, tail(self.log, 15)))
            try:
                status, _, _ = self.http("GET", "/metrics", token=None, timeout=5)
                if status == 200:
                    return
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError("exporter does not serve %s/metrics after %ss"
                                     % (self.url, timeout))
            time.sleep(0.5)

    def stop(self, timeout=30):
        """SIGTERM and wait; returns the exit code (None if it had to be killed)."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                forget_pid(self.name)
                return None
        forget_pid(self.name)
        return self.proc.returncode

    def http(self, method, path, body=None, token=None, timeout=30):
        """Returns (status, parsed JSON body or text, headers)."""
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.url + path, data=data, method=method)
        if data is not None:
            request.add_header("Content-Type", "application/json")
        if token:
            request.add_header("Authorization", "Bearer " + token)
        try:
            with urllib.request.urlopen(request, timeout=timeout) as r:
                status, raw, headers = r.status, r.read(), r.headers
        except urllib.error.HTTPError as e:
            status, raw, headers = e.code, e.read(), e.headers
        text = raw.decode(errors="replace")
        try:
            return status, json.loads(text), headers
        except ValueError:
            return status, text, headers

    def metrics(self):
        status, text, _ = self.http("GET", "/metrics", timeout=15)
        assert status == 200, "GET /metrics: %s %s" % (status, str(text)[:200])
        return parse_metrics(text)


SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)(\s+\d+)?$')
LABEL = re.compile(r'\s*([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*,?')


def parse_metrics(text):
    """Prometheus text format -> list of (name, labels dict, float value)."""
    samples = []
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        m = SAMPLE.match(line)
        if not m:
            continue
        labels = {}
        for k, v in LABEL.findall(m.group(3) or ""):
            labels[k] = v.replace('\\"', '"').replace("\\n", "\n").replace("\\\\", "\\")
        try:
            value = float(m.group(4))
        except ValueError:
            continue
        samples.append((m.group(1), labels, value))
    return samples


def select(samples, name, **labels):
    return [(l, v) for n, l, v in samples
            if n == name and all(l.get(k) == want for k, want in labels.items())]


def one(samples, name, **labels):
    found = select(samples, name, **labels)
    assert found, "no series %s%s" % (name, labels)
    assert len(found) == 1, "%d series %s%s: %s" % (len(found), name, labels, found)
    return found[0][1]


def make_run_dir():
    # Unix socket paths must stay under 108 bytes: keep them in a short /tmp directory.
    d = tempfile.mkdtemp(prefix="qga-e2e.", dir="/tmp")
    os.chmod(d, 0o755)
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, "run_dir"), "w") as f:  # for run.sh's cleanup
        f.write(d)
    return d
