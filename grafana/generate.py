#!/usr/bin/env python3
"""Writes grafana/dashboards/qga-fleet.json and qga-domain.json.

The JSON files are committed (Grafana provisions them as they are); this script is their
source, so that layout, units and variables stay consistent. After changing it, run
`python3 grafana/generate.py`; `python3 grafana/generate.py --check` (run by
prometheus/test.sh) fails when the committed files differ from what it would write.
Standard library only.
"""

import json
import pathlib
import sys

OUT = pathlib.Path(__file__).resolve().parent / "dashboards"

DATASOURCE = {"type": "prometheus", "uid": "${datasource}"}

# Matchers for the two kinds of dashboards. The fleet dashboard's variables are multi-value with
# "All" (regex match); the domain dashboard's are single values (exact match, so domain names
# with regex characters work).
FLEET = 'instance=~"$instance", domain=~"$domain"'
FLEET_INSTANCE = 'instance=~"$instance"'
ONE = 'instance="$instance", domain="$domain"'
ONE_INSTANCE = 'instance="$instance"'

UP_MAPPING = [
    {
        "type": "value",
        "options": {
            "0": {"text": "down", "color": "red", "index": 0},
            "1": {"text": "up", "color": "green", "index": 1},
        },
    }
]
OK_MAPPING = [
    {
        "type": "value",
        "options": {
            "0": {"text": "failing", "color": "red", "index": 0},
            "1": {"text": "ok", "color": "green", "index": 1},
        },
    }
]
FROZEN_MAPPING = [
    {
        "type": "value",
        "options": {
            "0": {"text": "thawed", "color": "green", "index": 0},
            "1": {"text": "frozen", "color": "red", "index": 1},
        },
    }
]
RELOAD_MAPPING = [
    {
        "type": "value",
        "options": {
            "0": {"text": "failed", "color": "red", "index": 0},
            "1": {"text": "ok", "color": "green", "index": 1},
        },
    }
]


def thresholds(*steps):
    """steps: (value, color) pairs after the base color green."""
    result = [{"color": "green", "value": None}]
    result += [{"color": color, "value": value} for value, color in steps]
    return {"mode": "absolute", "steps": result}


def target(expr, legend="", instant=False, table=False, ref="A"):
    t = {
        "datasource": DATASOURCE,
        "editorMode": "code",
        "expr": expr,
        "legendFormat": legend or "__auto",
        "range": not instant,
        "instant": instant,
        "refId": ref,
    }
    if table:
        t["format"] = "table"
    return t


def targets(*specs, **common):
    """specs: (expr, legend) pairs; refIds A, B, C... in order."""
    return [
        target(expr, legend, ref=chr(ord("A") + i), **common) for i, (expr, legend) in enumerate(specs)
    ]


def column_override(column, unit=None, mappings=None, display=None):
    properties = []
    if unit:
        properties.append({"id": "unit", "value": unit})
    if mappings:
        properties.append({"id": "mappings", "value": mappings})
        properties.append({"id": "custom.cellOptions", "value": {"type": "color-text"}})
    if display:
        properties.append({"id": "displayName", "value": display})
    return {"matcher": {"id": "byName", "options": column}, "properties": properties}


def organize(exclude=(), rename=None, order=None):
    excluded = {name: True for name in ("Time", "__name__", "job", *exclude)}
    return {
        "id": "organize",
        "options": {
            "excludeByName": excluded,
            "indexByName": {name: i for i, name in enumerate(order or [])},
            "renameByName": rename or {},
        },
    }


