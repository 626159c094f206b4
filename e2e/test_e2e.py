"""End-to-end tests in real QEMU guests, plain and under libvirt (run by e2e/run.sh).

Guests (each: Debian kernel, an initramfs with busybox and the real qemu-ga, a 64 MiB ext4
disk at /data mounted with discard, a virtio NIC with its link down, one qemu-ga per
org.qemu.guest_agent.N port):
  e2e-a   plain QEMU: fstrim and fsfreeze through the API
  e2e-b   plain QEMU, RTC 1 hour ahead: time offset, time_sync policy, reboot and resync
  e2e-c   plain QEMU: agent killed and restarted, Ansible domain_info and power (shutdown)
  e2e-py  plain QEMU, its initramfs with Python 3 too (512 MiB): Ansible modules run inside
          it through the connection plugin qga.exporter.agent (e2e-a: raw and script)
  e2e-lv1 libvirt, channels .0 (libvirt's) and .1 (bind path the exporter uses)
  e2e-lv2 libvirt, only .0 (the exporter goes through libvirt)
Plain guests have a second channel .1 the exporter does not see (its glob matches .0 only):
the tests use it to ask the guest itself what is true and to run commands in it.
"""

import base64
import hashlib
import json
import os
import re
import secrets
import signal
import subprocess
import sys
import time
import traceback
import urllib.error
import urllib.parse
import urllib.request

import harness
import libvirt_typed
from harness import eventually, log, one, select

# Assertions that cannot pass until a feature lands in main. They still run; a failure here is
# reported as "expected failure" and does not fail the suite; a pass is reported as XPASS so the
# entry can be removed. Never delete an assertion: add it here with what it waits for.
EXPECTED_TO_FAIL = {
    # "test_name": "until FEATURE lands",  (empty: every feature the suite checks is in main)
}

COLLECTORS = ["network", "filesystem", "users", "memory_blocks", "vcpus", "os", "time",
              "fsfreeze", "load", "cpu", "disk"]
# What libvirt's typed calls serve (docs/hosts.md, "libvirt: routes and taint"); the rest needs raw
# agent commands.
TYPED_COLLECTORS = ["network", "filesystem", "users", "vcpus", "os", "time"]
HOUR = 3600


class Suite:
    def __init__(self):
        self.run_dir = harness.make_run_dir()
        self.kernel = os.environ["QGA_E2E_KERNEL"]
        self.initrd = os.environ["QGA_E2E_INITRD"]
        self.initrd_python = os.environ["QGA_E2E_INITRD_PYTHON"]
        self.release = os.path.basename(self.kernel)[len("vmlinuz-"):]
        self.jar = os.environ["QGA_E2E_JAR"]
        self.accel = os.environ.get("QGA_E2E_ACCEL", "tcg")
        self.guests = []
        self.libvirt = None
        self.exporter = None
        self.token = secrets.token_hex(24)
        self.token_file = os.path.join(harness.OUT, "admin.token")
        with open(self.token_file, "w") as f:
            f.write(self.token + "\n")
        os.chmod(self.token_file, 0o600)
        self.results = []  # (name, status, detail)

    def guest(self, name):
        return next(g for g in self.guests if g.name == name)

    # ------------------------------------------------------------ setup and teardown

    def boot(self):
        missing = harness.Libvirt.missing()
        if missing:
            if harness.require_real():
                raise RuntimeError("QGA_REQUIRE_REAL=1 and " + missing)
            log("SKIP libvirt guests: " + missing)
        else:
            self.libvirt = harness.Libvirt(self.run_dir)
            self.libvirt.start()
            # libvirt relabels kernel and initrd for its QEMU user: give it copies.
            kernel = os.path.join(self.libvirt.dir, "vmlinuz")
            initrd = os.path.join(self.libvirt.dir, "initramfs")
            for src, dst in ((self.kernel, kernel), (self.initrd, initrd)):
                with open(src, "rb") as i, open(dst, "wb") as o:
                    o.write(i.read())
            for name, index, direct in (("e2e-lv1", 11, True), ("e2e-lv2", 12, False)):
                g = harness.LibvirtGuest(name, index, self.libvirt, kernel, initrd, direct)
                g.start()
                self.guests.append(g)
        q = lambda name, index, offset=0: harness.Guest(
            name, index, self.run_dir, self.kernel, self.initrd, offset)
        python = harness.Guest("e2e-py", 4, self.run_dir, self.kernel, self.initrd_python,
                               memory_mib=512)
        for g in (q("e2e-a", 1), q("e2e-b", 2, HOUR), q("e2e-c", 3), python):
            g.start(self.accel)
            self.guests.append(g)

    def config(self, with_policy=False, raw_agent_commands=False):
        collectors = "\n".join("  %s: {enabled: true, interval: 2s}" % c for c in COLLECTORS)
        policy = ""
        if with_policy:
            policy = """policies:
  - name: clock-drift
    match: {domains: ["e2e-b"]}
    when: {time_offset_above: 1s}
    action: {time_sync: {source: host, max_step: 2h}}
    cooldown: 20s
"""
        libvirt = "true" if self.libvirt else "false"
        return """server:
  listen: "127.0.0.1:%(port)d"
discovery:
  refresh_interval: 2s
  globs:
    - pattern: %(glob)s
  libvirt:
    enabled: %(libvirt)s
    run_dir: /run/libvirt/qemu
    allow_raw_agent_commands: %(raw)s
agent:
  command_timeout: 5s
  backoff_max: 2s
collectors:
%(collectors)s
api:
  tokens:
    - name: e2e
      token_file: %(token)s
      role: admin
%(policy)sstate_dir: %(state)s
""" % {"port": self.exporter.port, "glob": os.path.join(self.run_dir, "qga", "*.sock"),
       "libvirt": libvirt, "collectors": collectors, "token": self.token_file,
       "policy": policy, "state": os.path.join(harness.OUT, "state"),
       "raw": "true" if raw_agent_commands else "false"}

    def cleanup(self):
        if self.exporter is not None:
            self.exporter.stop(timeout=20)
        for g in self.guests:
            g.stop()
        if self.libvirt is not None:
            self.libvirt.stop()
            # Keep libvirt's logs next to the others.
            for g in self.guests:
                if g.kind == "libvirt":
                    for src in g.logs():
                        dst = os.path.join(harness.OUT, g.name + "." + os.path.basename(src))
                        try:
                            with open(src, "rb") as i, open(dst, "wb") as o:
                                o.write(i.read())
                        except OSError:
                            pass
        subprocess.run(["rm", "-rf", self.run_dir])

    # ------------------------------------------------------------ helpers

    def api(self, method, path, body=None):
        return self.exporter.http(method, path, body, token=self.token)

    def wait_job(self, reply, timeout=120):
        """A 202 {"job": ID} reply -> the finished job (state succeeded or failed)."""
        status, body, headers = reply
        assert status == 202, "expected 202 with a job, got %s %s" % (status, body)
        assert isinstance(body, dict) and "job" in body, "no job id in %s" % body
        job = body["job"]

        def finished():
            s, j, _ = self.api("GET", "/api/v1/jobs/%s" % job)
            assert s == 200, "GET job %s: %s %s" % (job, s, j)
            assert j.get("state") in ("succeeded", "failed"), "job %s still %s" % (job, j)
            return j

        return eventually(finished, timeout, "job %s finishes" % job)

    def metric(self, name, **labels):
        return one(self.exporter.metrics(), name, **labels)

    def wait_metric(self, name, predicate, timeout, what, **labels):
        def check():
            value = self.metric(name, **labels)
            assert predicate(value), "%s%s = %s" % (name, labels, value)
            return value
        return eventually(check, timeout, what)

    def truth(self, g):
        """What the guest itself reports through an agent channel the exporter does not use."""
        return {
            "host-name": g.command("guest-get-host-name")["host-name"],
            "osinfo": g.command("guest-get-osinfo"),
            "fsinfo": g.command("guest-get-fsinfo"),
            "interfaces": g.command("guest-network-get-interfaces"),
            "info": g.command("guest-info"),
            "vcpus": g.command("guest-get-vcpus"),
            "memory-blocks": g.command("guest-get-memory-blocks"),
            "memory-block-info": g.command("guest-get-memory-block-info"),
            "users": g.command("guest-get-users"),
            "timezone": g.command("guest-get-timezone"),
        }

    def require_exporter(self):
        assert self.exporter is not None and self.exporter.proc is not None \
            and self.exporter.proc.poll() is None, "the exporter is not running"


