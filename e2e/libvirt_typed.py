"""The libvirt typed route on real libvirtd (issue 17): a domain with only libvirt's own agent
channel (.0) is polled and driven through libvirt's typed calls, and libvirt never marks it
tainted; with discovery.libvirt.allow_raw_agent_commands the raw-only collectors appear, and so
does the taint (libvirt's own doing for every virDomainQemuAgentCommand: asserted, so the docs'
warning stays true).

The domain e2e-lv3 is started here and never sent a raw agent command by the test itself (the
suite's e2e-lv2 is: the harness pings it with `virsh qemu-agent-command`, which taints it). What
the test needs from the guest goes through typed virsh commands too (domtime, guestinfo).
"""

import os
import subprocess
import time

import harness
from harness import eventually, log, one, select

NAME = "e2e-lv3"
LOG = "/var/log/libvirt/qemu/%s.log" % NAME
TAINT = "tainted"


def _virsh(s, *args, check=False, timeout=60):
    return s.libvirt.virsh(*args, check=check, timeout=timeout)


def _log_since(offset):
    try:
        with open(LOG, "rb") as f:
            f.seek(offset)
            return f.read().decode(errors="replace")
    except FileNotFoundError:
        return ""


def _start(s):
    kernel = os.path.join(s.libvirt.dir, "vmlinuz")
    initrd = os.path.join(s.libvirt.dir, "initramfs")
    g = harness.LibvirtGuest(NAME, 13, s.libvirt, kernel, initrd, False)
    g.start()

    def agent_answers():
        r = _virsh(s, "domtime", NAME, timeout=30)  # virDomainGetTime: typed, no taint
        assert r.returncode == 0, "virsh domtime: %s" % r.stderr.strip()

    eventually(agent_answers, 240, "the agent of %s answers libvirt's typed calls" % NAME,
               interval=2)
    return g


def _stop(s):
    _virsh(s, "destroy", NAME)
    if NAME in s.libvirt.domains:
        s.libvirt.domains.remove(NAME)
    harness.forget_pid("guest-" + NAME)


def _keep(s, what, *args):
    """virsh output of a typed call, kept in the e2e output (real data for the unit fixtures)."""
    r = _virsh(s, *args)
    with open(os.path.join(harness.OUT, "%s.%s.txt" % (NAME, what)), "w") as f:
        f.write(r.stdout + r.stderr)
    return r


def _job(s, action, body):
    job = s.wait_job(s.api("POST", "/api/v1/domains/%s/%s" % (NAME, action), body))
    assert job["state"] == "succeeded", "%s job: %s" % (action, job)
    return job


def _promised(s):
    path = os.path.join(harness.OUT, "state", "fsfreeze.json")
    try:
        with open(path) as f:
            return NAME in f.read()
    except FileNotFoundError:
        return False


def libvirt_typed_route(s):
    """A .0-only libvirt domain: polled (fs, users, OS, interfaces, vCPUs, time), trimmed,
    time-synced and frozen/thawed through the API via libvirt's typed calls; its libvirt log has
    no taint line. With allow_raw_agent_commands: the raw-only collectors appear, and the taint."""
    s.require_exporter()
    assert s.libvirt is not None, "libvirt guests did not start"
    offset = os.path.getsize(LOG) if os.path.exists(LOG) else 0
    g = _start(s)
    try:
        _typed(s, g, offset)
        _raw(s, offset)
    finally:
        _stop(s)
        s.exporter.write_config(s.config())
        s.api("POST", "/-/reload")