class Dashboard:
    """Lays panels out left to right in rows of 24 grid units; ids in creation order."""

    def __init__(self, uid, title, description, variables):
        self.uid = uid
        self.title = title
        self.description = description
        self.variables = variables
        self.panels = []
        self.x = 0
        self.y = 0
        self.row_height = 0

    def _place(self, w, h):
        if self.x + w > 24:
            self.x = 0
            self.y += self.row_height
            self.row_height = 0
        pos = {"x": self.x, "y": self.y, "w": w, "h": h}
        self.x += w
        self.row_height = max(self.row_height, h)
        return pos

    def row(self, title):
        if self.x:
            self.x = 0
            self.y += self.row_height
            self.row_height = 0
        self.panels.append(
            {
                "type": "row",
                "id": len(self.panels) + 1,
                "title": title,
                "collapsed": False,
                "gridPos": {"x": 0, "y": self.y, "w": 24, "h": 1},
                "panels": [],
            }
        )
        self.y += 1

    def _panel(self, kind, title, description, unit, panel_targets, w, h, options, defaults, **extra):
        field_defaults = {"unit": unit, "color": {"mode": "palette-classic"}, "mappings": []}
        field_defaults.update(defaults)
        panel = {
            "type": kind,
            "id": len(self.panels) + 1,
            "title": title,
            "description": description,
            "datasource": DATASOURCE,
            "gridPos": self._place(w, h),
            "fieldConfig": {"defaults": field_defaults, "overrides": extra.pop("overrides", [])},
            "options": options,
            "targets": panel_targets,
        }
        panel.update(extra)
        self.panels.append(panel)

    def stat(self, title, description, unit, panel_targets, w=4, h=4, mappings=None, steps=(),
             text_mode="auto", graph=True):
        self._panel(
            "stat", title, description, unit, panel_targets, w, h,
            options={
                "reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False},
                "colorMode": "value",
                "graphMode": "area" if graph else "none",
                "justifyMode": "auto",
                "orientation": "auto",
                "textMode": text_mode,
                "wideLayout": True,
                "showPercentChange": False,
            },
            defaults={
                "color": {"mode": "thresholds"},
                "mappings": mappings or [],
                "thresholds": thresholds(*steps),
            },
        )

    def timeseries(self, title, description, unit, panel_targets, w=12, h=8, stack=False,
                   minimum=None, maximum=None, overrides=()):
        custom = {
            "drawStyle": "line",
            "lineWidth": 1,
            "fillOpacity": 20 if stack else 10,
            "showPoints": "never",
            "spanNulls": False,
            "stacking": {"mode": "normal" if stack else "none", "group": "A"},
            "axisSoftMin": 0,
        }
        defaults = {"custom": custom, "thresholds": thresholds()}
        if minimum is not None:
            defaults["min"] = minimum
        if maximum is not None:
            defaults["max"] = maximum
        self._panel(
            "timeseries", title, description, unit, panel_targets, w, h,
            options={
                "legend": {
                    "displayMode": "table",
                    "placement": "bottom",
                    "showLegend": True,
                    "calcs": ["lastNotNull", "max"],
                    "sortBy": "Last *",
                    "sortDesc": True,
                },
                "tooltip": {"mode": "multi", "sort": "desc"},
            },
            defaults=defaults,
            overrides=list(overrides),
        )

    def bargauge(self, title, description, unit, panel_targets, w=12, h=8, minimum=0, maximum=None,
                 steps=()):
        defaults = {"color": {"mode": "thresholds"}, "thresholds": thresholds(*steps), "min": minimum}
        if maximum is not None:
            defaults["max"] = maximum
        self._panel(
            "bargauge", title, description, unit, panel_targets, w, h,
            options={
                "reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False},
                "orientation": "horizontal",
                "displayMode": "gradient",
                "showUnfilled": True,
                "valueMode": "color",
                "namePlacement": "auto",
                "sizing": "auto",
                "minVizHeight": 16,
                "minVizWidth": 8,
                "maxVizHeight": 300,
            },
            defaults=defaults,
        )

    def table(self, title, description, unit, panel_targets, w=12, h=8, transformations=(),
              overrides=(), sort=None, links=()):
        defaults = {
            "custom": {"align": "auto", "cellOptions": {"type": "auto"}, "inspect": False,
                       "filterable": True},
            "thresholds": thresholds(),
            "links": list(links),
        }
        self._panel(
            "table", title, description, unit, panel_targets, w, h,
            options={
                "showHeader": True,
                "cellHeight": "sm",
                "footer": {"show": False, "reducer": ["sum"], "fields": "", "countRows": False},
                "sortBy": [sort] if sort else [],
            },
            defaults=defaults,
            overrides=list(overrides),
            transformations=list(transformations),
        )

    def json(self):
        return {
            "__requires": [
                {"type": "grafana", "id": "grafana", "name": "Grafana", "version": "10.0.0"},
                {"type": "datasource", "id": "prometheus", "name": "Prometheus", "version": "1.0.0"},
            ],
            "annotations": {
                "list": [
                    {
                        "builtIn": 1,
                        "datasource": {"type": "grafana", "uid": "-- Grafana --"},
                        "enable": True,
                        "hide": True,
                        "iconColor": "rgba(0, 211, 255, 1)",
                        "name": "Annotations & Alerts",
                        "type": "dashboard",
                    }
                ]
            },
            "description": self.description,
            "editable": True,
            "fiscalYearStartMonth": 0,
            "graphTooltip": 1,
            "id": None,
            "links": [
                {
                    "title": "qga-exporter",
                    "type": "dashboards",
                    "tags": ["qga-exporter"],
                    "asDropdown": True,
                    "includeVars": True,
                    "keepTime": True,
                    "icon": "external link",
                    "targetBlank": False,
                    "tooltip": "",
                    "url": "",
                }
            ],
            "panels": self.panels,
            "refresh": "30s",
            "schemaVersion": 39,
            "tags": ["qga-exporter", "qemu", "guest-agent"],
            "templating": {"list": self.variables},
            "time": {"from": "now-6h", "to": "now"},
            "timepicker": {},
            "timezone": "",
            "title": self.title,
            "uid": self.uid,
            "version": 1,
            "weekStart": "",
        }