TESTS = []


def test(fn):
    TESTS.append(fn)
    return fn


# ---------------------------------------------------------------- the tests

@test
def guests_boot(s):
    """Every guest boots and its agents answer (5-10 s after start under TCG)."""
    for g in s.guests:
        g.wait_agents(180)
        log("%s: agents answer" % g.name)


@test
def guests_report_the_truth(s):
    """The harness itself: each guest reports the identity its command line gave it."""
    for g in s.guests:
        t = s.truth(g)
        assert t["host-name"] == g.hostname, "%s host name %r" % (g.name, t["host-name"])
        assert t["osinfo"].get("kernel-release") == s.release, t["osinfo"]
        assert t["osinfo"].get("id") == "qga-e2e", t["osinfo"]
        data = [f for f in t["fsinfo"] if f.get("mountpoint") == "/data"]
        assert data and data[0]["type"] == "ext4", "no ext4 /data in %s" % t["fsinfo"]
        size = data[0]["total-bytes"]
        assert 0.7 * (g.disk_mib << 20) < size <= g.disk_mib << 20, "disk size %s" % size
        eth0 = [i for i in t["interfaces"] if i.get("hardware-address") == g.mac]
        assert eth0, "no interface with MAC %s in %s" % (g.mac, t["interfaces"])
        ips = [a["ip-address"] for a in eth0[0].get("ip-addresses", [])]
        assert g.ip in ips, "%s not on %s: %s" % (g.ip, eth0[0]["name"], ips)


