# -*- coding: utf-8 -*-
"""A hostile guest (or an old or lying exporter) against the inventory plugin, end to end:
ansible's own InventoryManager, VariableManager and Templar, the exporter's reply faked."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os

import pytest

from ansible.inventory.manager import InventoryManager
from ansible.parsing.dataloader import DataLoader
from ansible.template import Templar
from ansible.utils.unsafe_proxy import AnsibleUnsafe, wrap_var
from ansible.vars.hostvars import HostVars
from ansible.vars.manager import VariableManager

from ansible_collections.qga.exporter.plugins.inventory import domains


def payload(marker, what):
    return "{{ lookup('pipe', 'touch %s-%s') }}" % (marker, what)


def hostile_domain(marker):
    p = lambda what: payload(marker, what)  # noqa: E731
    return {
        'name': 'evil', 'up': True, 'agent_version': p('version'), 'last_error': p('error'),
        'hostname': p('hostname'),
        'os': {'id': p('osid'), 'name': 'x', 'pretty_name': p('pretty'), 'version_id': '1',
               'kernel_release': p('kernel'), 'machine': 'x86_64'},
        'supported_commands': [p('command')],
        'timezone': {'zone': p('zone'), 'offset': 0},
        'interfaces': [{'name': p('ifname'), 'mac': p('mac'),
                        'addresses': [{'address': p('ip'), 'family': 'ipv4', 'prefix': 24},
                                      {'address': '192.0.2.99 ' + p('ip2'), 'family': 'ipv4',
                                       'prefix': 24}]}],
        'ip_addresses': [p('ip'), 'attacker.example'],
        'filesystems': [{'mountpoint': p('mountpoint'), 'fstype': 'ext4', 'device': p('dev')}],
        'users': [{'user': p('user'), 'domain': None, 'login_time': 1.0}],
        'last_actions': {p('action-key'): p('action')},
    }


class _Resp(object):
    def __init__(self, body):
        self.body = json.dumps(body).encode('utf-8')

    def getcode(self):
        return 200

    def read(self):
        return self.body


@pytest.fixture
def inventory(tmp_path, monkeypatch):
    marker = str(tmp_path / 'pwned')
    domain = hostile_domain(marker)

    def fake_open_url(url, **kwargs):
        if url.endswith('/api/v1/domains'):
            return _Resp({'domains': [{'name': domain['name'], 'up': True}]})
        return _Resp(domain)

    monkeypatch.setattr(domains, 'open_url', fake_open_url)
    source = tmp_path / 'hostile.qga.yml'
    source.write_text(u'plugin: qga.exporter.domains\nurls: [http://hv:9920]\ntoken: t\n'
                      u'keyed_groups:\n  - key: qga_os.id\n    prefix: os\n'
                      u'compose:\n  pretty: qga_os.pretty_name\n')
    loader = DataLoader()
    manager = InventoryManager(loader=loader, sources=[str(source)])
    return marker, domain, loader, manager


def _touched(marker):
    return sorted(f for f in os.listdir(os.path.dirname(marker)) if f.startswith('pwned'))


def test_guest_strings_are_unsafe_and_never_run(inventory):
    marker, domain, loader, manager = inventory
    host = manager.get_host('evil')
    assert host is not None, manager.hosts
    variable_manager = VariableManager(loader=loader, inventory=manager)
    variables = variable_manager.get_vars(host=host)
    # what a play adds: hostvars of every host, templated lazily on access
    variables['hostvars'] = HostVars(inventory=manager, variable_manager=variable_manager,
                                     loader=loader)
    templar = Templar(loader=loader, variables=variables)

    # every guest string is there literally, marked unsafe, and templating reads it as text
    assert isinstance(variables['qga_hostname'], AnsibleUnsafe)
    for expression, expected in [
            ('{{ qga_hostname }}', domain['hostname']),
            ('{{ qga_os.pretty_name }}', domain['os']['pretty_name']),
            ('{{ qga_users[0].user }}', domain['users'][0]['user']),
            ('{{ qga_filesystems[0].mountpoint }}', domain['filesystems'][0]['mountpoint']),
            ('{{ qga_interfaces[0].name }}', domain['interfaces'][0]['name']),
            ('{{ qga_interfaces[0].addresses[0].address }}',
             domain['interfaces'][0]['addresses'][0]['address']),
            ('{{ qga_ip_addresses[0] }}', domain['ip_addresses'][0]),
            ('{{ qga_agent_version }}', domain['agent_version']),
            ('{{ qga_last_actions | list | first }}', list(domain['last_actions'])[0]),
            ('{{ pretty }}', domain['os']['pretty_name'])]:
        assert templar.template(expression) == expected, expression
    templar.template('{{ hostvars[inventory_hostname] }}')
    templar.template('{{ hostvars }}')
    templar.template('{{ group_names }}')
    assert _touched(marker) == []


def test_ansible_host_only_from_an_ip_address(inventory):
    marker, domain, loader, manager = inventory
    assert 'ansible_host' not in manager.get_host('evil').vars
    assert _touched(marker) == []


def test_keyed_group_names_from_guest_data_are_sanitised(inventory):
    marker, domain, loader, manager = inventory
    names = [g for g in manager.groups if g.startswith('os_')]
    assert len(names) == 1, manager.groups
    assert all(c.isalnum() or c == '_' for c in names[0]), names
    assert _touched(marker) == []


@pytest.mark.parametrize('value,expected', [
    ('192.0.2.10', '192.0.2.10'),
    ('127.0.0.1', None), ('0.0.0.0', None), ('2001:db8::1', None),
    ('192.0.2.10 ', None), ('192.0.2.10\n', None), ('010.0.0.1', None), ('host.example', None),
    ("{{ lookup('pipe', 'id') }}", None), (None, None), (3232235521, None), (['192.0.2.1'], None),
])
def test_ipv4(value, expected):
    assert domains.ipv4(value) == expected


def test_first_ipv4_skips_what_is_not_an_address():
    domain = {'interfaces': [{'name': 'eth0', 'addresses': [
        {'address': '{{ 7 * 7 }}', 'family': 'ipv4'}, {'address': '198.51.100.4', 'family': 'ipv4'}]}]}
    assert domains.first_ipv4(domain) == '198.51.100.4'
    assert domains.first_ipv4({'ip_addresses': ['evil.example', '203.0.113.9']}) == '203.0.113.9'


@pytest.mark.parametrize('name,expected', [
    ('web-1', 'web-1'), ('vm.example.com', 'vm.example.com'), ('a b', 'a b'),
    ("{{ lookup('pipe', 'id') }}", None), ('{% if 1 %}x{% endif %}', None), ('{# c #}', None),
    ('#jinja2:variable_start_string:"[["', None), ('vm\n1', None), ('vm\x1b[31m', None),
    ('', None), (None, None), (7, None),
])
def test_host_name(name, expected):
    assert domains.host_name(name) == expected


def test_a_domain_named_like_a_template_is_skipped(tmp_path, monkeypatch):
    marker = str(tmp_path / 'pwned')
    bad = "{{ lookup('pipe', 'touch %s-name') }}" % marker

    def fake_open_url(url, **kwargs):
        if url.endswith('/api/v1/domains'):
            return _Resp({'domains': [{'name': bad, 'up': True}, {'name': 'good', 'up': True}]})
        return _Resp({'name': 'good', 'up': True})

    monkeypatch.setattr(domains, 'open_url', fake_open_url)
    source = tmp_path / 'names.qga.yml'
    source.write_text(u'plugin: qga.exporter.domains\nurls: [http://hv:9920]\ntoken: t\n'
                      u'details: false\n')
    loader = DataLoader()
    manager = InventoryManager(loader=loader, sources=[str(source)])
    assert sorted(manager.hosts) == ['good']
    variables = VariableManager(loader=loader, inventory=manager).get_vars(
        host=manager.get_host('good'))
    Templar(loader=loader, variables=variables).template('{{ groups }}')
    assert _touched(marker) == []


def _same(a, b):
    """Equal, and every text of the same unsafe type, at every depth, keys included."""
    assert type(a) is type(b), (a, b)
    if isinstance(a, dict):
        assert sorted(a) == sorted(b)
        for (ka, va) in a.items():
            kb = [k for k in b if k == ka][0]
            _same(ka, kb)
            _same(va, b[ka])
    elif isinstance(a, list):
        assert len(a) == len(b)
        for x, y in zip(a, b):
            _same(x, y)
    else:
        assert a == b


def test_unsafe_is_wrap_var_for_json(tmp_path):
    value = hostile_domain(str(tmp_path / 'x'))
    value.update(frozen=False, time_offset_seconds=0.25, count=3, none=None,
                 nested=[[u'{{ a }}', {u'{{ k }}': [1, u'{{ v }}']}]])
    wrapped = domains.unsafe(value)
    _same(wrapped, wrap_var(value))
    assert isinstance(wrapped['os']['pretty_name'], AnsibleUnsafe)
    assert all(isinstance(k, AnsibleUnsafe) for k in wrapped['last_actions'])
    assert isinstance(wrapped['nested'][0][1][u'{{ k }}'][1], AnsibleUnsafe)
    assert domains.unsafe(True) is True and domains.unsafe(None) is None
