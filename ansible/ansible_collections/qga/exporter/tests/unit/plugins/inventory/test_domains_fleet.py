# -*- coding: utf-8 -*-
"""Several exporters in one inventory: unique hosts, each routed to its own exporter, with its
own token; requests in parallel; one failing exporter named. ansible's own InventoryManager
reads the file; open_url is faked per exporter."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import threading
import time

import pytest

from ansible.errors import AnsibleError
from ansible.inventory.manager import InventoryManager
from ansible.module_utils.six.moves.urllib.error import URLError
from ansible.parsing.dataloader import DataLoader
from ansible.plugins import inventory as inventory_base

from ansible_collections.qga.exporter.plugins.inventory import domains


class _Resp(object):
    def __init__(self, body):
        self.body = json.dumps(body).encode('utf-8')

    def getcode(self):
        return 200

    def read(self):
        return self.body


class Fleet(object):
    """Exporters by base URL: each knows its domains and accepts only its own token."""

    def __init__(self, exporters, delay=0.0):
        self.exporters = exporters  # url -> (token, [domain names])
        self.delay = delay
        self.requests = []
        self.lock = threading.Lock()
        self.in_flight = 0
        self.max_in_flight = 0

    def __call__(self, url, headers=None, **kwargs):
        with self.lock:
            self.requests.append((url, headers.get('Authorization'), kwargs))
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            if self.delay:
                time.sleep(self.delay)
            base, _, path = url.partition('/api/v1/')
            if base not in self.exporters:
                raise URLError('[Errno 111] Connection refused')
            token, names = self.exporters[base]
            if headers.get('Authorization') != 'Bearer ' + token:
                raise AssertionError('wrong token %r for %s' % (headers.get('Authorization'), base))
            if path == 'domains':
                return _Resp({'domains': [{'name': n, 'up': True} for n in names]})
            name = path[len('domains/'):]
            return _Resp({'name': name, 'up': True, 'hostname': '%s on %s' % (name, base),
                          'ip_addresses': ['192.0.2.%d' % (len(self.requests) % 250 + 1)]})
        finally:
            with self.lock:
                self.in_flight -= 1


def inventory(tmp_path, monkeypatch, fleet, config):
    monkeypatch.setattr(domains, 'open_url', fleet)
    source = tmp_path / 'fleet.qga.yml'
    source.write_text(config)
    return InventoryManager(loader=DataLoader(), sources=[str(source)])


TWO = (u'plugin: qga.exporter.domains\n'
       u'exporters:\n'
       u'  - {name: hv1, url: "http://hv1:9920", token: one}\n'
       u'  - {name: hv2, url: "http://hv2:9920", token_file: %s}\n')


@pytest.fixture
def two(tmp_path):
    token_file = tmp_path / 'hv2.token'
    token_file.write_text(u'two\n')
    fleet = Fleet({'http://hv1:9920': ('one', ['web-1', 'db-1', 'only-1']),
                   'http://hv2:9920': ('two', ['web-1', 'db-1', 'only-2'])})
    return fleet, TWO % token_file


def test_same_domain_on_two_exporters_gives_two_hosts_each_with_its_exporter(tmp_path, monkeypatch, two):
    fleet, config = two
    manager = inventory(tmp_path, monkeypatch, fleet, config)
    hosts = dict((h.name, h.vars) for h in manager.get_hosts())
    assert sorted(hosts) == ['db-1@hv1', 'db-1@hv2', 'only-1', 'only-2', 'web-1@hv1', 'web-1@hv2']
    for name, hv in hosts.items():
        exporter = 'hv1' if name.endswith('@hv1') or name == 'only-1' else 'hv2'
        assert hv['qga_exporter'] == exporter
        assert hv['qga_exporter_url'] == 'http://%s:9920' % exporter
        assert hv['qga_domain'] == name.split('@')[0]
        # the details were read from the owning exporter
        assert hv['qga_hostname'] == '%s on http://%s:9920' % (hv['qga_domain'], exporter)
    groups = manager.get_groups_dict()
    assert sorted(groups['exporter_hv1']) == ['db-1@hv1', 'only-1', 'web-1@hv1']
    assert sorted(groups['exporter_hv2']) == ['db-1@hv2', 'only-2', 'web-1@hv2']


def test_each_exporter_gets_its_own_token(tmp_path, monkeypatch, two):
    fleet, config = two
    inventory(tmp_path, monkeypatch, fleet, config)
    tokens = set((url.split('/api/')[0], auth) for url, auth, _ in fleet.requests)
    assert tokens == set([('http://hv1:9920', 'Bearer one'), ('http://hv2:9920', 'Bearer two')])


def test_clashes_are_warned_about(tmp_path, monkeypatch, two):
    fleet, config = two
    warnings = []
    monkeypatch.setattr(inventory_base.display, 'warning', warnings.append)
    inventory(tmp_path, monkeypatch, fleet, config)
    assert [w for w in warnings if '2 domain name(s) exist on more than one exporter' in w
            and 'db-1, web-1' in w], warnings


def test_host_name_template(tmp_path, monkeypatch, two):
    fleet, config = two
    config += u'host_name_template: "{exporter}-{domain}"\n'
    manager = inventory(tmp_path, monkeypatch, fleet, config)
    assert sorted(h.name for h in manager.get_hosts()) == [
        'hv1-db-1', 'hv1-only-1', 'hv1-web-1', 'hv2-db-1', 'hv2-only-2', 'hv2-web-1']


def test_a_template_that_merges_hosts_is_an_error(tmp_path, monkeypatch, two):
    fleet, config = two
    with pytest.raises(AnsibleError) as e:
        monkeypatch.setattr(domains, 'open_url', fleet)
        plugin = _plugin(tmp_path, config + u'host_name_template: "{domain}"\n')
        plugin.parse(plugin.inventory, DataLoader(), plugin._path, cache=False)
    assert "gives the host name 'web-1' to domain 'web-1' of exporter 'hv1'" in str(e.value)


def _plugin(tmp_path, config):
    from ansible.inventory.data import InventoryData
    from ansible.plugins.loader import inventory_loader
    source = tmp_path / 'plugin.qga.yml'
    source.write_text(config)
    plugin = inventory_loader.get('qga.exporter.domains')
    plugin.inventory = InventoryData()
    plugin._path = str(source)
    return plugin


@pytest.mark.parametrize('extra,words', [
    (u'host_name_template: "{exporter}"\n', 'must contain {domain}'),
    (u'host_name_template: "{domain}-{rack}"\n', 'unknown field'),
    (u'concurrency: 0\n', 'concurrency must be 1 to 64'),
])
def test_bad_options_name_the_problem(tmp_path, monkeypatch, two, extra, words):
    fleet, config = two
    monkeypatch.setattr(domains, 'open_url', fleet)
    plugin = _plugin(tmp_path, config + extra)
    with pytest.raises(AnsibleError) as e:
        plugin.parse(plugin.inventory, DataLoader(), plugin._path, cache=False)
    assert words in str(e.value)


@pytest.mark.parametrize('config,words', [
    (u'plugin: qga.exporter.domains\nexporters:\n  - {name: a, url: "http://a:1"}\n'
     u'  - {name: a, url: "http://b:1"}\n', "two exporters are named 'a'"),
    (u'plugin: qga.exporter.domains\nexporters:\n  - {name: "a b", url: "http://a:1"}\n',
     'exporters[0].name must be'),
    (u'plugin: qga.exporter.domains\nexporters:\n  - {name: a}\n', 'exporters[0] (a) has no url'),
    (u'plugin: qga.exporter.domains\nexporters:\n  - {name: a, url: "http://a:1", tokn: x}\n',
     'unknown keys tokn'),
    (u'plugin: qga.exporter.domains\nexporters:\n  - {name: a, url: "http://a:1", token_file: /nonexistent/t}\n',
     'cannot read token_file /nonexistent/t'),
    (u'plugin: qga.exporter.domains\n', 'no exporter in'),
])
def test_bad_exporters_name_the_problem(tmp_path, monkeypatch, config, words):
    monkeypatch.setattr(domains, 'open_url', Fleet({}))
    plugin = _plugin(tmp_path, config)
    with pytest.raises(AnsibleError) as e:
        plugin.parse(plugin.inventory, DataLoader(), plugin._path, cache=False)
    assert words in str(e.value)


def test_one_failing_exporter_is_named(tmp_path, monkeypatch, two):
    fleet, config = two
    config += u'urls: ["http://gone:9920"]\ntoken: one\n'
    plugin = _plugin(tmp_path, config)
    monkeypatch.setattr(domains, 'open_url', fleet)
    with pytest.raises(AnsibleError) as e:
        plugin.parse(plugin.inventory, DataLoader(), plugin._path, cache=False)
    assert '1 of 3 exporters failed: exporter gone (http://gone:9920): cannot reach' in str(e.value)


def test_skip_unreachable_keeps_the_others(tmp_path, monkeypatch, two):
    fleet, config = two
    config += u'urls: ["http://gone:9920"]\ntoken: one\nskip_unreachable: true\n'
    manager = inventory(tmp_path, monkeypatch, fleet, config)
    assert len(manager.get_hosts()) == 6


def test_urls_and_token_still_work_and_keep_plain_names(tmp_path, monkeypatch):
    fleet = Fleet({'http://hv1:9920': ('t', ['a', 'b']), 'http://hv1:9921': ('t', ['c'])})
    manager = inventory(tmp_path, monkeypatch, fleet, u'plugin: qga.exporter.domains\n'
                        u'urls: ["http://hv1:9920", "http://hv1:9921"]\ntoken: t\n')
    hosts = dict((h.name, h.vars) for h in manager.get_hosts())
    assert sorted(hosts) == ['a', 'b', 'c']
    assert hosts['a']['qga_exporter'] == 'hv1' and hosts['c']['qga_exporter'] == 'hv1_9921'
    assert hosts['c']['qga_exporter_url'] == 'http://hv1:9921'


def test_requests_run_in_parallel_within_the_bound(tmp_path, monkeypatch):
    names = ['vm-%03d' % i for i in range(40)]
    fleet = Fleet({'http://hv1:9920': ('t', names), 'http://hv2:9920': ('t', names)}, delay=0.05)
    started = time.time()
    manager = inventory(tmp_path, monkeypatch, fleet, u'plugin: qga.exporter.domains\n'
                        u'urls: ["http://hv1:9920", "http://hv2:9920"]\ntoken: t\nconcurrency: 8\n')
    elapsed = time.time() - started
    assert len(manager.get_hosts()) == 80
    assert fleet.max_in_flight == 8, fleet.max_in_flight
    # 82 requests of 50 ms: about 4 s one at a time, about 0.5 s eight at a time
    assert elapsed < 2.5, elapsed


def test_tls_options_reach_open_url(tmp_path, monkeypatch):
    fleet = Fleet({'https://hv1:9920': ('t', ['a']), 'https://hv2:9920': ('t', ['b'])})
    inventory(tmp_path, monkeypatch, fleet, u'plugin: qga.exporter.domains\ntoken: t\n'
              u'ca_path: /etc/ssl/qga-ca.pem\nclient_cert: /etc/ssl/c.pem\n'
              u'exporters:\n  - {name: hv1, url: "https://hv1:9920"}\n'
              u'  - {name: hv2, url: "https://hv2:9920", ca_path: /etc/ssl/hv2.pem,'
              u' validate_certs: false}\n')
    seen = dict((url.split('/api/')[0], kwargs) for url, _, kwargs in fleet.requests)
    assert seen['https://hv1:9920']['ca_path'] == '/etc/ssl/qga-ca.pem'
    assert seen['https://hv1:9920']['validate_certs'] is True
    assert seen['https://hv1:9920']['client_cert'] == '/etc/ssl/c.pem'
    assert seen['https://hv2:9920']['ca_path'] == '/etc/ssl/hv2.pem'
    assert seen['https://hv2:9920']['validate_certs'] is False


# --- the transport: a real local HTTP server ----------------------------------------------------

class _Server(object):
    """An HTTP server on 127.0.0.1:0 in a thread; answers with handler(path, headers)."""

    def __init__(self, handler):
        from ansible.module_utils.six.moves import BaseHTTPServer
        seen = self.seen = []

        class Handler(BaseHTTPServer.BaseHTTPRequestHandler):
            def do_GET(self):
                seen.append((self.path, dict(self.headers)))
                status, headers, body = handler(self.path, self.headers)
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header('Content-Length', str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = BaseHTTPServer.HTTPServer(('127.0.0.1', 0), Handler)
        self.url = 'http://127.0.0.1:%d' % self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever)
        self.thread.daemon = True
        self.thread.start()

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def servers():
    started = []

    def start(handler):
        server = _Server(handler)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


def test_real_requests_reuse_one_tls_context(servers, monkeypatch):
    server = servers(lambda path, headers: (200, {'Content-Type': 'application/json'},
                                            b'{"domains": [{"name": "vm-1"}]}'))
    built = []
    real = domains.make_context
    monkeypatch.setattr(domains, 'make_context', lambda **kw: built.append(kw) or real(**kw))
    monkeypatch.setattr(domains, '_OPENERS', {})
    client = domains._OpenUrlClient(server.url, 'tok', 5, True)
    for _ in range(3):
        assert client.domains() == [{'name': 'vm-1'}]
    assert len(built) == 1, built
    path, headers = server.seen[0]
    assert path == '/api/v1/domains' and headers['Authorization'] == 'Bearer tok'
    assert headers['User-Agent'] == 'qga.exporter.domains'


def test_a_redirect_is_an_error_and_the_token_goes_nowhere_else(servers):
    elsewhere = servers(lambda path, headers: (200, {}, b'{"domains": []}'))
    server = servers(lambda path, headers: (302, {'Location': elsewhere.url + path}, b''))
    with pytest.raises(domains.ExporterError) as e:
        domains._OpenUrlClient(server.url, 'tok', 5, True).domains()
    assert e.value.status == 302
    assert elsewhere.seen == []


def test_http_errors_and_no_answer(servers):
    server = servers(lambda path, headers: (401, {'Content-Type': 'application/json'},
                                            b'{"error": "invalid token", "status": 401}'))
    with pytest.raises(domains.ExporterError) as e:
        domains._OpenUrlClient(server.url, 'bad', 5, True).domains()
    assert e.value.status == 401 and 'invalid token' in e.value.msg
    url = server.url
    server.stop()
    with pytest.raises(domains.ExporterError) as e:
        domains._OpenUrlClient(url, 'tok', 2, True).domains()
    assert e.value.status == -1 and 'cannot reach the qga-exporter at %s' % url in e.value.msg


def test_a_missing_ca_file_is_named(servers, monkeypatch):
    monkeypatch.setattr(domains, '_OPENERS', {})
    with pytest.raises(domains.ExporterError) as e:
        domains._OpenUrlClient('https://127.0.0.1:1', 'tok', 2, True, ca_path='/nonexistent/ca.pem').domains()
    assert e.value.status == -1 and 'No such file' in e.value.msg


def test_a_certificate_that_does_not_verify_is_named_and_never_skipped(tmp_path, monkeypatch, two):
    fleet, config = two

    def bad_certificate(url, **kwargs):
        if url.startswith('https://lab:9920'):
            raise URLError('[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed:'
                           ' unable to get local issuer certificate (_ssl.c:992)')
        return fleet(url, **kwargs)

    monkeypatch.setattr(domains, 'open_url', bad_certificate)
    plugin = _plugin(tmp_path, config + u'urls: ["https://lab:9920"]\ntoken: one\nskip_unreachable: true\n')
    with pytest.raises(AnsibleError) as e:
        plugin.parse(plugin.inventory, DataLoader(), plugin._path, cache=False)
    assert ('exporter lab (https://lab:9920): the TLS certificate of the exporter at'
            ' https://lab:9920 did not verify') in str(e.value)
    assert 'give ca_path' in str(e.value)


def test_a_token_file_others_may_read_is_warned_about(tmp_path, monkeypatch, two):
    fleet, config = two
    warnings = []
    monkeypatch.setattr(inventory_base.display, 'warning', warnings.append)
    token_file = tmp_path / 'hv2.token'
    token_file.chmod(0o644)
    inventory(tmp_path, monkeypatch, fleet, config)
    assert [w for w in warnings if 'token_file %s is readable by other users (mode 0644)' % token_file in w], warnings
    del warnings[:]
    token_file.chmod(0o600)
    inventory(tmp_path, monkeypatch, fleet, config)
    assert not [w for w in warnings if 'readable by other users' in w], warnings


def test_the_reported_bug_same_name_through_urls_is_two_hosts_each_with_its_url(tmp_path, monkeypatch):
    # two exporters sharing one token, web-1 on both: one host pointing at the second exporter
    # before; now two hosts, each pointing at its own exporter
    fleet = Fleet({'http://hv1:9920': ('t', ['web-1', 'a']), 'http://hv2:9920': ('t', ['web-1'])})
    manager = inventory(tmp_path, monkeypatch, fleet, u'plugin: qga.exporter.domains\n'
                        u'urls: ["http://hv1:9920", "http://hv2:9920"]\ntoken: t\n')
    hosts = dict((h.name, h.vars) for h in manager.get_hosts())
    assert sorted(hosts) == ['a', 'web-1@hv1', 'web-1@hv2']
    assert hosts['web-1@hv1']['qga_exporter_url'] == 'http://hv1:9920'
    assert hosts['web-1@hv2']['qga_exporter_url'] == 'http://hv2:9920'
    assert hosts['web-1@hv1']['qga_domain'] == hosts['web-1@hv2']['qga_domain'] == 'web-1'


def test_connection_plugin_sets_the_connection_and_tls_vars_but_no_token(tmp_path, monkeypatch, two):
    fleet, config = two
    ca = tmp_path / 'ca.pem'
    config = config.replace(u'token: one}', u'token: one, ca_path: "%s"}' % ca)
    manager = inventory(tmp_path, monkeypatch, fleet, config + u'connection_plugin: true\n')
    hosts = dict((h.name, h.vars) for h in manager.get_hosts())
    assert all(hv['ansible_connection'] == 'qga.exporter.agent' for hv in hosts.values())
    assert hosts['web-1@hv1']['qga_exporter_ca_path'] == str(ca)
    assert 'qga_exporter_ca_path' not in hosts['web-1@hv2']
    assert not [k for hv in hosts.values() for k in hv if 'token' in k]
    # off by default: the hosts keep ansible's default connection
    manager = inventory(tmp_path, monkeypatch, fleet, config)
    assert not [h for h in manager.get_hosts() if 'ansible_connection' in h.vars]