@test
def agent_cli(s):
    """`qga-exporter.jar agent --socket S JSON` against a real guest agent (CONTRACT exit codes)."""
    g = s.guest("e2e-a")
    r = subprocess.run(["java", "-jar", s.jar, "agent", "--socket", g.sock1, "--timeout", "10s",
                        '{"execute":"guest-get-host-name"}'], capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 0, "agent exited %d: %s%s" % (r.returncode, r.stdout, r.stderr)
    assert json.loads(r.stdout) == {"host-name": g.hostname}, r.stdout
    r = subprocess.run(["java", "-jar", s.jar, "agent", "--socket", g.sock1,
                        '{"execute":"guest-no-such-command"}'], capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 1, "unknown command: exit %d: %s%s" % (r.returncode, r.stdout, r.stderr)
    assert "CommandNotFound" in r.stdout + r.stderr, r.stdout + r.stderr


@test
def exporter_starts(s):
    s.exporter.write_config(s.config())
    s.exporter.start()
    samples = s.exporter.metrics()
    assert select(samples, "qga_exporter_build_info"), "no qga_exporter_build_info"


@test
def all_domains_up(s):
    s.require_exporter()
    for g in s.guests:
        s.wait_metric("qga_up", lambda v: v == 1, 120, "qga_up of " + g.name, domain=g.name)


@test
def api_domains(s):
    """GET /api/v1/domains lists every guest, plain and libvirt."""
    s.require_exporter()
    status, body, _ = s.api("GET", "/api/v1/domains")
    assert status == 200, "GET /api/v1/domains: %s %s" % (status, body)
    listed = re.findall(r'"(e2e-[a-z0-9]+)"', str(body).replace("'", '"'))
    for g in s.guests:
        assert g.name in listed, "%s missing from GET /api/v1/domains: %s" % (g.name, body)


@test
def collector_series(s):
    """Every collector's series for every guest, with the values the guest itself reports."""
    s.require_exporter()
    for g in s.guests:
        t = s.truth(g)
        supported = {c["name"] for c in t["info"]["supported_commands"] if c.get("enabled")}
        # a .0-only libvirt domain: libvirt's typed calls only (no raw command, no taint)
        typed = g.kind == "libvirt" and not g.with_direct

        def check():
            m = s.exporter.metrics()
            d = {"domain": g.name}
            for c in COLLECTORS:
                if c == "load" and "guest-get-load" not in supported:
                    continue
                if typed and c not in TYPED_COLLECTORS:
                    assert not select(m, "qga_collector_success", collector=c, **d), \
                        "%s: collector %s polled on the typed route" % (g.name, c)
                    continue
                v = one(m, "qga_collector_success", collector=c, **d)
                assert v == 1, "%s: collector %s failed" % (g.name, c)
            if typed:
                assert not select(m, "qga_agent_info", **d), "agent version on the typed route"
                _typed_series(s, g, m, t)
                return
            assert one(m, "qga_agent_info", version=t["info"]["version"], **d) == 1
            # os: host name from the kernel command line, kernel release of /boot/vmlinuz-*
            os_info = one(m, "qga_guest_os_info", **d)
            assert os_info == 1
            labels = select(m, "qga_guest_os_info", **d)[0][0]
            assert labels.get("hostname") == g.hostname == t["host-name"], labels
            assert labels.get("kernel_release") == s.release, labels
            assert labels.get("id") == "qga-e2e" and labels.get("machine") == "x86_64", labels
            # filesystem: the data disk's size as the guest's statvfs gives it
            fs = [f for f in t["fsinfo"] if f["mountpoint"] == "/data"][0]
            size = one(m, "qga_filesystem_size_bytes", mountpoint="/data", **d)
            assert size == fs["total-bytes"], "size %s, guest says %s" % (size, fs["total-bytes"])
            assert one(m, "qga_filesystem_used_bytes", mountpoint="/data", **d) >= 0
            assert one(m, "qga_filesystem_avail_bytes", mountpoint="/data", **d) > 0
            assert one(m, "qga_filesystem_frozen", **d) == 0
            # network: the MAC given on the QEMU command line, the address /init set
            nic = [i for i in t["interfaces"] if i.get("hardware-address") == g.mac][0]
            addr = one(m, "qga_network_address_info", interface=nic["name"], address=g.ip,
                       mac=g.mac, family="ipv4", prefix="24", **d)
            assert addr == 1
            stats = nic["statistics"]  # the link is down: these do not move
            for metric, key in (("qga_network_receive_bytes_total", "rx-bytes"),
                                ("qga_network_transmit_bytes_total", "tx-bytes"),
                                ("qga_network_receive_packets_total", "rx-packets"),
                                ("qga_network_transmit_packets_total", "tx-packets"),
                                ("qga_network_receive_errors_total", "rx-errs"),
                                ("qga_network_transmit_dropped_total", "tx-dropped")):
                got = one(m, metric, interface=nic["name"], **d)
                assert got == stats[key], "%s %s: %s, guest says %s" % (g.name, metric, got,
                                                                       stats[key])
            # users, memory, vcpus, time zone
            assert one(m, "qga_users_logged_in", **d) == len(t["users"])
            online = sum(1 for b in t["memory-blocks"] if b["online"])
            assert one(m, "qga_memory_blocks", state="online", **d) == online
            assert one(m, "qga_memory_block_size_bytes", **d) == t["memory-block-info"]["size"]
            assert one(m, "qga_memory_online_bytes", **d) == online * t["memory-block-info"]["size"]
            assert one(m, "qga_vcpus", state="online", **d) == len(t["vcpus"])
            assert one(m, "qga_guest_timezone_offset_seconds", zone=t["timezone"].get("zone", ""),
                       **d) == t["timezone"]["offset"]
            assert select(m, "qga_guest_time_offset_seconds", **d), "no time offset"
            # cpu and disk: counters that a booted guest has moved
            assert one(m, "qga_guest_cpu_seconds_total", cpu="0", mode="system", **d) > 0
            assert one(m, "qga_guest_disk_read_bytes_total", device="vda", **d) > 0
            assert select(m, "qga_guest_disk_written_bytes_total", device="vda", **d)
            # load: qemu-ga before 10.0 has no guest-get-load: no series and no failure
            load = select(m, "qga_guest_load1", **d)
            if "guest-get-load" in supported:
                assert load, "no qga_guest_load1"
            else:
                assert not load, "qga_guest_load1 for an agent without guest-get-load: %s" % load

        eventually(check, 60, "series of " + g.name, interval=2)


def _typed_series(s, g, m, t):
    """The series a .0-only libvirt domain has on the typed route, with the guest's values."""
    d = {"domain": g.name}
    labels = select(m, "qga_guest_os_info", **d)[0][0]
    assert labels.get("hostname") == g.hostname, labels
    assert labels.get("kernel_release") == s.release, labels
    assert labels.get("id") == "qga-e2e" and labels.get("machine") == "x86_64", labels
    fs = [f for f in t["fsinfo"] if f["mountpoint"] == "/data"][0]
    assert one(m, "qga_filesystem_size_bytes", mountpoint="/data", **d) == fs["total-bytes"]
    assert one(m, "qga_filesystem_avail_bytes", mountpoint="/data", **d) > 0
    assert one(m, "qga_network_address_info", address=g.ip, mac=g.mac, family="ipv4",
               prefix="24", **d) == 1
    assert one(m, "qga_users_logged_in", **d) == len(t["users"])
    assert one(m, "qga_vcpus", state="online", **d) == len(t["vcpus"])
    assert one(m, "qga_guest_timezone_offset_seconds", zone=t["timezone"].get("zone", ""),
               **d) == t["timezone"]["offset"]
    assert select(m, "qga_guest_time_offset_seconds", **d), "no time offset"
    for absent in ("qga_network_receive_bytes_total", "qga_memory_blocks",
                   "qga_guest_cpu_seconds_total", "qga_guest_disk_read_bytes_total",
                   "qga_filesystem_frozen"):
        assert not select(m, absent, **d), "%s on the typed route" % absent


@test
def libvirt_channel_stays_libvirts(s):
    """With the exporter running, libvirt still owns .0 (the exporter uses .1 or libvirt)."""
    s.require_exporter()
    lv = [g for g in s.guests if g.kind == "libvirt"]
    assert lv, "no libvirt guests"
    for g in lv:
        s.wait_metric("qga_up", lambda v: v == 1, 60, "qga_up " + g.name, domain=g.name)
        assert g.agent_command("guest-ping", timeout=5) == {}


@test
def time_offset(s):
    s.require_exporter()
    s.wait_metric("qga_guest_time_offset_seconds", lambda v: abs(v - HOUR) < 10, 60,
                  "e2e-b (RTC 1 h ahead) offset near 3600 s", domain="e2e-b")
    for g in s.guests:
        if g.name != "e2e-b":
            s.wait_metric("qga_guest_time_offset_seconds", lambda v: abs(v) < 5, 60,
                          "offset of %s near 0" % g.name, domain=g.name)


@test
def time_sync_policy(s):
    """A time_sync policy (time_offset_above: 1s) brings e2e-b within 1 s of the host."""
    s.require_exporter()
    s.exporter.write_config(s.config(with_policy=True))
    s.exporter.proc.send_signal(signal.SIGHUP)  # the daemon reloads its config on SIGHUP
    eventually(lambda: _policy_loaded(s), 30, "the clock-drift policy is loaded")
    assert s.metric("qga_config_last_reload_successful") == 1
    s.wait_metric("qga_guest_time_offset_seconds", lambda v: abs(v) < 1, 90,
                  "e2e-b offset under 1 s after the policy", domain="e2e-b")
    guest_ns = s.guest("e2e-b").command("guest-get-time")
    assert abs(guest_ns / 1e9 - time.time()) < 1.5, "guest clock still off: %s" % guest_ns
    runs = select(s.exporter.metrics(), "qga_action_runs_total", action="time_sync",
                  policy="clock-drift", domain="e2e-b")
    assert any(l.get("result") in ("success", "succeeded") and v >= 1 for l, v in runs), runs


def _policy_loaded(s):
    status, body, _ = s.api("GET", "/api/v1/policies")
    assert status == 200 and "clock-drift" in str(body), \
        "GET /api/v1/policies: %s %s" % (status, body)


@test
def api_reload(s):
    """POST /-/reload with an admin token reloads the config (and counts it)."""
    s.require_exporter()
    status, body, _ = s.exporter.http("POST", "/-/reload", token=None)
    assert status == 401, "POST /-/reload without a token: %s %s" % (status, body)
    status, body, _ = s.api("POST", "/-/reload")
    assert status == 200, "POST /-/reload: %s %s" % (status, body)
    assert s.metric("qga_config_last_reload_successful") == 1


@test
def fstrim_api(s):
    """Files written and deleted on /data, then POST .../fstrim reports trimmed bytes."""
    s.require_exporter()
    g = s.guest("e2e-a")
    g.sh("dd if=/dev/urandom of=/data/junk bs=1M count=16 2>/dev/null && sync"
         " && rm /data/junk && sync", timeout=120)
    job = s.wait_job(s.api("POST", "/api/v1/domains/e2e-a/fstrim", {"minimum": 0}))
    assert job["state"] == "succeeded", "fstrim job: %s" % job
    trimmed = [v for k, v in walk(job.get("result"))
               if k in ("trimmed", "trimmed_bytes") and isinstance(v, int)]
    assert trimmed and max(trimmed) >= 16 << 20, "trimmed bytes in %s" % job
    s.wait_metric("qga_fstrim_trimmed_bytes", lambda v: v == max(trimmed), 30,
                  "qga_fstrim_trimmed_bytes of /data", domain="e2e-a", mountpoint="/data")


def _exec_switch(s, on):
    """Rewrites the running exporter's config with api.exec.enabled on or off and reloads."""
    with open(s.exporter.config) as f:
        text = f.read()
    text = re.sub(r"\n  exec:\n    enabled: \w+\n", "\n", text)
    text = text.replace("\napi:\n", "\napi:\n  exec:\n    enabled: %s\n" % ("true" if on else "false"), 1)
    s.exporter.write_config(text)
    status, body, _ = s.api("POST", "/-/reload")
    assert status == 200, "POST /-/reload with api.exec.enabled %s: %s %s" % (on, status, body)


def _file_request(s, method, domain, path, data=None):
    """PUT or GET /api/v1/domains/{domain}/files?path= with raw bytes: (status, body bytes)."""
    url = "%s/api/v1/domains/%s/files?%s" % (
        s.exporter.url, domain, urllib.parse.urlencode({"path": path}))
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Authorization", "Bearer " + s.token)
    if data is not None:
        request.add_header("Content-Type", "application/octet-stream")
    try:
        with urllib.request.urlopen(request, timeout=120) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


@test
def exec_and_files_api(s):
    """POST .../exec and PUT/GET .../files on a real guest through the exporter, with
    api.exec.enabled switched on by a reload; the same exporter refuses them when it is off."""
    s.require_exporter()
    g = s.guest("e2e-a")
    body = {"path": "/bin/sh", "arg": ["-c", "echo out; echo err >&2; exit 3"]}
    status, reply, _ = s.api("POST", "/api/v1/domains/e2e-a/exec", body)
    assert status == 403 and "api.exec.enabled is false" in str(reply), \
        "exec before it is enabled: %s %s" % (status, reply)
    _exec_switch(s, True)
    try:
        status, reply, _ = s.api("POST", "/api/v1/domains/e2e-a/exec", body)
        assert status == 200, "exec: %s %s" % (status, reply)
        assert reply["exitcode"] == 3, reply
        assert base64.b64decode(reply["stdout"]) == b"out\n", reply
        assert base64.b64decode(reply["stderr"]) == b"err\n", reply
        assert not reply["stdout_truncated"] and not reply["stderr_truncated"], reply
        # standard input reaches the program
        status, reply, _ = s.api("POST", "/api/v1/domains/e2e-a/exec", {
            "path": "/bin/sh", "arg": ["-c", "tr a-z A-Z"],
            "input": base64.b64encode(b"piped\n").decode()})
        assert status == 200 and base64.b64decode(reply["stdout"]) == b"PIPED\n", reply

        data = os.urandom(300 * 1024)
        status, raw = _file_request(s, "PUT", "e2e-a", "/tmp/e2e-blob", data)
        assert status == 200, "PUT: %s %s" % (status, raw[:300])
        assert json.loads(raw)["size"] == len(data), raw
        # the guest itself (through the test's own channel) sees the same bytes
        md5 = g.sh("md5sum /tmp/e2e-blob").split()[0]
        assert md5 == hashlib.md5(data).hexdigest(), "md5 in the guest %s" % md5
        status, raw = _file_request(s, "GET", "e2e-a", "/tmp/e2e-blob")
        assert status == 200, "GET: %s %s" % (status, raw[:300])
        assert raw == data, "GET returned %d bytes, not the %d written" % (len(raw), len(data))
        status, raw = _file_request(s, "GET", "e2e-a", "/tmp/no-such-file")
        assert status == 404 and b"No such file" in raw, "GET missing: %s %s" % (status, raw)

        audit = []
        with open(os.path.join(harness.OUT, "state", "audit.jsonl")) as f:
            for line in f:
                audit.append(json.loads(line))
        mine = [(a["action"], a["result"]) for a in audit
                if a["action"] in ("exec", "file_put", "file_get")]
        assert ("exec", "started") in mine and ("file_put", "succeeded") in mine, mine
        assert not any("piped" in json.dumps(a) for a in audit), "stdin in the audit log"
    finally:
        _exec_switch(s, False)
    status, reply, _ = s.api("POST", "/api/v1/domains/e2e-a/exec", body)
    assert status == 403 and "api.exec.enabled is false" in str(reply), \
        "exec after it is disabled again: %s %s" % (status, reply)
    status, raw = _file_request(s, "GET", "e2e-a", "/tmp/e2e-blob")
    assert status == 403, "GET after exec is disabled again: %s" % status
    g.sh("rm -f /tmp/e2e-blob")


def walk(value):
    if isinstance(value, dict):
        for k, v in value.items():
            yield k, v
            yield from walk(v)
    elif isinstance(value, list):
        for v in value:
            yield from walk(v)


WRITER = ("( i=0; while [ $i -lt 3000 ]; do echo $i > /data/freeze-probe;"
          " echo $i >> /run/freeze-probe.log; i=$((i+1)); usleep 100000; done )"
          " </dev/null >/dev/null 2>&1 & echo $! > /run/freeze-probe.pid")
STOP_WRITER = "kill $(cat /run/freeze-probe.pid 2>/dev/null) 2>/dev/null; true"


def writes(g):
    return int(g.sh("wc -l < /run/freeze-probe.log 2>/dev/null || echo 0").strip() or 0)


def freeze(s, deadline):
    status, body, headers = s.api("POST", "/api/v1/domains/e2e-a/fsfreeze",
                                  {"deadline": deadline})
    if status == 202:
        job = s.wait_job((status, body, headers), timeout=60)
        assert job["state"] == "succeeded", "fsfreeze job: %s" % job
    else:
        assert status == 200, "POST fsfreeze: %s %s" % (status, body)


def assert_writes_blocked(s, g, window=3.0):
    s.wait_metric("qga_filesystem_frozen", lambda v: v == 1, 15, "frozen", domain=g.name)
    before = writes(g)
    time.sleep(window)  # asserting that nothing happens takes a window of time
    after = writes(g)
    assert after == before, "guest writes to /data went on while frozen (%d -> %d)" % (
        before, after)
    return before


def assert_writes_resume(g, since, timeout):
    return eventually(lambda: _more(g, since), timeout, "guest writes resume after thaw")


def _more(g, since):
    n = writes(g)
    assert n > since, "still %d writes" % n
    return n


@test
def fsfreeze_thaw_api(s):
    """fsfreeze via the API blocks guest writes to /data until POST .../fsthaw."""
    s.require_exporter()
    g = s.guest("e2e-a")
    g.sh("rm -f /run/freeze-probe.log; " + WRITER)
    eventually(lambda: _more(g, 5), 20, "the writer runs")
    try:
        freeze(s, "60s")
        blocked_at = assert_writes_blocked(s, g)
        status, body, _ = s.api("POST", "/api/v1/domains/e2e-a/fstrim", {})
        assert status == 409, "fstrim while frozen should be 409, got %s %s" % (status, body)
    finally:
        status, body, headers = s.api("POST", "/api/v1/domains/e2e-a/fsthaw")
    if status == 202:
        status = 200 if s.wait_job((status, body, headers))["state"] == "succeeded" else 500
    assert status == 200, "POST fsthaw: %s %s" % (status, body)
    assert_writes_resume(g, blocked_at, 15)
    s.wait_metric("qga_filesystem_frozen", lambda v: v == 0, 15, "thawed", domain="e2e-a")


@test
def fsfreeze_deadline(s):
    """A freeze with a 10 s deadline and no thaw is thawed by the exporter at the deadline."""
    s.require_exporter()
    g = s.guest("e2e-a")
    g.sh(STOP_WRITER + "; rm -f /run/freeze-probe.log; " + WRITER)
    eventually(lambda: _more(g, 5), 20, "the writer runs")
    start = time.monotonic()
    freeze(s, "10s")
    blocked_at = assert_writes_blocked(s, g, window=2.0)
    assert_writes_resume(g, blocked_at, 30)
    took = time.monotonic() - start
    assert 7 <= took <= 25, "thawed %.1f s after the freeze (deadline 10 s)" % took
    s.wait_metric("qga_filesystem_frozen", lambda v: v == 0, 15, "thawed", domain="e2e-a")
    g.sh(STOP_WRITER)


@test
def agent_kill_recovers(s):
    """A guest whose agent is killed shows qga_up 0 and recovers when it is restarted."""
    s.require_exporter()
    cases = [(s.guest("e2e-c"), "0")]  # plain: the exporter uses .0, we control through .1
    if any(g.name == "e2e-lv1" for g in s.guests):
        cases.append((s.guest("e2e-lv1"), "1"))  # libvirt: the exporter uses .1, we use .0
    for g, port in cases:
        s.wait_metric("qga_up", lambda v: v == 1, 60, "qga_up %s before" % g.name, domain=g.name)
        try:
            assert g.sh("qga-ctl stop %s" % port).strip() == "stopped"
            s.wait_metric("qga_up", lambda v: v == 0, 45, "qga_up %s with its agent killed"
                          % g.name, domain=g.name)
        finally:
            g.sh("qga-ctl start %s" % port)
        s.wait_metric("qga_up", lambda v: v == 1, 60, "qga_up %s after the agent restarted"
                      % g.name, domain=g.name)
        s.wait_metric("qga_collector_success", lambda v: v == 1, 30, "os collector after restart",
                      domain=g.name, collector="os")


@test
def reboot_resync(s):
    """A guest rebooted through its agent comes back and the exporter resyncs (qga_up 1)."""
    s.require_exporter()
    g = s.guest("e2e-b")
    boot_id = g.sh("cat /proc/sys/kernel/random/boot_id").strip()
    s.wait_metric("qga_up", lambda v: v == 1, 30, "qga_up before reboot", domain=g.name)
    with g.agent() as a:
        a.execute("guest-shutdown", {"mode": "reboot"}, expect_reply=False)
    rebooted = time.time()

    def new_boot():
        try:
            now = g.sh("cat /proc/sys/kernel/random/boot_id", timeout=5).strip()
        except AssertionError:
            raise
        except Exception as e:  # the agent is down or half up while the guest reboots
            raise AssertionError(str(e))
        assert now != boot_id, "same boot id"
    eventually(new_boot, 240, "e2e-b comes back after the reboot", interval=1)
    assert g.alive(), "QEMU of e2e-b exited on reboot"
    s.wait_metric("qga_up", lambda v: v == 1, 60, "qga_up after reboot", domain=g.name)
    s.wait_metric("qga_collector_last_success_timestamp_seconds", lambda v: v > rebooted, 60,
                  "fresh os data after reboot", domain=g.name, collector="os")
    labels = select(s.exporter.metrics(), "qga_guest_os_info", domain=g.name)[0][0]
    assert labels.get("hostname") == g.hostname, labels


@test
def ansible_agent_connection(s):
    """Tasks inside the guests through qga.exporter.agent and the exporter's exec and files
    endpoints: refused while api.exec.enabled is off; with it on (a reload), raw and script on
    e2e-a (no Python), setup, command, copy, fetch and a role on e2e-py
    (ansible/tests/agent_connection.yml), each exec and transfer audited under the token's
    name; off again afterwards."""
    s.require_exporter()
    ansible = os.path.join(os.path.dirname(harness.HERE), "ansible")
    work = os.path.join(harness.OUT, "agent-connection")
    os.makedirs(os.path.join(work, "fetched"), exist_ok=True)
    inventory = os.path.join(work, "guests.qga.yml")
    with open(inventory, "w") as f:
        f.write("plugin: qga.exporter.domains\nexporters:\n"
                "  - {name: e2e, url: \"%s\", token_file: \"%s\"}\n"
                "connection_plugin: true\n" % (s.exporter.url, s.token_file))
    payload = os.path.join(work, "payload.bin")
    with open(payload, "wb") as f:
        f.write(os.urandom(300 * 1024 + 7))
    audit = os.path.join(harness.OUT, "state", "audit.jsonl")
    audit_before = _lines(audit)
    with open(os.path.join(work, "vars.json"), "w") as f:
        json.dump({"qga_exporter_token": s.token, "qga_busybox_host": "e2e-a",
                   "qga_python_host": "e2e-py", "qga_release": s.release,
                   "qga_payload": payload, "qga_fetched": os.path.join(work, "fetched")}, f)
    # exec off (the default): the play stops at its first task, naming the switch
    log_off = os.path.join(harness.OUT, "ansible-agent-off.log")
    r = _playbook(ansible, "agent_connection.yml", inventory, os.path.join(work, "vars.json"),
                  log_off)
    text = " ".join(harness.tail(log_off, 200).split())
    assert r.returncode != 0 and "UNREACHABLE" in text and \
        "set api.exec.enabled: true in its config" in text, \
        "with exec off, exit %d:\n%s" % (r.returncode, harness.tail(log_off, 30))
    _exec_switch(s, True)
    try:
        r = _playbook(ansible, "agent_connection.yml", inventory,
                      os.path.join(work, "vars.json"), os.path.join(harness.OUT, "ansible-agent.log"))
    finally:
        _exec_switch(s, False)
    assert r.returncode == 0, "ansible-playbook exited %d:\n%s" % (
        r.returncode, harness.tail(os.path.join(harness.OUT, "ansible-agent.log"), 60))
    with open(os.path.join(work, "fetched", "payload.bin"), "rb") as f, open(payload, "rb") as p:
        assert f.read() == p.read(), "the fetched payload differs from what was copied in"
    # what the guest itself says, on the channel the exporter does not use
    assert "written through the agent" in s.guest("e2e-py").sh("cat /data/hello.txt")
    # every exec and transfer in the audit log, under the token's name: script puts a file in
    # e2e-a; copy puts and fetch gets files in e2e-py
    records = [json.loads(line) for line in _lines(audit)[len(audit_before):]]
    for domain, want in (("e2e-a", {"exec", "file_put"}),
                         ("e2e-py", {"exec", "file_put", "file_get"})):
        actions = set(r.get("action") for r in records if r.get("domain") == domain
                      and r.get("origin") == "api:e2e" and r.get("result") == "succeeded")
        assert want <= actions, "audited for %s: %s, want %s" % (domain, sorted(actions),
                                                                sorted(want))


def _lines(path):
    try:
        with open(path) as f:
            return f.read().splitlines()
    except FileNotFoundError:
        return []


def _playbook(ansible, name, inventory, extra_vars, log_path):
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=ansible, ANSIBLE_NOCOLOR="1",
               ANSIBLE_HOST_KEY_CHECKING="False", ANSIBLE_RETRY_FILES_ENABLED="0",
               ANSIBLE_INVENTORY_UNPARSED_FAILED="1", ANSIBLE_PYTHON_INTERPRETER="/usr/bin/python3")
    r = subprocess.run(["ansible-playbook", "-i", inventory, "-e", "@" + extra_vars,
                        os.path.join(ansible, "tests", name)], env=env, capture_output=True,
                       text=True, timeout=600)
    with open(log_path, "w") as f:
        f.write(r.stdout + r.stderr)
    return r


@test
def ansible_domain_info_and_power(s):
    """The Ansible collection against a real guest: domain_info, then power (shutdown)."""
    s.require_exporter()
    collection = os.path.join(os.path.dirname(harness.HERE), "ansible")
    assert os.path.isdir(os.path.join(collection, "ansible_collections", "qga", "exporter")), \
        "no Ansible collection at ansible/ansible_collections/qga/exporter"
    playbook_bin = "ansible-playbook"
    assert subprocess.run(["which", playbook_bin], capture_output=True).returncode == 0, \
        "ansible-playbook not found (apt-get install ansible-core)"
    g = s.guest("e2e-c")
    playbook = os.path.join(harness.OUT, "power.yml")
    with open(playbook, "w") as f:
        f.write("""- hosts: localhost
  gather_facts: false
  vars:
    api: {url: "%(url)s", token: "%(token)s"}
  tasks:
    - name: domain_info
      qga.exporter.domain_info:
        url: "{{ api.url }}"
        token: "{{ api.token }}"
        domain: %(domain)s
      register: info
    - name: show
      debug: {var: info}
    - name: the guest as its agent reports it
      assert:
        that:
          - info.domain.up
          - info.domain.hostname == '%(hostname)s'
          - info.domain.os.kernel_release == '%(release)s'
          - "'%(ip)s' in info.domain.ip_addresses"
          - "'%(mac)s' in (info.domain.interfaces | map(attribute='mac') | list)"
          - "'/data' in (info.domain.filesystems | map(attribute='mountpoint') | list)"
    - name: power off through the agent
      qga.exporter.power:
        url: "{{ api.url }}"
        token: "{{ api.token }}"
        domain: %(domain)s
        state: shutdown
      register: power
    - name: changed tells the truth
      assert: {that: [power is changed]}
""" % {"url": s.exporter.url, "token": s.token, "domain": g.name, "hostname": g.hostname,
           "mac": g.mac, "ip": g.ip, "release": s.release})
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=collection, ANSIBLE_NOCOLOR="1",
               ANSIBLE_LOCALHOST_WARNING="False", ANSIBLE_INVENTORY_UNPARSED_WARNING="False")
    r = subprocess.run([playbook_bin, "-i", "localhost,", "-c", "local", playbook], env=env,
                       capture_output=True, text=True, timeout=300)
    with open(os.path.join(harness.OUT, "ansible.log"), "w") as f:
        f.write(r.stdout + r.stderr)
    assert r.returncode == 0, "ansible-playbook exited %d:\n%s" % (
        r.returncode, harness.tail(os.path.join(harness.OUT, "ansible.log"), 30))
    code = g.wait_exit(90)
    assert code is not None, "QEMU of %s still runs 90 s after the Ansible power shutdown" % g.name
    assert code == 0, "QEMU of %s exited %s" % (g.name, code)