def datasource_variable():
    return {
        "name": "datasource",
        "label": "Data source",
        "type": "datasource",
        "query": "prometheus",
        "current": {},
        "hide": 0,
        "includeAll": False,
        "multi": False,
        "options": [],
        "refresh": 1,
        "regex": "",
        "skipUrlSync": False,
    }


def query_variable(name, label, query, multi):
    variable = {
        "name": name,
        "label": label,
        "type": "query",
        "datasource": DATASOURCE,
        "definition": query,
        "query": {"query": query, "refId": "PrometheusVariableQueryEditor-VariableQuery", "qryType": 1},
        "current": {},
        "hide": 0,
        "includeAll": multi,
        "multi": multi,
        "options": [],
        "refresh": 2,
        "regex": "",
        "skipUrlSync": False,
        "sort": 1,
    }
    if multi:
        # one short regex instead of every value joined with "|" (large fleets)
        variable["allValue"] = ".+"
        variable["current"] = {"selected": True, "text": ["All"], "value": ["$__all"]}
    return variable


def variables(multi):
    return [
        datasource_variable(),
        query_variable("instance", "Exporter", "label_values(qga_up, instance)", multi),
        query_variable("domain", "Domain", 'label_values(qga_up{instance=~"$instance"}, domain)', multi),
    ]


DOMAIN_LINK = {
    "title": "Open ${__data.fields.domain} in qga domain",
    "url": "/d/qga-domain/qga-domain?${datasource:queryparam}&var-instance=${__data.fields.instance}"
    "&var-domain=${__data.fields.domain}&${__url_time_range}",
    "targetBlank": False,
}