def _typed(s, g, offset):
    d = {"domain": NAME}
    s.wait_metric("qga_up", lambda v: v == 1, 90, "qga_up of " + NAME, **d)
    for what, args in (("guestinfo", ("guestinfo", NAME)),
                       ("guestvcpus", ("guestvcpus", NAME)),
                       ("domifaddr", ("domifaddr", NAME, "--source", "agent", "--full"))):
        r = _keep(s, what, *args)
        assert r.returncode == 0, "virsh %s: %s" % (what, r.stderr.strip())

    def series():
        m = s.exporter.metrics()
        assert one(m, "qga_domain_info", route="libvirt_typed", **d) == 1
        info = select(m, "qga_domain_info", **d)[0][0]
        assert info.get("source") in ("libvirt_run_dir", "libvirt_api"), info
        assert len(info.get("uuid", "")) == 36, info
        for c in ("filesystem", "users", "os", "network", "vcpus", "time"):
            assert one(m, "qga_collector_success", collector=c, **d) == 1, c
        for c in ("memory_blocks", "cpu", "disk", "fsfreeze"):
            assert not select(m, "qga_collector_success", collector=c, **d), c
        assert one(m, "qga_filesystem_size_bytes", mountpoint="/data", **d) > 0
        assert one(m, "qga_users_logged_in", **d) >= 0
        os_info = select(m, "qga_guest_os_info", **d)[0][0]
        assert os_info.get("hostname") == NAME and os_info.get("id") == "qga-e2e", os_info
        assert one(m, "qga_network_address_info", address=g.ip, mac=g.mac, family="ipv4",
                   prefix="24", **d) == 1
        assert one(m, "qga_vcpus", state="online", **d) == 1
        assert not select(m, "qga_memory_blocks", **d)
        # the others keep their route: .1 and sockets are direct
        assert one(m, "qga_domain_info", domain="e2e-lv1", route="direct") == 1
        assert one(m, "qga_domain_info", domain="e2e-a", route="direct", source="glob") == 1

    eventually(series, 60, "typed-route series of " + NAME, interval=2)

    status, body, _ = s.api("GET", "/api/v1/domains/" + NAME)
    assert status == 200, body
    assert body["route"] == "libvirt_typed", body
    assert body["collectors"].get("filesystem") == "ok", body["collectors"]
    assert body["collectors"].get("memory_blocks") == "unsupported", body["collectors"]
    assert any(f.get("mountpoint") == "/data" for f in body["filesystems"]), body
    status, page, _ = s.exporter.http("GET", "/")
    assert status == 200 and "libvirt_typed" in page and "not polled: " in page, page[:2000]

    # what has no typed call: a clear error naming the route and the switch
    status, body, _ = s.api("POST", "/api/v1/domains/%s/command" % NAME,
                            {"execute": "guest-get-memory-blocks"})
    assert status == 501, "raw command on the typed route: %s %s" % (status, body)
    assert "libvirt_typed" in str(body) and "allow_raw_agent_commands" in str(body), body
    status, body, _ = s.api("POST", "/api/v1/domains/%s/shutdown" % NAME, {"mode": "halt"})
    assert status == 501 and "allow_raw_agent_commands" in str(body), \
        "shutdown halt on the typed route: %s %s" % (status, body)

    # fstrim through virDomainFSTrim
    _job(s, "fstrim", {"minimum": 0})

    # time sync: set the guest clock an hour back (virDomainSetTime), then sync from the host
    assert _virsh(s, "domtime", NAME, "--time", str(int(time.time()) - 3600)).returncode == 0
    s.wait_metric("qga_guest_time_offset_seconds", lambda v: abs(v + 3600) < 30, 60,
                  "%s an hour behind" % NAME, **d)
    _job(s, "time-sync", {"source": "host"})
    s.wait_metric("qga_guest_time_offset_seconds", lambda v: abs(v) < 5, 60,
                  "%s back in time after the sync" % NAME, **d)

    # freeze and thaw through virDomainFSFreeze/FSThaw, with the durable promise
    job = _job(s, "fsfreeze", {"deadline": "120s"})
    assert "frozen" in str(job.get("result")), job
    assert _promised(s), "no thaw promise for %s in fsfreeze.json" % NAME
    r = _virsh(s, "domtime", NAME)  # refused by the agent while frozen: proof from the guest
    assert r.returncode != 0 and "frozen" in r.stderr, "guest not frozen: %s %s" % (
        r.stdout, r.stderr)
    status, body, _ = s.api("GET", "/api/v1/domains/" + NAME)
    assert body.get("frozen") is True, body
    _job(s, "fsthaw", None)
    assert _virsh(s, "domtime", NAME).returncode == 0, "still frozen after the thaw"
    assert not _promised(s), "thaw promise left after the thaw"

    text = _log_since(offset)
    taints = [line for line in text.splitlines() if TAINT in line]
    assert not taints, "libvirt tainted %s on the typed route: %s" % (NAME, taints)
    log("%s: no taint line in %s after polling, fstrim, time-sync and freeze/thaw"
        % (NAME, LOG))


def _raw(s, offset):
    """Raw agent commands allowed: memory blocks, cpu and disk counters appear; libvirt logs
    the taint (`Domain id=N is tainted: custom-ga-command`) as the docs warn."""
    d = {"domain": NAME}
    s.exporter.write_config(s.config(raw_agent_commands=True))
    status, body, _ = s.api("POST", "/-/reload")
    assert status == 200, "reload: %s %s" % (status, body)

    def raw_series():
        m = s.exporter.metrics()
        assert one(m, "qga_domain_info", route="libvirt_raw", **d) == 1
        for c in ("memory_blocks", "cpu", "disk", "fsfreeze"):
            assert one(m, "qga_collector_success", collector=c, **d) == 1, c
        assert select(m, "qga_memory_blocks", state="online", **d)

    eventually(raw_series, 60, "raw-route series of " + NAME, interval=2)
    eventually(lambda: _assert_tainted(offset), 20, "libvirt logs the taint of " + NAME)


def _assert_tainted(offset):
    text = _log_since(offset)
    assert "is tainted: custom-ga-command" in text, "no taint line yet in %s" % LOG