# issue 17: the typed libvirt route, in e2e/libvirt_typed.py (the exporter must still run)
TESTS.append(libvirt_typed.libvirt_typed_route)


@test
def exporter_clean_stop(s):
    s.require_exporter()
    code = s.exporter.stop(timeout=30)
    assert code == 0, "exporter exit code on SIGTERM: %s (CONTRACT: 0 after a clean stop)" % code


# Runs last: it stops the root exporter first, as only one client at a time may hold a
# guest's .1 channel.
NONROOT_USER = "qga-e2e-lv"


def _nonroot_exporter(s, name, as_user, uri="qemu:///system"):
    e = harness.Exporter(s.jar, harness.free_port(), name=name, as_user=as_user)
    state = os.path.join(s.run_dir, name + ".state")
    os.makedirs(state, exist_ok=True)
    uid = int(subprocess.run(as_user + ["id", "-u"], capture_output=True, text=True,
                             check=True).stdout)
    os.chown(state, uid, -1)
    e.write_config("""server:
  listen: "127.0.0.1:%d"
discovery:
  refresh_interval: 1s
  libvirt:
    enabled: true
    run_dir: /run/libvirt/qemu
    uri: "%s"
agent:
  command_timeout: 5s
  backoff_max: 2s
collectors:
  os: {enabled: true, interval: 2s}
state_dir: %s
""" % (e.port, uri, state))
    return e