def fleet():
    d = Dashboard(
        "qga-fleet",
        "qga fleet",
        "Every VM's QEMU guest agent on the selected hypervisor hosts (qga-exporter): agents down, "
        "filesystems filling, clock drift, frozen guests, top talkers, actions, exporter health.",
        variables(multi=True),
    )
    f = FLEET

    d.row("Overview")
    d.stat("Domains", "Domains discovered, with or without a working agent.", "none",
           targets((f"count(qga_up{{{f}}})", "domains")), graph=False)
    d.stat("Agents up", "Domains whose agent answered its last sync.", "none",
           targets((f"sum(qga_up{{{f}}})", "up")), graph=False)
    d.stat("Agents down", "Domains whose agent did not answer its last sync (alert QgaAgentDown after 10 m).",
           "none", targets((f"count(qga_up{{{f}}} == 0) or vector(0)", "down")), steps=((1, "red"),))
    d.stat("Frozen guests", "Guests with frozen filesystems (alert QgaGuestFrozen after 10 m).", "none",
           targets((f"count(qga_filesystem_frozen{{{f}}} == 1) or vector(0)", "frozen")), steps=((1, "red"),))
    d.stat("Clocks off by more than 1 s", "Guests whose clock differs from the host's by more than 1 s.",
           "none", targets((f"count(abs(qga_guest_time_offset_seconds{{{f}}}) > 1) or vector(0)", "skewed")),
           steps=((1, "orange"),))
    d.stat("Filesystems above 85 %", "Guest filesystems more than 85 % used.", "none",
           targets((f"count(domain_mountpoint:qga_filesystem_used:ratio{{{f}}} > 0.85) or vector(0)", "filling")),
           steps=((1, "orange"),))
    d.table(
        "Agents",
        "Every domain's agent: up or down (down first), agent version, how long ago the last "
        "collector poll succeeded, and how the exporter reaches it (route: direct, libvirt_typed, "
        "libvirt_raw; see docs/hosts.md) with the libvirt UUID for joins. Click a domain for its "
        "own dashboard.",
        "none",
        targets(
            (f"qga_up{{{f}}} * on (instance, job, domain) group_left (version) qga_agent_info{{{f}}}"
             f" or on (instance, job, domain) qga_up{{{f}}}", ""),
            (f"time() - max by (instance, job, domain) (qga_collector_last_success_timestamp_seconds{{{f}}})", ""),
            (f"qga_domain_info{{{f}}}", ""),
            instant=True, table=True,
        ),
        w=24, h=8,
        transformations=[
            {"id": "merge", "options": {}},
            organize(exclude=("Value #C",),
                     rename={"Value #A": "Agent", "Value #B": "Last successful poll",
                             "instance": "Exporter", "domain": "Domain", "version": "Agent version",
                             "route": "Route", "source": "Found by", "uuid": "UUID"},
                     order=["domain", "Value #A", "version", "Value #B", "route", "source",
                            "uuid", "instance"]),
        ],
        overrides=[column_override("Agent", unit="none", mappings=UP_MAPPING),
                   column_override("Last successful poll", unit="s")],
        sort={"displayName": "Agent", "desc": False},
        links=[DOMAIN_LINK],
    )

    d.row("Filesystems")
    d.bargauge("Fullest filesystems", "The 10 guest filesystems with the highest share in use.",
               "percentunit",
               targets((f"topk(10, domain_mountpoint:qga_filesystem_used:ratio{{{f}}})",
                        "{{domain}} {{mountpoint}}"), instant=True),
               w=8, maximum=1, steps=((0.85, "orange"), (0.95, "red")))
    d.timeseries("Filesystem usage (fullest 10)", "Share in use of the 10 fullest guest filesystems.",
                 "percentunit",
                 targets((f"topk(10, domain_mountpoint:qga_filesystem_used:ratio{{{f}}})",
                          "{{domain}} {{mountpoint}}")),
                 w=8, minimum=0, maximum=1)
    d.table(
        "Free space in 24 h at the 6 h trend (lowest 10)",
        "Free space each filesystem would have in 24 hours if it kept growing as in the last 6 "
        "hours; negative means full before then (alert QgaFilesystemWillFillIn24Hours above 85 %).",
        "bytes",
        targets(
            (f"bottomk(10, predict_linear(qga_filesystem_avail_bytes{{{f}}}[6h], 24 * 3600))", ""),
            (f"qga_filesystem_avail_bytes{{{f}}}", ""),
            instant=True, table=True,
        ),
        w=8,
        transformations=[
            {"id": "merge", "options": {}},
            {"id": "filterByValue", "options": {
                "type": "include", "match": "any",
                "filters": [{"fieldName": "Value #A", "config": {"id": "isNotNull", "options": {}}}]}},
            organize(exclude=("fstype", "device"),
                     rename={"Value #A": "Free in 24 h", "Value #B": "Free now", "domain": "Domain",
                             "mountpoint": "Mountpoint", "instance": "Exporter"},
                     order=["domain", "mountpoint", "Value #A", "Value #B", "instance"]),
        ],
        sort={"displayName": "Free in 24 h", "desc": False},
        links=[DOMAIN_LINK],
    )

    d.row("Clocks and freezes")
    d.timeseries(
        "Guest clock offset (largest 10)",
        "Guest clock minus host clock for the 10 guests that are off the most (alert QgaGuestClockSkew "
        "above 1 s for 10 m).",
        "s",
        targets((f"qga_guest_time_offset_seconds{{{f}}} and on (instance, job, domain) "
                 f"topk(10, abs(qga_guest_time_offset_seconds{{{f}}}))", "{{domain}}")),
    )
    d.table(
        "Freeze state (frozen first)",
        "fsfreeze state of every guest. A guest frozen for long blocks every write (alert QgaGuestFrozen).",
        "none",
        targets((f"sort_desc(qga_filesystem_frozen{{{f}}})", ""), instant=True, table=True),
        transformations=[organize(rename={"Value": "Filesystems", "domain": "Domain", "instance": "Exporter"},
                                  order=["domain", "Value", "instance"])],
        overrides=[column_override("Filesystems", mappings=FROZEN_MAPPING)],
        sort={"displayName": "Filesystems", "desc": True},
        links=[DOMAIN_LINK],
    )

    d.row("Network and CPU: top talkers")
    d.bargauge("Top receivers", "Guests receiving the most (all interfaces, 5 m rate).", "Bps",
               targets((f"topk(10, domain:qga_network_receive_bytes:rate5m{{{f}}})", "{{domain}}"),
                       instant=True), w=6)
    d.bargauge("Top transmitters", "Guests sending the most (all interfaces, 5 m rate).", "Bps",
               targets((f"topk(10, domain:qga_network_transmit_bytes:rate5m{{{f}}})", "{{domain}}"),
                       instant=True), w=6)
    d.timeseries(
        "Guest network traffic (top 10)",
        "Receive and transmit rate of the 10 busiest guests, as their agents count it.",
        "Bps",
        targets(
            (f"topk(10, sum by (instance, domain) (rate(qga_network_receive_bytes_total{{{f}}}[$__rate_interval])))",
             "{{domain}} received"),
            (f"topk(10, sum by (instance, domain) (rate(qga_network_transmit_bytes_total{{{f}}}[$__rate_interval])))",
             "{{domain}} sent"),
        ),
    )
    d.timeseries(
        "Network errors and drops (top 10)",
        "Packets with errors or dropped, received and sent, per guest.",
        "pps",
        targets((
            f"topk(10, sum by (instance, domain) ("
            f"rate(qga_network_receive_errors_total{{{f}}}[$__rate_interval])"
            f" + rate(qga_network_transmit_errors_total{{{f}}}[$__rate_interval])"
            f" + rate(qga_network_receive_dropped_total{{{f}}}[$__rate_interval])"
            f" + rate(qga_network_transmit_dropped_total{{{f}}}[$__rate_interval])))",
            "{{domain}}")),
    )
    d.timeseries("Guest CPU busy (top 10)",
                 "Share of guest CPU time not idle (5 m rate, all vCPUs), from guest-get-cpustats.",
                 "percentunit",
                 targets((f"topk(10, domain:qga_guest_cpu_utilisation:rate5m{{{f}}})", "{{domain}}")),
                 minimum=0, maximum=1)
    d.timeseries("Guest load average, 1 m (top 10)",
                 "Guest load1 (guest-get-load, agents 10.0 and newer).", "short",
                 targets((f"topk(10, qga_guest_load1{{{f}}})", "{{domain}}")))

    d.row("Collectors")
    d.stat("Failing collectors", "Collector polls that failed last time, over all domains "
           "(alert QgaCollectorFailing after 15 m while the agent is up).", "none",
           targets((f"count(qga_collector_success{{{f}}} == 0) or vector(0)", "failing")),
           w=4, h=8, steps=((1, "red"),))
    d.timeseries("Domains with a failing collector", "Per collector, how many domains failed their last poll.",
                 "none", targets((f"sum by (collector) (1 - qga_collector_success{{{f}}})", "{{collector}}")),
                 w=10)
    d.timeseries("Data age (oldest domain)",
                 "Per collector, time since the last successful poll of the domain polled longest ago.",
                 "s",
                 targets((f"max by (collector) (time() - qga_collector_last_success_timestamp_seconds{{{f}}})",
                          "{{collector}}")),
                 w=10)
    d.table(
        "Collector status (failing first)",
        "Every collector of every domain; failing ones on top.",
        "none",
        targets((f"sort(qga_collector_success{{{f}}})", ""), instant=True, table=True),
        w=14,
        transformations=[organize(rename={"Value": "Last poll", "domain": "Domain", "collector": "Collector",
                                          "instance": "Exporter"},
                                  order=["domain", "collector", "Value", "instance"])],
        overrides=[column_override("Last poll", mappings=OK_MAPPING)],
        sort={"displayName": "Last poll", "desc": False},
        links=[DOMAIN_LINK],
    )
    d.timeseries("Guest items dropped by limits",
                 "Items a guest reported beyond the configured limits (interfaces, filesystems, users...), "
                 "dropped in the last poll. A guest sending this much is misconfigured or hostile.",
                 "none",
                 targets((f"sum by (collector, kind) (qga_collector_dropped_items{{{f}}})", "{{collector}} {{kind}}")),
                 w=10)

    d.row("Actions (policies and control API)")
    d.stat("Action runs", "Actions run in the time range (policy and API, every result).", "none",
           targets((f"sum(increase(qga_action_runs_total{{{f}}}[$__range])) or vector(0)", "runs")),
           graph=False)
    d.stat("Failed action runs", "Actions that failed in the time range (alert QgaPolicyActionFailing "
           "at 3 failures of a policy in 1 h).", "none",
           targets((f'sum(increase(qga_action_runs_total{{{f}, result="failed"}}[$__range])) or vector(0)',
                    "failed")),
           graph=False, steps=((1, "red"),))
    d.timeseries("Action runs by result", "Runs per action and result (succeeded, failed, skipped, dry_run).",
                 "none",
                 targets((f"sum by (action, result) (increase(qga_action_runs_total{{{f}}}[$__rate_interval]))",
                          "{{action}} {{result}}")),
                 w=16, stack=True)
    d.table(
        "Failed runs in the time range",
        "Failures by domain, action and policy (policy api or empty: control API).",
        "none",
        targets((f'sum by (instance, domain, action, policy) (increase(qga_action_runs_total{{{f}, '
                 f'result="failed"}}[$__range])) > 0', ""), instant=True, table=True),
        transformations=[organize(rename={"Value": "Failures", "domain": "Domain", "action": "Action",
                                          "policy": "Policy", "instance": "Exporter"},
                                  order=["domain", "action", "policy", "Value", "instance"])],
        sort={"displayName": "Failures", "desc": True},
        links=[DOMAIN_LINK],
    )
    d.table(
        "Last successful action",
        "When each action last succeeded on each domain.",
        "dateTimeFromNow",
        targets((f"qga_action_last_success_timestamp_seconds{{{f}}} * 1000", ""), instant=True, table=True),
        transformations=[organize(rename={"Value": "Last success", "domain": "Domain", "action": "Action",
                                          "instance": "Exporter"},
                                  order=["domain", "action", "Value", "instance"])],
        sort={"displayName": "Last success", "desc": False},
        links=[DOMAIN_LINK],
    )
    d.bargauge("Bytes trimmed by the last fstrim (top 20)", "Per domain and mountpoint, from the last fstrim.",
               "bytes",
               targets((f"topk(20, qga_fstrim_trimmed_bytes{{{f}}})", "{{domain}} {{mountpoint}}"), instant=True))
    d.table(
        "Next scheduled policy runs",
        "When each scheduled policy fires next.",
        "dateTimeFromNow",
        targets((f"qga_policy_next_run_timestamp_seconds{{{FLEET_INSTANCE}}} * 1000", ""),
                instant=True, table=True),
        transformations=[organize(rename={"Value": "Next run", "policy": "Policy", "instance": "Exporter"},
                                  order=["policy", "Value", "instance"])],
        sort={"displayName": "Next run", "desc": False},
    )

    d.row("Exporter health")
    i = FLEET_INSTANCE
    d.stat("Config reload", "Whether the last configuration reload succeeded (alert QgaConfigReloadFailed).",
           "none", targets((f"min(qga_config_last_reload_successful{{{i}}})", "reload")),
           mappings=RELOAD_MAPPING, graph=False)
    d.stat("Exporter version", "qga-exporter build.", "none",
           targets((f"qga_exporter_build_info{{{i}}}", "{{version}}"), instant=True),
           text_mode="name", graph=False)
    d.stat("Discovered domains", "Domains found by discovery (static, globs, libvirt).", "none",
           targets((f"sum(qga_discovered_domains{{{i}}})", "domains")))
    d.timeseries("Poll duration (slowest domain)", "Per collector, the longest last poll over all domains.",
                 "s",
                 targets((f"max by (collector) (qga_collector_duration_seconds{{{f}}})", "{{collector}}")))
    d.timeseries("Skipped polls",
                 "Polls skipped because the previous poll of the same domain and collector was still "
                 "running: agents too slow for the intervals (alert QgaPollsSkipped).",
                 "ops",
                 targets((f"sum by (collector) (rate(qga_poll_skipped_total{{{i}}}[$__rate_interval]))",
                          "{{collector}}")),
                 w=12)
    d.timeseries("Scrape duration", "How long Prometheus takes to scrape the exporter (never waits on guests).",
                 "s", targets((f"scrape_duration_seconds{{{i}}}", "{{instance}}")), w=12)
    return d


