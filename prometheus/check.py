#!/usr/bin/env python3
"""Checks for the Grafana dashboards and Prometheus rules; run by prometheus/test.sh.

  check.py lint                          dashboards are well-formed (no Prometheus needed)
  check.py coverage                      every alert has a firing and a silent promtool test,
                                         every recording rule an expression test
  check.py live --prometheus URL --exporter URL [--wait S]
                                         against a real Prometheus scraping a running exporter:
                                         rules loaded and healthy, every metric the dashboards and
                                         rules name is in the exporter's /metrics, every panel query
                                         of every dashboard runs without error and returns data

Prints one line per check ("ok - ..." / "FAIL - ..." / "note - ...") and ends with
"RESULT passed=N failed=M". Standard library only.
"""

import json
import math
import pathlib
import re
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parent.parent
DASHBOARDS = sorted((ROOT / "grafana" / "dashboards").glob("*.json"))
RULES = sorted((ROOT / "prometheus" / "rules").glob("*.yaml"))
RULE_TESTS = sorted((ROOT / "prometheus" / "tests").glob("*.yaml"))

# Series that exist only after an event, so a freshly started demo may not have them. Each entry
# says which event. test.sh adds a policy that trims every 2 s to the demo, so the action series
# appear as soon as the daemon runs policies; a note is printed when an allow-listed name is
# present, so entries that are no longer needed show.
EVENT_ONLY_METRICS = {
    "qga_action_runs_total": "appears with the first policy or API action run",
    "qga_action_last_success_timestamp_seconds": "appears with the first successful action",
    "qga_fstrim_trimmed_bytes": "appears with the first fstrim",
    "qga_policy_next_run_timestamp_seconds": "only for scheduled policies, once the policy engine runs",
    "qga_collector_dropped_items": "only when a guest reports more items than the limits allow",
    "qga_domain_paused": "only with a libvirt event connection (the demo has no libvirt);"
    " the e2e suite checks it on real libvirt",
    "qga_libvirt_events_connected": "only with libvirt discovery (the demo has no libvirt);"
    " the e2e suite checks it on real libvirt",
}

# Panels (dashboard uid, panel title) that show only the event-only series above: they must run
# without error, but may be empty in a fresh demo.
EVENT_ONLY_PANELS = {
    ("qga-fleet", "Action runs by result"): "no action has run yet",
    ("qga-fleet", "Failed runs in the time range"): "lists failures only; the demo's actions succeed",
    ("qga-fleet", "Last successful action"): "no action has succeeded yet",
    ("qga-fleet", "Bytes trimmed by the last fstrim (top 20)"): "no fstrim has run yet",
    ("qga-fleet", "Next scheduled policy runs"): "only for scheduled policies, once the policy engine runs",
    ("qga-fleet", "Guest items dropped by limits"): "no guest exceeded a limit",
    ("qga-domain", "Action runs"): "no action has run yet",
    ("qga-domain", "Last successful action"): "no action has succeeded yet",
    ("qga-domain", "Bytes trimmed by the last fstrim"): "no fstrim has run yet",
    ("qga-domain", "Guest items dropped by limits"): "no guest exceeded a limit",
}

# Names the dashboards use that Prometheus itself records for every target.
PROMETHEUS_SERIES = {"up", "scrape_duration_seconds"}

# What Grafana would substitute. $__rate_interval is at least 4 scrape intervals: 1m is safe
# for the test's 1 s scrapes. $__range is the dashboard's time range.
GRAFANA_VARIABLES = {"$__rate_interval": "1m", "$__range": "5m", "$__interval": "2s"}
RANGE_SECONDS = 60
RANGE_STEP = "2"


class Report:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def check(self, ok, what, detail=""):
        if ok:
            self.passed += 1
            print(f"ok - {what}")
        else:
            self.failed += 1
            print(f"FAIL - {what}{': ' + detail if detail else ''}")
        return ok

    @staticmethod
    def note(what):
        print(f"note - {what}")

    def finish(self):
        print(f"RESULT passed={self.passed} failed={self.failed}")
        return 1 if self.failed else 0