def _until(e, value, timeout, what, name, **labels):
    def check():
        got = one(e.metrics(), name, **labels)
        assert got == value, "%s%s is %s, want %s" % (name, labels, got, value)
    eventually(check, timeout, what)


def _text(e, path):
    status, body, _ = e.http("GET", path, timeout=15)
    return status, body if isinstance(body, str) else json.dumps(body)


@test
def nonroot_libvirt_discovery(s):
    """The exporter as non-root users on a real libvirt host, whose run dir files are root-only:
    discovery lists the domains through libvirt's read-only API; a user in group libvirt and in
    the group of the .1 socket polls both (.1 directly, .0 through libvirt); a user with no
    groups at all still discovers both (libvirtd's read-only socket is 0777) but may reach
    neither agent; with no libvirt connection either, the warning, qga_discovery_errors and
    /-/ready say so."""
    assert s.libvirt is not None, "libvirt guests did not start"
    if s.exporter is not None and s.exporter.proc is not None and s.exporter.proc.poll() is None:
        s.exporter.stop(timeout=30)  # frees lv1's .1 channel
    lv1, lv2 = s.guest("e2e-lv1"), s.guest("e2e-lv2")
    files = sorted(f for f in os.listdir("/run/libvirt/qemu") if f.endswith(".xml"))
    for f in files:
        st = os.stat(os.path.join("/run/libvirt/qemu", f))
        log("run dir %s: mode %o uid %d" % (f, st.st_mode & 0o777, st.st_uid))
        assert st.st_mode & 0o077 == 0, "libvirt made %s readable by others: nothing to test" % f
    assert len(files) == 2, "run dir holds %s" % files
    sock = os.stat(lv1.sock1)
    import grp
    import pwd
    sock_group = grp.getgrgid(sock.st_gid).gr_name
    log("%s: owner %s group %s mode %o" % (lv1.sock1, pwd.getpwuid(sock.st_uid).pw_name,
                                           sock_group, sock.st_mode & 0o777))
    for sock_path in glob_channel_sockets(lv2.name):
        st = os.stat(sock_path)
        log("%s: uid %d gid %d mode %o" % (sock_path, st.st_uid, st.st_gid, st.st_mode & 0o777))

    # 1. a service user in group libvirt and in the socket's group
    if subprocess.run(["getent", "passwd", NONROOT_USER], capture_output=True).returncode:
        subprocess.run(["useradd", "-r", "-M", "-d", "/nonexistent", "-s", "/usr/sbin/nologin",
                        NONROOT_USER], check=True)
    subprocess.run(["usermod", "-a", "-G", "libvirt," + sock_group, NONROOT_USER], check=True)
    member = ["setpriv", "--reuid", NONROOT_USER, "--regid", NONROOT_USER, "--init-groups"]
    e = _nonroot_exporter(s, "exporter-lvgroup", member)
    try:
        e.start()
        for g in (lv1, lv2):
            _until(e, 1, 90, "qga_up of %s as %s" % (g.name, NONROOT_USER), "qga_up",
                   domain=g.name)
        m = e.metrics()
        assert one(m, "qga_discovered_domains") == 2
        assert one(m, "qga_discovery_errors", source="libvirt_api") == 0
        assert one(m, "qga_discovery_errors", source="libvirt_run_dir") == 0
        status, body = _text(e, "/-/ready")
        assert status == 200, "/-/ready: %s %s" % (status, body)
        with open(e.log) as f:
            text = f.read()
        assert "cannot read 2 of 2 domain files in libvirt's run dir /run/libvirt/qemu as user " \
            + NONROOT_USER in text, harness.tail(e.log, 20)
        assert "listing domains through libvirt's API over a read-only connection" in text
    finally:
        e.stop()

    # 2. a user with no supplementary groups at all: discovery still works (read-only socket
    # 0777), the agents are out of its reach and the log says why
    nobody = ["setpriv", "--reuid", "nobody", "--regid", "nogroup", "--clear-groups"]
    e = _nonroot_exporter(s, "exporter-nogroups", nobody)
    try:
        e.start()
        _until(e, 2, 30, "both libvirt domains discovered as nobody", "qga_discovered_domains")
        m = e.metrics()
        assert one(m, "qga_discovery_errors", source="libvirt_api") == 0
        assert _text(e, "/-/ready")[0] == 200
        time.sleep(8)  # several polls: neither agent may answer this user
        m = e.metrics()
        for g in (lv1, lv2):
            assert one(m, "qga_up", domain=g.name) == 0, "%s answered nobody" % g.name
        with open(e.log) as f:
            text = f.read()
        if not sock.st_mode & 0o002:
            assert "may not connect to its agent socket " + lv1.sock1 in text, \
                harness.tail(e.log, 20)
    finally:
        e.stop()

    # 3. no libvirt connection either (the read-write socket, 0770 root:libvirt, as the
    # read-only one): loud, once, on every surface
    uri = "qemu:///system?socket=/run/libvirt/libvirt-sock"
    e = _nonroot_exporter(s, "exporter-noconnection", nobody, uri)
    try:
        e.start()
        m = e.metrics()
        assert one(m, "qga_discovered_domains") == 0
        assert one(m, "qga_discovery_errors", source="libvirt_api") == 1
        assert one(m, "qga_discovery_errors", source="libvirt_run_dir") == 2
        status, body = _text(e, "/-/ready")
        assert status == 503, "/-/ready: %s %s" % (status, body)
        assert "/run/libvirt/qemu" in body and "Fix:" in body, body
        status, body = _text(e, "/")
        assert "Discovery cannot read every source" in body, body[:500]
        time.sleep(4)  # more refreshes: still one warning
        with open(e.log) as f:
            text = f.read()
        assert text.count("WARNING discovery: cannot read 2 of 2 domain files") == 1, \
            harness.tail(e.log, 20)
        r = subprocess.run(nobody + ["java", "-jar", s.jar, "check-config", "--config", e.config],
                           capture_output=True, text=True, timeout=120)
        assert r.returncode == 0, r.stdout + r.stderr
        assert "warning: cannot read 2 of 2 domain files in libvirt's run dir /run/libvirt/qemu" \
            in r.stderr and "Fix:" in r.stderr, r.stderr
    finally:
        e.stop()