def domain():
    d = Dashboard(
        "qga-domain",
        "qga domain",
        "Everything one VM's QEMU guest agent reports (qga-exporter): every collector's data, "
        "actions and collector health.",
        variables(multi=False),
    )
    o = ONE

    d.row("Agent")
    d.stat("Agent", "Did the agent answer its last sync?", "none", targets((f"qga_up{{{o}}}", "agent")),
           w=3, mappings=UP_MAPPING, graph=False)
    d.stat("Agent version", "qemu-guest-agent version (guest-info).", "none",
           targets((f"qga_agent_info{{{o}}}", "{{version}}"), instant=True), w=3, text_mode="name",
           graph=False)
    d.stat("Operating system", "guest-get-osinfo.", "none",
           targets((f"qga_guest_os_info{{{o}}}", "{{pretty_name}}"), instant=True), w=6, text_mode="name",
           graph=False)
    d.stat("Kernel", "Kernel release (guest-get-osinfo).", "none",
           targets((f"qga_guest_os_info{{{o}}}", "{{kernel_release}} {{machine}}"), instant=True), w=4,
           text_mode="name", graph=False)
    d.stat("Host name", "guest-get-host-name.", "none",
           targets((f"qga_guest_os_info{{{o}}}", "{{hostname}}"), instant=True), w=4, text_mode="name",
           graph=False)
    d.stat("Freeze state", "fsfreeze state of the guest filesystems.", "none", targets((f"qga_filesystem_frozen{{{o}}}", "frozen")),
           w=4, mappings=FROZEN_MAPPING, graph=False)
    d.stat("Clock offset", "Guest clock minus host clock.", "s",
           targets((f"qga_guest_time_offset_seconds{{{o}}}", "offset")), w=4)
    d.stat("Time zone", "Guest time zone and its offset east of UTC.", "s",
           targets((f"qga_guest_timezone_offset_seconds{{{o}}}", "{{zone}}"), instant=True), w=4,
           text_mode="value_and_name", graph=False)
    d.stat("Users logged in", "guest-get-users.", "none", targets((f"qga_users_logged_in{{{o}}}", "users")), w=4)
    d.stat("vCPUs online", "guest-get-vcpus.", "none",
           targets((f'qga_vcpus{{{o}, state="online"}}', "online")), w=4, graph=False)
    d.stat("Memory online", "Online memory blocks times block size.", "bytes",
           targets((f"qga_memory_online_bytes{{{o}}}", "online")), w=4)
    d.stat("Load, 1 m", "guest-get-load (agents 10.0 and newer).", "short",
           targets((f"qga_guest_load1{{{o}}}", "load1")), w=4)
    d.table(
        "Collectors",
        "Each collector's last poll: result, duration and age.",
        "none",
        targets(
            (f"qga_collector_success{{{o}}}", ""),
            (f"qga_collector_duration_seconds{{{o}}}", ""),
            (f"time() - qga_collector_last_success_timestamp_seconds{{{o}}}", ""),
            instant=True, table=True,
        ),
        w=24,
        transformations=[
            {"id": "merge", "options": {}},
            organize(exclude=("instance", "domain"),
                     rename={"collector": "Collector", "Value #A": "Last poll", "Value #B": "Duration",
                             "Value #C": "Last success"},
                     order=["collector", "Value #A", "Value #B", "Value #C"]),
        ],
        overrides=[column_override("Last poll", unit="none", mappings=OK_MAPPING),
                   column_override("Duration", unit="s"), column_override("Last success", unit="s")],
        sort={"displayName": "Last poll", "desc": False},
    )

    d.row("Network")
    d.timeseries("Traffic", "Bytes received and sent per interface.", "Bps",
                 targets((f"rate(qga_network_receive_bytes_total{{{o}}}[$__rate_interval])", "{{interface}} received"),
                         (f"rate(qga_network_transmit_bytes_total{{{o}}}[$__rate_interval])", "{{interface}} sent")),
                 w=8)
    d.timeseries("Packets", "Packets received and sent per interface.", "pps",
                 targets((f"rate(qga_network_receive_packets_total{{{o}}}[$__rate_interval])", "{{interface}} received"),
                         (f"rate(qga_network_transmit_packets_total{{{o}}}[$__rate_interval])", "{{interface}} sent")),
                 w=8)
    d.timeseries("Errors and drops", "Packets with errors or dropped per interface.", "pps",
                 targets(
                     (f"rate(qga_network_receive_errors_total{{{o}}}[$__rate_interval])", "{{interface}} receive errors"),
                     (f"rate(qga_network_transmit_errors_total{{{o}}}[$__rate_interval])", "{{interface}} transmit errors"),
                     (f"rate(qga_network_receive_dropped_total{{{o}}}[$__rate_interval])", "{{interface}} receive dropped"),
                     (f"rate(qga_network_transmit_dropped_total{{{o}}}[$__rate_interval])", "{{interface}} transmit dropped"),
                 ),
                 w=8)
    d.table("Addresses", "IP addresses per interface (guest-network-get-interfaces).", "none",
            targets((f"qga_network_address_info{{{o}}}", ""), instant=True, table=True), w=24, h=6,
            transformations=[organize(exclude=("instance", "domain", "Value"),
                                      rename={"interface": "Interface", "family": "Family", "address": "Address",
                                              "prefix": "Prefix", "mac": "MAC"},
                                      order=["interface", "family", "address", "prefix", "mac"])])

    d.row("Filesystems")
    d.bargauge("Usage", "Share of each filesystem in use.", "percentunit",
               targets((f"domain_mountpoint:qga_filesystem_used:ratio{{{o}}}", "{{mountpoint}}"), instant=True),
               w=8, maximum=1, steps=((0.85, "orange"), (0.95, "red")))
    d.timeseries("Used space", "Bytes used per filesystem.", "bytes",
                 targets((f"qga_filesystem_used_bytes{{{o}}}", "{{mountpoint}}")), w=8)
    d.table(
        "Filesystem sizes",
        "Size, used and free bytes, and free space in 24 hours at the trend of the last 6 hours.",
        "bytes",
        targets(
            (f"qga_filesystem_size_bytes{{{o}}}", ""),
            (f"qga_filesystem_used_bytes{{{o}}}", ""),
            (f"qga_filesystem_avail_bytes{{{o}}}", ""),
            (f"predict_linear(qga_filesystem_avail_bytes{{{o}}}[6h], 24 * 3600)", ""),
            instant=True, table=True,
        ),
        w=8,
        transformations=[
            {"id": "merge", "options": {}},
            organize(exclude=("instance", "domain"),
                     rename={"mountpoint": "Mountpoint", "fstype": "Type", "device": "Device",
                             "Value #A": "Size", "Value #B": "Used", "Value #C": "Free",
                             "Value #D": "Free in 24 h"},
                     order=["mountpoint", "fstype", "device", "Value #A", "Value #B", "Value #C", "Value #D"]),
        ],
    )

    d.row("CPU, load and memory")
    d.timeseries(
        "CPU time by mode",
        "Share of all vCPUs' time per mode (guest-get-cpustats; guest time is inside user and left out).",
        "percentunit",
        targets((f'sum by (mode) (rate(qga_guest_cpu_seconds_total{{{o}, mode!~"guest.*"}}[$__rate_interval]))'
                 f" / scalar(count(count by (cpu) (qga_guest_cpu_seconds_total{{{o}}})))", "{{mode}}")),
        w=8, stack=True, minimum=0, maximum=1,
    )
    d.timeseries("Load average", "guest-get-load (agents 10.0 and newer).", "short",
                 targets((f"qga_guest_load1{{{o}}}", "1 m"), (f"qga_guest_load5{{{o}}}", "5 m"),
                         (f"qga_guest_load15{{{o}}}", "15 m")),
                 w=8)
    d.timeseries("vCPUs", "vCPUs by state (guest-get-vcpus).", "none",
                 targets((f"qga_vcpus{{{o}}}", "{{state}}")), w=8, stack=True)
    d.timeseries("Online memory", "Online memory (blocks times block size).", "bytes",
                 targets((f"qga_memory_online_bytes{{{o}}}", "online")), w=8)
    d.timeseries("Memory blocks", "Memory blocks by state (guest-get-memory-blocks).", "none",
                 targets((f"qga_memory_blocks{{{o}}}", "{{state}}")), w=8, stack=True)
    d.stat("Memory block size", "guest-get-memory-block-info.", "bytes",
           targets((f"qga_memory_block_size_bytes{{{o}}}", "block size")), w=8, h=8, graph=False)

    d.row("Disks")
    d.timeseries("Disk throughput", "Bytes read and written per block device (guest-get-diskstats).", "Bps",
                 targets((f"rate(qga_guest_disk_read_bytes_total{{{o}}}[$__rate_interval])", "{{device}} read"),
                         (f"rate(qga_guest_disk_written_bytes_total{{{o}}}[$__rate_interval])", "{{device}} written")),
                 w=24)

    d.row("Users and clock")
    d.timeseries("Users logged in over time", "guest-get-users.", "none",
                 targets((f"qga_users_logged_in{{{o}}}", "users")), w=8)
    d.table("Sessions", "Logged-in users and when they logged in.", "dateTimeFromNow",
            targets((f"qga_user_login_timestamp_seconds{{{o}}} * 1000", ""), instant=True, table=True), w=8,
            transformations=[organize(exclude=("instance", "domain"),
                                      rename={"user": "User", "Value": "Logged in"},
                                      order=["user", "Value"])],
            sort={"displayName": "Logged in", "desc": True})
    d.timeseries("Clock offset over time", "Guest clock minus host clock; a time-sync policy keeps it near 0.", "s",
                 targets((f"qga_guest_time_offset_seconds{{{o}}}", "offset")), w=8)

    d.row("Actions and limits")
    d.timeseries("Action runs", "Runs per action, policy and result.", "none",
                 targets((f"sum by (action, policy, result) (increase(qga_action_runs_total{{{o}}}[$__rate_interval]))",
                          "{{action}} {{policy}} {{result}}")),
                 w=8, stack=True)
    d.table("Last successful action", "When each action last succeeded on this domain.", "dateTimeFromNow",
            targets((f"qga_action_last_success_timestamp_seconds{{{o}}} * 1000", ""), instant=True, table=True),
            w=8,
            transformations=[organize(exclude=("instance", "domain"),
                                      rename={"action": "Action", "Value": "Last success"},
                                      order=["action", "Value"])])
    d.bargauge("Bytes trimmed by the last fstrim", "Per mountpoint.", "bytes",
               targets((f"qga_fstrim_trimmed_bytes{{{o}}}", "{{mountpoint}}"), instant=True), w=8)
    d.timeseries("Guest items dropped by limits",
                 "Items this guest reported beyond the configured limits, dropped in the last poll.", "none",
                 targets((f"qga_collector_dropped_items{{{o}}}", "{{collector}} {{kind}}")), w=24)
    return d


def render(dashboard):
    return json.dumps(dashboard.json(), indent=2, ensure_ascii=False) + "\n"


def main(argv):
    check = "--check" in argv
    stale = []
    for dashboard in (fleet(), domain()):
        path = OUT / f"{dashboard.uid}.json"
        text = render(dashboard)
        if check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(path.name)
        else:
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path}")
    if stale:
        print(f"out of date (run python3 grafana/generate.py): {', '.join(stale)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