def load_dashboards():
    return [(path, json.loads(path.read_text(encoding="utf-8"))) for path in DASHBOARDS]


def panels(dashboard):
    for panel in dashboard.get("panels", []):
        if panel.get("type") == "row":
            yield from panel.get("panels", [])
        else:
            yield panel


def qga_metric_names(expr):
    """Raw qga_ metric names in a PromQL expression (not recording rules: those contain ':')."""
    without_strings = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)
    names = set(re.findall(r"[a-zA-Z_:][a-zA-Z0-9_:]*", without_strings))
    return {name for name in names if name.startswith("qga_") and ":" not in name}


def prometheus_series_names(expr):
    return {name for name in PROMETHEUS_SERIES if re.search(rf"(?<![\w:]){name}\s*\{{", expr)}


# ---------------------------------------------------------------------------------------- lint


def lint(report):
    generate = subprocess.run([sys.executable, str(ROOT / "grafana" / "generate.py"), "--check"],
                              capture_output=True, text=True)
    report.check(generate.returncode == 0, "grafana/dashboards/*.json are what grafana/generate.py writes",
                 generate.stderr.strip())
    dashboards = load_dashboards()
    report.check(len(dashboards) >= 2, "at least two dashboards", f"found {len(dashboards)}")
    uids = set()
    for path, dashboard in dashboards:
        name = path.name
        text = path.read_text(encoding="utf-8")
        uid = dashboard.get("uid")
        report.check(uid and path.stem == uid and uid not in uids, f"{name}: stable unique uid {uid!r} = file name")
        uids.add(uid)
        report.check("${DS_" not in text and "__inputs" not in dashboard,
                     f"{name}: no ${{DS_...}} import inputs")
        report.check(36 <= dashboard.get("schemaVersion", 0) <= 41, f"{name}: schemaVersion for Grafana 10/11",
                     str(dashboard.get("schemaVersion")))
        report.check(dashboard.get("id") is None, f"{name}: no database id (provisioned by uid)")
        variables = {v["name"]: v for v in dashboard.get("templating", {}).get("list", [])}
        ds = variables.get("datasource", {})
        report.check(ds.get("type") == "datasource" and ds.get("query") == "prometheus",
                     f"{name}: 'datasource' variable of type datasource (prometheus)")
        instance_query = variable_query(variables.get("instance", {}))
        domain_query = variable_query(variables.get("domain", {}))
        report.check(instance_query.startswith("label_values(qga_up") and instance_query.endswith(", instance)"),
                     f"{name}: 'instance' variable from label_values(qga_up, instance)", instance_query)
        report.check(domain_query.startswith("label_values(qga_up{") and "$instance" in domain_query
                     and domain_query.endswith(", domain)"),
                     f"{name}: 'domain' variable chained from instance", domain_query)
        ids = [p.get("id") for p in dashboard.get("panels", [])]
        ids += [p.get("id") for p in panels(dashboard) if p not in dashboard.get("panels", [])]
        report.check(len(ids) == len(set(ids)), f"{name}: unique panel ids")
        titles = [p.get("title") for p in panels(dashboard)]
        duplicates = sorted({t for t in titles if titles.count(t) > 1})
        report.check(not duplicates, f"{name}: unique panel titles (the allow-list uses them)", str(duplicates))
        problems = []
        for panel in panels(dashboard):
            title = panel.get("title")
            if panel.get("datasource", {}).get("uid") != "${datasource}":
                problems.append(f"{title}: datasource is not ${{datasource}}")
            if not panel.get("fieldConfig", {}).get("defaults", {}).get("unit"):
                problems.append(f"{title}: no unit")
            pos = panel.get("gridPos", {})
            if pos.get("x", 0) + pos.get("w", 0) > 24 or pos.get("w", 0) <= 0 or pos.get("h", 0) <= 0:
                problems.append(f"{title}: gridPos {pos} outside the 24-column grid")
            if not panel.get("targets"):
                problems.append(f"{title}: no query")
            for target in panel.get("targets", []):
                expr = target.get("expr", "")
                if target.get("datasource", {}).get("uid") != "${datasource}":
                    problems.append(f"{title} {target.get('refId')}: target datasource is not ${{datasource}}")
                for function, window in re.findall(r"\b(rate|irate|increase)\s*\((?:[^()\[]|\([^()]*\))*\[([^\]]*)\]",
                                                    expr):
                    if window not in ("$__rate_interval", "$__range"):
                        problems.append(f"{title}: {function}(...[{window}]) should use $__rate_interval")
        report.check(not problems, f"{name}: every panel has a unit, the datasource variable, a query, "
                                   f"and rates over $__rate_interval", "; ".join(problems))
    for provisioning in ("grafana/provisioning/datasources/prometheus.yaml",
                         "grafana/provisioning/dashboards/qga.yaml"):
        report.check((ROOT / provisioning).is_file(), f"{provisioning} exists")