def glob_channel_sockets(domain):
    import glob
    return glob.glob("/var/lib/libvirt/qemu/channel/target/domain-*-%s/*" % domain)


# libvirt's events (issue 17): after the suite's own tests, with an exporter of their own
import libvirt_events  # noqa: E402

TESTS.extend(libvirt_events.TESTS)


# ---------------------------------------------------------------- driver

def main():
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    only = set(sys.argv[1:])
    s = Suite()
    s.exporter = harness.Exporter(s.jar, harness.free_port())
    passed, failed, xfailed, xpassed = [], [], [], []
    started = time.monotonic()
    try:
        try:
            s.boot()
            boot_error = None
        except Exception as e:
            boot_error = e
            traceback.print_exc()
        for fn in TESTS:
            name = fn.__name__
            if only and name not in only and name not in ("guests_boot", "exporter_starts"):
                continue
            log("---- %s" % name)
            t0 = time.monotonic()
            try:
                if boot_error is not None:
                    raise AssertionError("guests did not start: %s" % boot_error)
                fn(s)
                error = None
            except Exception as e:
                error = e
                detail = "".join(traceback.format_exception_only(type(e), e)).strip()
            took = time.monotonic() - t0
            if error is None:
                if name in EXPECTED_TO_FAIL:
                    xpassed.append(name)
                    log("XPASS %s (%.1fs): remove it from EXPECTED_TO_FAIL" % (name, took))
                else:
                    passed.append(name)
                    log("PASS %s (%.1fs)" % (name, took))
            elif name in EXPECTED_TO_FAIL:
                xfailed.append(name)
                log("XFAIL %s (%.1fs, expected %s): %s" % (name, took, EXPECTED_TO_FAIL[name],
                                                          detail))
            else:
                failed.append(name)
                log("FAIL %s (%.1fs): %s" % (name, took, detail))
                if not isinstance(error, AssertionError):
                    traceback.print_exception(type(error), error, error.__traceback__)
            if name == "guests_boot" and error is not None:
                boot_error = error
    finally:
        log("stopping everything this run started")
        s.cleanup()
    if failed or boot_error is not None:
        for g in s.guests:
            for path in g.logs():
                local = os.path.join(harness.OUT, g.name + "." + os.path.basename(path)) \
                    if g.kind == "libvirt" else path
                print("---- tail of %s" % local)
                print(harness.tail(local, 25))
        print("---- tail of %s" % s.exporter.log)
        print(harness.tail(s.exporter.log, 60))
    log("took %.0f s; logs in %s" % (time.monotonic() - started, harness.OUT))
    if xfailed:
        print("expected to fail (features not landed yet): " + ", ".join(xfailed))
    if xpassed:
        print("XPASS (remove from EXPECTED_TO_FAIL): " + ", ".join(xpassed))
    print("%d passed, %d failed" % (len(passed) + len(xpassed), len(failed)))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
