# -*- coding: utf-8 -*-

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
name: domains
short_description: VMs of one or more qga-exporters as inventory hosts
version_added: 0.1.0
description:
  - One host per domain (VM) known to each qga-exporter in I(urls), named by the domain name,
    with what the exporter's last polls of the guest agent found as host variables (IPs, OS,
    agent state, filesystems, ...).
  - C(ansible_host) is the domain's first non-loopback IPv4 address when the agent reported
    one. Only a value that parses as an IP address (python C(ipaddress)) is used; anything else
    the agent reported is ignored and C(ansible_host) is left unset.
  - Every value that comes from the guest (host name, OS fields, users, filesystems, interface
    names and addresses, agent version, errors) is marked unsafe
    (C(ansible.utils.unsafe_proxy.wrap_var)), keys included, so Jinja2 in them is never
    evaluated on the controller. A guest whose host name is a Jinja2 template that would run a
    command gets exactly that text in C(qga_hostname), and no command runs.
  - The host name is the domain name; a domain whose name holds C({{), C({%), C({#),
    C(#jinja2:) or control characters is skipped with a warning.
  - Group names made by I(keyed_groups) are always sanitised (characters other than letters,
    digits and C(_) become C(_)), since their keys can come from the guest.
  - The configuration file name must end with C(qga.yml) or C(qga.yaml) (for example
    C(hypervisors.qga.yml)).
extends_documentation_fragment:
  - constructed
  - inventory_cache
options:
  plugin:
    description: The name of this plugin; must be C(qga.exporter.domains).
    type: str
    required: true
    choices: [qga.exporter.domains]
  urls:
    description:
      - Base URLs of the exporters, like C(http://hypervisor1:9920).
    type: list
    elements: str
    required: true
    env:
      - name: QGA_EXPORTER_URLS
  token:
    description:
      - An API token with role C(reader) or higher, valid on every exporter in I(urls).
    type: str
    env:
      - name: QGA_EXPORTER_TOKEN
  validate_certs:
    description: Whether to verify the exporters' TLS certificates.
    type: bool
    default: true
  request_timeout:
    description: Seconds to wait for an exporter to answer one request.
    type: int
    default: 30
  details:
    description:
      - Read each domain's cached guest data (IPs, OS, filesystems, users; one request per
        domain). With C(false), only the agent state variables are set.
    type: bool
    default: true
  skip_unreachable:
    description:
      - Leave out an exporter that cannot be reached (with a warning) instead of failing.
    type: bool
    default: false
'''

EXAMPLES = r'''
# hypervisors.qga.yml
plugin: qga.exporter.domains
urls:
  - http://hypervisor1:9920
  - http://hypervisor2:9920
token: "{{ lookup('ansible.builtin.file', '~/.qga-token') }}"
keyed_groups:
  - key: qga_os.id
    prefix: os
  - key: qga_exporter_host
    prefix: hv
groups:
  agent_down: not qga_agent_up
  web: inventory_hostname.startswith('web-')
compose:
  ansible_user: "'root'"
cache: true
cache_plugin: ansible.builtin.jsonfile
cache_connection: ~/.cache/qga-inventory
cache_timeout: 300
'''

import ipaddress
import re

from ansible.errors import AnsibleError, AnsibleParserError
from ansible.module_utils.common.text.converters import to_native
from ansible.module_utils.six.moves.urllib.error import HTTPError, URLError
from ansible.module_utils.six.moves.urllib.parse import urlparse
from ansible.module_utils.urls import open_url
from ansible.plugins.inventory import BaseInventoryPlugin, Cacheable, Constructable
from ansible.utils.unsafe_proxy import wrap_var

from ansible_collections.qga.exporter.plugins.module_utils.api import ExporterClient, ExporterError

# Host variables from the domain detail: variable name -> field of GET /api/v1/domains/{d}
VARIABLES = (
    ('qga_domain', 'name'),
    ('qga_uuid', 'uuid'),
    ('qga_channel', 'channel'),
    ('qga_agent_up', 'up'),
    ('qga_agent_version', 'agent_version'),
    ('qga_last_success', 'last_success'),
    ('qga_last_error', 'last_error'),
    ('qga_frozen', 'frozen'),
    ('qga_supported_commands', 'supported_commands'),
    ('qga_hostname', 'hostname'),
    ('qga_os', 'os'),
    ('qga_timezone', 'timezone'),
    ('qga_time_offset_seconds', 'time_offset_seconds'),
    ('qga_interfaces', 'interfaces'),
    ('qga_ip_addresses', 'ip_addresses'),
    ('qga_filesystems', 'filesystems'),
    ('qga_users', 'users'),
    ('qga_last_actions', 'last_actions'),
)


class _OpenUrlClient(ExporterClient):
    """The controller-side client: open_url (no AnsibleModule in an inventory plugin)."""

    def __init__(self, url, token, request_timeout, validate_certs):
        super(_OpenUrlClient, self).__init__(url, token, request_timeout)
        self.validate_certs = validate_certs

    def send(self, method, url, data, headers, timeout):
        try:
            resp = open_url(url, data=data, headers=headers, method=method, timeout=timeout,
                            validate_certs=self.validate_certs, http_agent='qga.exporter.domains')
            return resp.getcode(), resp.read(), None
        except HTTPError as e:
            try:
                body = e.read()
            except Exception:
                body = None
            return e.code, body, to_native(e)
        except (URLError, IOError, OSError, ValueError) as e:
            return -1, None, to_native(e)


# A host name is not a template: Jinja2 markers, the override header and control characters
_NOT_A_HOST_NAME = re.compile(r'\{\{|\{%|\{#|#jinja2:|[\x00-\x1f\x7f]')


def host_name(value):
    """The domain name as an inventory host name, or None when it must not be one.

    Domain names come from the exporter's configuration and discovery (socket file names,
    libvirt), not from the guest; a name that carries a template or control characters is
    refused rather than added, since ansible templates inventory_hostname like any variable.
    """
    if not isinstance(value, str) or not value or _NOT_A_HOST_NAME.search(value):
        return None
    return value


def ipv4(value):
    """The canonical text of value when it parses as a non-loopback IPv4 address, else None.

    The guest chooses the address text: anything that is not an address (a host name, a Jinja2
    template, an address with trailing words) must never become ansible_host.
    """
    if not isinstance(value, str):
        return None
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    if address.version != 4 or address.is_loopback or address.is_unspecified:
        return None
    return str(address)


def first_ipv4(domain):
    """The first non-loopback IPv4 address of the domain's interfaces, or None."""
    for interface in domain.get('interfaces') or []:
        if not isinstance(interface, dict) or interface.get('name') == 'lo':
            continue
        for address in interface.get('addresses') or []:
            if isinstance(address, dict) and address.get('family') == 'ipv4':
                value = ipv4(address.get('address'))
                if value:
                    return value
    for value in domain.get('ip_addresses') or []:
        value = ipv4(value)
        if value:
            return value
    return None


class InventoryModule(BaseInventoryPlugin, Constructable, Cacheable):
    NAME = 'qga.exporter.domains'

    def verify_file(self, path):
        if super(InventoryModule, self).verify_file(path):
            return path.endswith(('qga.yml', 'qga.yaml'))
        return False

    def _templated(self, value):
        # the token is usually a lookup (file, vault, env): template it like other plugins do
        if isinstance(value, str) and self.templar.is_template(value):
            return self.templar.template(variable=value, disable_lookups=False)
        return value

    def fetch(self, urls):
        """{url: [domain dicts]} read from every exporter."""
        out = {}
        token = self._templated(self.get_option('token'))
        for url in urls:
            client = _OpenUrlClient(self._templated(url), token,
                                    self.get_option('request_timeout'),
                                    self.get_option('validate_certs'))
            try:
                domains = client.domains()
                if self.get_option('details'):
                    detailed = []
                    for summary in domains:
                        try:
                            detailed.append(client.domain(summary['name']))
                        except ExporterError as e:
                            if e.status != 404:
                                raise
                            detailed.append(summary)
                    domains = detailed
            except ExporterError as e:
                if self.get_option('skip_unreachable') and (e.status is None or e.status < 0):
                    self.display.warning('qga.exporter.domains: %s' % e.msg)
                    continue
                raise AnsibleError('qga.exporter.domains: %s' % e.msg)
            out[client.url] = domains
        return out

    def parse(self, inventory, loader, path, cache=True):
        super(InventoryModule, self).parse(inventory, loader, path, cache)
        self._read_config_data(path)
        urls = self.get_option('urls')
        if not urls:
            raise AnsibleParserError('qga.exporter.domains: urls is empty in %s' % path)
        cache_key = self.get_cache_key(path)
        use_cache = self.get_option('cache') and cache
        update_cache = self.get_option('cache') and not cache
        data = None
        if use_cache:
            try:
                data = self._cache[cache_key]
            except KeyError:
                update_cache = True
        if data is None:
            data = self.fetch(urls)
        if update_cache:
            self._cache[cache_key] = data
        self.populate(data)

    def populate(self, data):
        strict = self.get_option('strict')
        for url in sorted(data):
            for domain in data[url]:
                raw_name = domain.get('name') if isinstance(domain, dict) else None
                name = host_name(raw_name)
                if name is None:
                    if raw_name:
                        self.display.warning('qga.exporter.domains: %s: skipped the domain %r: '
                                             'not usable as a host name' % (url, raw_name))
                    continue
                host = self.inventory.add_host(name)
                # Everything else except the exporter's own URL comes from the guest (or from
                # the exporter, which may be old or lying): unsafe, keys included, so that Jinja2
                # in it is text, never a template run on the controller when a play reads it
                variables = dict((var, wrap_var(domain.get(field))) for var, field in VARIABLES
                                 if field in domain)
                variables['qga_domain'] = name
                variables['qga_agent_up'] = bool(domain.get('up'))
                variables['qga_exporter_url'] = url
                variables['qga_exporter_host'] = urlparse(url).hostname
                address = first_ipv4(domain)
                if address:
                    variables['ansible_host'] = wrap_var(address)
                for var, value in variables.items():
                    self.inventory.set_variable(host, var, value)
                self._set_composite_vars(self.get_option('compose'), variables, host, strict=strict)
                self._add_host_to_composed_groups(self.get_option('groups'), variables, host,
                                                  strict=strict)
                self._add_host_to_keyed_groups(self.get_option('keyed_groups'), variables, host,
                                               strict=strict)