def variable_query(variable):
    query = variable.get("query", "")
    return query.get("query", "") if isinstance(query, dict) else query


# ------------------------------------------------------------------------------------ coverage


def coverage(report):
    alerts = []
    records = []
    for path in RULES:
        text = path.read_text(encoding="utf-8")
        alerts += re.findall(r"^\s*- alert:\s*(\S+)\s*$", text, re.M)
        records += re.findall(r"^\s*- record:\s*(\S+)\s*$", text, re.M)
    report.check(alerts, "rules define alerts")
    firing, silent, tested_exprs = set(), set(), ""
    for path in RULE_TESTS:
        text = path.read_text(encoding="utf-8")
        # one alert_rule_test item: "- eval_time: ...\n  alertname: X\n  exp_alerts: ..." up to the next item
        for item in re.split(r"\n\s*- eval_time:", text)[1:]:
            name = re.search(r"^\s*alertname:\s*(\S+)", item, re.M)
            if not name:
                continue
            expected = re.search(r"^\s*exp_alerts:(.*)$", item, re.M)
            if expected and expected.group(1).strip() == "[]":
                silent.add(name.group(1))
            elif expected and "exp_labels" in item:
                firing.add(name.group(1))
        tested_exprs += "\n".join(re.findall(r"^\s*- expr:\s*(.*)$", text, re.M)) + "\n"
    for alert in alerts:
        report.check(alert in firing and alert in silent, f"alert {alert} has a firing and a not-firing test",
                     f"firing={alert in firing} not-firing={alert in silent}")
    for record in records:
        report.check(re.search(rf"(?<![\w:]){re.escape(record)}(?![\w:])", tested_exprs) is not None,
                     f"recording rule {record} has an expression test")
    runbooks(report)


def github_anchor(heading):
    """The anchor GitHub (and most Markdown renderers) give a heading."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def runbooks(report):
    """Every alert has a runbook_url pointing at a section of docs/operations.md that exists."""
    operations = ROOT / "docs" / "operations.md"
    anchors = {github_anchor(h) for h in re.findall(r"^#+\s+(.*)$", operations.read_text(encoding="utf-8"), re.M)}
    for path in RULES:
        text = path.read_text(encoding="utf-8")
        for block in re.split(r"\n\s*- alert:", text)[1:]:
            name = block.split()[0]
            url = re.search(r"^\s*runbook_url:\s*\"?([^\"\s]+)\"?\s*$", block, re.M)
            if not url:
                report.check(False, f"alert {name} has a runbook_url")
                continue
            page, _, anchor = url.group(1).partition("#")
            report.check(page.endswith("operations.md") and anchor in anchors,
                         f"alert {name} has a runbook_url into docs/operations.md that exists",
                         f"{url.group(1)}: no heading with anchor #{anchor} in {operations}")


# ---------------------------------------------------------------------------------------- live


class Prometheus:
    def __init__(self, url):
        self.url = url.rstrip("/")

    def get(self, path, **params):
        query = urllib.parse.urlencode(params, doseq=True)
        request = f"{self.url}{path}?{query}" if query else f"{self.url}{path}"
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                body = json.load(response)
        except urllib.error.HTTPError as e:
            try:
                body = json.load(e)
            except ValueError:
                return None, f"HTTP {e.code}"
        except (urllib.error.URLError, OSError, ValueError) as e:
            return None, str(e)
        if body.get("status") != "success":
            return None, f"{body.get('errorType')}: {body.get('error')}"
        return body.get("data"), None

    def instant(self, expr):
        return self.get("/api/v1/query", query=expr)

    def range(self, expr):
        end = time.time()
        return self.get("/api/v1/query_range", query=expr, start=f"{end - RANGE_SECONDS:.3f}",
                        end=f"{end:.3f}", step=RANGE_STEP)


def has_data(data):
    """True when a query result has at least one sample that is a number (not NaN)."""
    if not data or not data.get("result"):
        return False
    if data.get("resultType") == "scalar":
        return True
    for series in data["result"]:
        values = series.get("values") or [series.get("value")]
        for value in values:
            if value and value[1] != "NaN" and not math.isnan(float(value[1])):
                return True
    return False


def exporter_metric_names(url):
    with urllib.request.urlopen(url, timeout=30) as response:
        text = response.read().decode("utf-8", "replace")
    names = set()
    for line in text.splitlines():
        if line and not line.startswith("#"):
            names.add(re.match(r"[a-zA-Z_:][a-zA-Z0-9_:]*", line).group(0))
    return names


def rule_groups(prometheus):
    data, error = prometheus.get("/api/v1/rules")
    return (data or {}).get("groups", []), error


def names_in_use(dashboards, groups):
    """qga_ and Prometheus series names -> where they are used."""
    used = {}
    for path, dashboard in dashboards:
        for panel in panels(dashboard):
            for target in panel.get("targets", []):
                for name in qga_metric_names(target["expr"]) | prometheus_series_names(target["expr"]):
                    used.setdefault(name, set()).add(f"{path.name}: {panel['title']}")
    for group in groups:
        for rule in group["rules"]:
            for name in qga_metric_names(rule["query"]) | prometheus_series_names(rule["query"]):
                used.setdefault(name, set()).add(f"rule {rule['name']}")
    return used


def wait_for_data(prometheus, exporter_url, dashboards, wait_seconds):
    """Waits until every expected metric is exported and every recording rule has data."""
    deadline = time.time() + wait_seconds
    started = time.time()
    while True:
        groups, _ = rule_groups(prometheus)
        records = [r["name"] for g in groups for r in g["rules"] if r["type"] == "recording"]
        expected = {n for n in names_in_use(dashboards, groups)
                    if n.startswith("qga_") and n not in EVENT_ONLY_METRICS}
        try:
            missing = expected - exporter_metric_names(exporter_url)
        except OSError as e:
            missing = {f"(exporter unreachable: {e})"}
        empty = [r for r in records if not has_data(prometheus.instant(r)[0])]
        # rates over 1m need a few scrapes after the last series appeared
        if groups and not missing and not empty and time.time() - started >= 15:
            return
        if time.time() > deadline:
            print(f"note - gave up waiting after {wait_seconds}s: missing metrics {sorted(missing)}, "
                  f"recording rules without data {empty}")
            return
        time.sleep(1)


def variable_values(prometheus, query):
    """Values of label_values(SELECTOR, LABEL), as Grafana computes them."""
    match = re.fullmatch(r"label_values\((.*),\s*(\w+)\)", query.strip())
    selector, label = match.group(1), match.group(2)
    data, error = prometheus.get(f"/api/v1/label/{label}/values", **{"match[]": selector})
    return sorted(data or []), error


def substitute(expr, values):
    for name in sorted(values, key=len, reverse=True):
        expr = expr.replace(name, values[name])
    return expr


def variable_combinations(report, prometheus, dashboard):
    """Every assignment of the dashboard's query variables, chained in their order."""
    combos = [{}]
    for variable in dashboard["templating"]["list"]:
        if variable["type"] != "query":
            continue
        name = "$" + variable["name"]
        if variable.get("includeAll"):
            combos = [dict(c, **{name: variable["allValue"]}) for c in combos]
            continue
        expanded = []
        for combo in combos:
            values, error = variable_values(prometheus, substitute(variable_query(variable), combo))
            report.check(error is None and values, f"{dashboard['uid']}: variable {name} has values",
                         error or "none")
            expanded += [dict(combo, **{name: value}) for value in values]
        combos = expanded
    return combos


def live(report, prometheus_url, exporter_url, wait_seconds):
    prometheus = Prometheus(prometheus_url)
    dashboards = load_dashboards()
    wait_for_data(prometheus, exporter_url, dashboards, wait_seconds)

    groups, error = rule_groups(prometheus)
    loaded = {pathlib.Path(g["file"]).name for g in groups}
    report.check(error is None and loaded == {p.name for p in RULES},
                 "Prometheus loaded every rule file", error or f"loaded {sorted(loaded)}")
    for group in groups:
        for rule in group["rules"]:
            report.check(rule.get("health") == "ok" and not rule.get("lastError"),
                         f"rule {rule['name']} evaluates without error",
                         f"health={rule.get('health')} {rule.get('lastError', '')}")
            if rule["type"] == "recording":
                report.check(has_data(prometheus.instant(rule["name"])[0]),
                             f"recording rule {rule['name']} has data")
            elif rule.get("state") != "inactive":
                report.note(f"alert {rule['name']} is {rule.get('state')} on the demo")

    exported = exporter_metric_names(exporter_url)
    for name, where in sorted(names_in_use(dashboards, groups).items()):
        if name in PROMETHEUS_SERIES:
            report.check(has_data(prometheus.instant(name)[0]), f"{name} is recorded by Prometheus")
        elif name in exported:
            report.check(True, f"{name} is exported")
            if name in EVENT_ONLY_METRICS:
                report.note(f"{name} is allow-listed as event-only but present")
        elif name in EVENT_ONLY_METRICS:
            report.note(f"{name} not exported yet: allowed, {EVENT_ONLY_METRICS[name]}")
        else:
            report.check(False, f"{name} is exported", "used by " + "; ".join(sorted(where)))

    for path, dashboard in dashboards:
        uid = dashboard["uid"]
        combos = variable_combinations(report, prometheus, dashboard)
        for panel in panels(dashboard):
            for target in panel["targets"]:
                what = f"{uid} / {panel['title']} / {target['refId']}"
                errors, with_data = [], []
                for combo in combos or [{}]:
                    expr = substitute(target["expr"], {**GRAFANA_VARIABLES, **combo})
                    data, error = (prometheus.instant if target.get("instant") else prometheus.range)(expr)
                    if error:
                        errors.append(f"{expr}: {error}")
                    elif has_data(data):
                        with_data.append(combo)
                report.check(not errors, f"{what} runs without error", "; ".join(errors[:2]))
                allowed = EVENT_ONLY_PANELS.get((uid, panel["title"]))
                if allowed and not with_data:
                    report.note(f"{what} has no data: allowed, {allowed}")
                elif allowed:
                    report.note(f"{what} is allow-listed ({allowed}) but has data")
                    report.check(True, f"{what} returns data")
                else:
                    report.check(bool(with_data), f"{what} returns data",
                                 f"no data for any of {len(combos)} variable values; query: {target['expr']}")


def main(argv):
    report = Report()
    if not argv or argv[0] not in ("lint", "coverage", "live"):
        print(__doc__, file=sys.stderr)
        return 2
    if argv[0] == "lint":
        lint(report)
    elif argv[0] == "coverage":
        coverage(report)
    else:
        options = dict(zip(argv[1::2], argv[2::2]))
        live(report, options["--prometheus"], options["--exporter"], float(options.get("--wait", "120")))
    return report.finish()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
