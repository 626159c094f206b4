# -*- coding: utf-8 -*-

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
name: domains
short_description: VMs of one or more qga-exporters as inventory hosts
version_added: 0.1.0
description:
  - One host per domain (VM) known to each qga-exporter in I(exporters) and I(urls), with what
    the exporter's last polls of the guest agent found as host variables (IPs, OS, agent
    state, filesystems, ...).
  - Host names are unique across exporters. By default a host is named by its domain name;
    a domain name found on more than one exporter becomes one host per exporter, named
    C(DOMAIN@EXPORTER), with a warning. I(host_name_template) chooses the names instead.
  - Every host carries C(qga_exporter_url) (the exporter that owns it), C(qga_exporter) (that
    exporter's name) and C(qga_domain) (the domain name on that exporter), and is in the group
    C(exporter_NAME) of its exporter. Modules take I(url) and I(domain) from them through
    C(module_defaults) (see the examples and docs/ansible.md).
  - Exporters are read in parallel (at most I(concurrency) requests at once), each with its
    own token and TLS settings.
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
  exporters:
    description:
      - The exporters, each with its own name, URL and token. Give I(exporters), I(urls) or
        both.
      - I(url), I(token) and I(token_file) may be templates (C(lookup('ansible.builtin.env',
        ...)), C(lookup('ansible.builtin.file', ...)), vault variables).
    type: list
    version_added: 0.2.0
    elements: dict
    suboptions:
      name:
        description:
          - The exporter's name (letters, digits, C(.), C(_), C(-); unique), used in
            C(qga_exporter), in the group C(exporter_NAME) and in host names that need it.
        type: str
        required: true
      url:
        description: Base URL of the exporter, like C(https://hypervisor1:9920).
        type: str
        required: true
      token:
        description: An API token of this exporter with role C(reader) or higher. Default I(token).
        type: str
      token_file:
        description:
          - A file that holds the token (its first line); instead of I(token). A warning names
            it when other users may read it.
        type: path
      validate_certs:
        description: Default the top-level I(validate_certs).
        type: bool
      ca_path:
        description: Default the top-level I(ca_path).
        type: path
      client_cert:
        description: Default the top-level I(client_cert).
        type: path
      client_key:
        description: Default the top-level I(client_key).
        type: path
  urls:
    description:
      - Base URLs of exporters that share I(token), like C(http://hypervisor1:9920). Each one's
        name is the URL's host (C(host_port) when two URLs share a host).
    type: list
    elements: str
    env:
      - name: QGA_EXPORTER_URLS
  token:
    description:
      - An API token with role C(reader) or higher, for every exporter in I(urls) and for the
        entries of I(exporters) that have no token of their own.
    type: str
    env:
      - name: QGA_EXPORTER_TOKEN
  host_name_template:
    description:
      - How hosts are named, a python format string with the fields C({domain}) and
        C({exporter}), for example C({exporter}-{domain}). It must contain C({domain}).
      - When not set, a host is named by its domain name, and a domain name present on more
        than one exporter gives the hosts C({domain}@{exporter}), with a warning.
      - When set, two domains that would get the same host name are an error.
    type: str
    version_added: 0.2.0
  validate_certs:
    description: Whether to verify the exporters' TLS certificates.
    type: bool
    default: true
  ca_path:
    description:
      - A PEM file with the CA certificates that signed the exporters' certificates, when they
        are not signed by a CA the system trusts.
    type: path
    version_added: 0.2.0
  client_cert:
    description:
      - A PEM client certificate to present (for an exporter with C(tls.client_auth) C(require)
        or C(request), or a TLS proxy in front of it that asks for one; the token is still needed).
    type: path
    version_added: 0.2.0
  client_key:
    description: The private key of I(client_cert) when it is not in the same file.
    type: path
    version_added: 0.2.0
  request_timeout:
    description: Seconds to wait for an exporter to answer one request.
    type: int
    default: 30
  concurrency:
    description:
      - How many requests run at once, over all exporters (1 to 64).
    type: int
    version_added: 0.2.0
    default: 16
  details:
    description:
      - Read each domain's cached guest data (IPs, OS, filesystems, users; one request per
        domain). With C(false), only the agent state variables are set.
    type: bool
    default: true
  connection_plugin:
    description:
      - Set C(ansible_connection) to C(qga.exporter.agent) on every host, so that tasks run
        inside the VMs through their guest agents (the exporter needs C(api.exec.enabled) and
        the tasks an admin token in C(qga_exporter_token); see the connection plugin).
      - The exporter's I(ca_path), I(client_cert) and I(client_key) when set, and
        I(validate_certs) when false, become the host variables C(qga_exporter_ca_path),
        C(qga_exporter_client_cert), C(qga_exporter_client_key) and
        C(qga_exporter_validate_certs) that the connection plugin reads. Tokens never become
        host variables (the inventory's token needs only role C(reader)).
    type: bool
    default: false
    version_added: 0.2.0
  skip_unreachable:
    description:
      - Leave out an exporter that cannot be reached (with a warning naming it) instead of
        failing. Other errors (a refused token, a certificate that does not verify, a bad
        answer) still fail.
    type: bool
    default: false
'''

EXAMPLES = r'''
# hypervisors.qga.yml: two hypervisors, each exporter with its own token
plugin: qga.exporter.domains
exporters:
  - name: hv1
    url: https://hypervisor1:9920
    token_file: ~/.config/qga/hv1.token
  - name: hv2
    url: https://hypervisor2:9920
    token: "{{ lookup('ansible.builtin.env', 'QGA_TOKEN_HV2') }}"
ca_path: /etc/ssl/qga-ca.pem
keyed_groups:
  - key: qga_os.id
    prefix: os
groups:
  agent_down: not qga_agent_up
compose:
  ansible_user: "'root'"
cache: true
cache_plugin: ansible.builtin.jsonfile
cache_connection: ~/.cache/qga-inventory
cache_timeout: 300

# a play on those hosts: every module reaches the exporter that owns the host
# - hosts: exporter_hv1
#   gather_facts: false
#   module_defaults:
#     group/qga.exporter.all:
#       url: "{{ qga_exporter_url }}"
#       domain: "{{ qga_domain }}"
#       token: "{{ qga_exporter_token }}"   # group_vars/exporter_hv1.yml
#   tasks:
#     - qga.exporter.fstrim: {min_interval: 7d}
#       delegate_to: localhost

---
# one exporter, the older form
plugin: qga.exporter.domains
urls:
  - http://hypervisor1:9920
token: "{{ lookup('ansible.builtin.file', '~/.qga-token') }}"
'''

import ipaddress
import os
import re
import threading
from concurrent.futures import ThreadPoolExecutor

from ansible.errors import AnsibleError, AnsibleParserError
from ansible.inventory.group import to_safe_group_name
from ansible.module_utils.common.text.converters import to_bytes, to_native, to_text
from ansible.module_utils.six.moves.urllib.error import HTTPError, URLError
from ansible.module_utils.six.moves.urllib.parse import urlparse
from ansible.module_utils.six.moves.urllib.request import (
    HTTPSHandler,
    Request,
    build_opener,
)
from ansible.module_utils.urls import make_context
from ansible.plugins.inventory import BaseInventoryPlugin, Cacheable, Constructable
from ansible.utils.unsafe_proxy import AnsibleUnsafeText, wrap_var

from ansible_collections.qga.exporter.plugins.module_utils.api import ExporterClient, ExporterError
from ansible_collections.qga.exporter.plugins.plugin_utils.http import NoRedirect

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
    ('qga_paused', 'paused'),
    ('qga_route', 'route'),
    ('qga_source', 'source'),
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

# Version of what is cached: a cache written by an older plugin is read again from the exporters
CACHE_FORMAT = 2
MAX_CONCURRENCY = 64
# Exporter names end up in host names, group names and warnings
_EXPORTER_NAME = re.compile(r'^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$')
_TLS_OPTIONS = ('validate_certs', 'ca_path', 'client_cert', 'client_key')


_OPENERS = {}
_OPENERS_LOCK = threading.Lock()


def _opener(validate_certs, ca_path, client_cert, client_key):
    """One urllib opener per TLS setting, its SSL context built once (ansible's make_context).

    ansible.module_utils.urls.open_url builds a new SSL context for every request and loads the
    system's CA store into it: measured here, 0.26 s per request on a loaded machine, most of
    the time of an inventory of 2000 domains. The context is thread-safe and reused instead.
    Proxies from the environment apply as with open_url.
    """
    key = (bool(validate_certs), ca_path, client_cert, client_key)
    with _OPENERS_LOCK:
        opener = _OPENERS.get(key)
        if opener is None:
            context = make_context(cafile=ca_path, validate_certs=validate_certs)
            if client_cert:
                context.load_cert_chain(client_cert, client_key)
            opener = build_opener(HTTPSHandler(context=context), NoRedirect())
            _OPENERS[key] = opener
        return opener


def open_url(url, data=None, headers=None, method=None, timeout=30, validate_certs=True,
             ca_path=None, client_cert=None, client_key=None, http_agent=None):
    """The subset of ansible's open_url the inventory uses, with a reused SSL context.

    Same errors as open_url: HTTPError for an HTTP error status, URLError (or OSError) when
    nothing answered, the certificate did not verify or a TLS file could not be read.
    """
    request = Request(url, data=to_bytes(data) if data is not None else None,
                      headers=dict(headers or {}), method=method)
    if http_agent:
        request.add_header('User-Agent', http_agent)
    return _opener(validate_certs, ca_path, client_cert, client_key).open(request, timeout=timeout)


class _OpenUrlClient(ExporterClient):
    """The controller-side client: open_url (no AnsibleModule in an inventory plugin)."""

    def __init__(self, url, token, request_timeout, validate_certs, ca_path=None,
                 client_cert=None, client_key=None):
        super(_OpenUrlClient, self).__init__(url, token, request_timeout)
        self.validate_certs = validate_certs
        self.ca_path = ca_path
        self.client_cert = client_cert
        self.client_key = client_key

    def send(self, method, url, data, headers, timeout):
        try:
            resp = open_url(url, data=data, headers=headers, method=method, timeout=timeout,
                            validate_certs=self.validate_certs, ca_path=self.ca_path,
                            client_cert=self.client_cert, client_key=self.client_key,
                            http_agent='qga.exporter.domains')
            return resp.getcode(), resp.read(), None
        except HTTPError as e:
            try:
                body = e.read()
            except Exception:
                body = None
            return e.code, body, to_native(e)
        except (URLError, IOError, OSError, ValueError) as e:
            return -1, None, to_native(e)


def unsafe(value):
    """wrap_var for decoded JSON, about five times faster: 2000 domain details spent most of the
    inventory's time in wrap_var's generic type checks.

    The same result for JSON's types: text becomes AnsibleUnsafeText, dicts (keys included) and
    lists are copied with every item wrapped, numbers, booleans and None stay as they are
    (nothing to template). Anything else goes through wrap_var.
    """
    kind = type(value)
    if kind is str:
        return AnsibleUnsafeText(value)
    if kind is dict:
        return dict((unsafe(k), unsafe(v)) for k, v in value.items())
    if kind is list:
        return [unsafe(v) for v in value]
    if kind in (int, float, bool) or value is None:
        return value
    return wrap_var(value)


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


def url_name(url, taken):
    """The name of an exporter given in urls: its host, or host_port when the host is taken."""
    parsed = urlparse(url)
    host = parsed.hostname or 'exporter'
    name = re.sub(r'[^A-Za-z0-9_.-]', '_', host)
    if name in taken:
        name = '%s_%s' % (name, parsed.port or ('443' if parsed.scheme == 'https' else '80'))
    return name


def host_names(pairs, template):
    """{(exporter, domain): host name} for the (exporter name, domain name) pairs.

    Returns (names, clashes): clashes lists the domain names found on more than one exporter
    (those hosts are named DOMAIN@EXPORTER when template is None). With a template, two pairs
    that get the same name raise ValueError naming both.
    """
    exporters_of = {}
    for exporter, domain in pairs:
        exporters_of.setdefault(domain, []).append(exporter)
    names = {}
    owner = {}
    for exporter, domain in pairs:
        if template is None:
            fmt = '{domain}' if len(exporters_of[domain]) == 1 else '{domain}@{exporter}'
        else:
            fmt = template
        name = fmt.format(domain=domain, exporter=exporter)
        if name in owner:
            other = owner[name]
            raise ValueError('%s gives the host name %r to domain %r of exporter %r and to'
                             ' domain %r of exporter %r: set host_name_template to names that'
                             ' differ' % ('host_name_template %r' % template if template else
                                          'the default naming', name, other[1], other[0],
                                          domain, exporter))
        owner[name] = (exporter, domain)
        names[(exporter, domain)] = name
    clashes = sorted(d for d, e in exporters_of.items() if len(e) > 1)
    return names, clashes


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

    def _fail(self, msg):
        raise AnsibleParserError('qga.exporter.domains: %s' % msg)

    def exporters(self):
        """[{name, url, token, validate_certs, ca_path, client_cert, client_key}] from the options."""
        top_token = self._templated(self.get_option('token'))
        defaults = dict((k, self.get_option(k)) for k in _TLS_OPTIONS)
        out = []
        for index, entry in enumerate(self.get_option('exporters') or []):
            where = 'exporters[%d]' % index
            if not isinstance(entry, dict):
                self._fail('%s must be a mapping with name, url and token, not %r' % (where, entry))
            unknown = sorted(set(entry) - set(('name', 'url', 'token', 'token_file') + _TLS_OPTIONS))
            if unknown:
                self._fail('%s has unknown keys %s (known: name, url, token, token_file, %s)'
                           % (where, ', '.join(unknown), ', '.join(_TLS_OPTIONS)))
            name = self._templated(entry.get('name'))
            if not isinstance(name, str) or not _EXPORTER_NAME.match(name):
                self._fail('%s.name must be letters, digits, ".", "_" or "-" (at most 63),'
                           ' not %r' % (where, name))
            url = self._templated(entry.get('url'))
            if not url:
                self._fail('%s (%s) has no url' % (where, name))
            token = self._templated(entry.get('token'))
            token_file = self._templated(entry.get('token_file'))
            if token and token_file:
                self._fail('%s (%s) has both token and token_file: give one' % (where, name))
            if token_file:
                path = os.path.expanduser(to_native(token_file))
                try:
                    with open(path, 'rb') as f:
                        token = to_text(f.read(), errors='surrogate_or_strict').strip().split('\n')[0].strip()
                except (IOError, OSError, UnicodeError) as e:
                    self._fail('%s (%s): cannot read token_file %s: %s' % (where, name, path, to_native(e)))
                if not token:
                    self._fail('%s (%s): token_file %s is empty' % (where, name, path))
                mode = os.stat(path).st_mode & 0o777
                if mode & 0o077:
                    self.display.warning('qga.exporter.domains: %s (%s): token_file %s is readable'
                                         ' by other users (mode %04o): chmod 600 it'
                                         % (where, name, path, mode))
            exporter = dict(name=name, url=to_text(url), token=token or top_token)
            for key in _TLS_OPTIONS:
                value = entry.get(key)
                if value is None:
                    value = defaults[key]
                elif key != 'validate_certs':
                    value = os.path.expanduser(to_native(value))
                exporter[key] = value
            out.append(exporter)
        taken = set(e['name'] for e in out)
        for url in self.get_option('urls') or []:
            url = to_text(self._templated(url))
            name = url_name(url, taken)
            exporter = dict(name=name, url=url, token=top_token)
            exporter.update(defaults)
            out.append(exporter)
            taken.add(name)
        seen = set()
        for exporter in out:
            if exporter['name'] in seen:
                self._fail('two exporters are named %r: give each a name of its own' % exporter['name'])
            seen.add(exporter['name'])
        return out

    def fetch(self, exporters):
        """[{name, url, domains}] read from every exporter, the requests in parallel."""
        concurrency = self.get_option('concurrency')
        if not isinstance(concurrency, int) or not 1 <= concurrency <= MAX_CONCURRENCY:
            self._fail('concurrency must be 1 to %d, not %r' % (MAX_CONCURRENCY, concurrency))
        with _OPENERS_LOCK:
            _OPENERS.clear()  # CA and client certificate files are read again on every parse
        clients = []
        for exporter in exporters:
            try:
                clients.append(_OpenUrlClient(
                    exporter['url'], exporter['token'], self.get_option('request_timeout'),
                    exporter['validate_certs'], exporter['ca_path'], exporter['client_cert'],
                    exporter['client_key']))
            except ExporterError as e:
                self._fail('exporter %s: %s' % (exporter['name'], e.msg))
        errors = {}
        with ThreadPoolExecutor(max_workers=concurrency) as pool:
            lists = [pool.submit(client.domains) for client in clients]
            summaries = []
            for exporter, future in zip(exporters, lists):
                try:
                    summaries.append([d for d in future.result() if isinstance(d, dict)])
                except ExporterError as e:
                    errors[exporter['name']] = e
                    summaries.append([])
            details = []
            if self.get_option('details'):
                for client, found in zip(clients, summaries):
                    details.append([pool.submit(client.domain, d['name'])
                                    if isinstance(d.get('name'), str) else None for d in found])
        out = []
        for index, exporter in enumerate(exporters):
            domains = summaries[index]
            if details and exporter['name'] not in errors:
                detailed = []
                for summary, future in zip(domains, details[index]):
                    if future is None:  # no name: populate() skips it
                        detailed.append(summary)
                        continue
                    try:
                        detailed.append(future.result())
                    except ExporterError as e:
                        if e.status != 404:  # 404: gone between the list and now
                            errors.setdefault(exporter['name'], e)
                            break
                        detailed.append(summary)
                domains = detailed
            if exporter['name'] not in errors:
                out.append(dict(name=exporter['name'], url=clients[index].url, domains=domains))
        failed = []
        for exporter in exporters:
            e = errors.get(exporter['name'])
            if e is None:
                continue
            if (self.get_option('skip_unreachable') and (e.status is None or e.status < 0)
                    and not e.certificate):
                self.display.warning('qga.exporter.domains: skipped the exporter %s (%s): %s'
                                     % (exporter['name'], exporter['url'], e.msg))
            else:
                failed.append('exporter %s (%s): %s' % (exporter['name'], exporter['url'], e.msg))
        if failed:
            raise AnsibleError('qga.exporter.domains: %d of %d exporters failed: %s'
                               % (len(failed), len(exporters), '; '.join(failed)))
        return out

    def parse(self, inventory, loader, path, cache=True):
        super(InventoryModule, self).parse(inventory, loader, path, cache)
        self._read_config_data(path)
        exporters = self.exporters()
        if not exporters:
            self._fail('no exporter in %s: give exporters (name, url, token) or urls' % path)
        template = self.get_option('host_name_template')
        if template is not None and '{domain}' not in template:
            self._fail('host_name_template must contain {domain}, not %r' % template)
        cache_key = self.get_cache_key(path)
        use_cache = self.get_option('cache') and cache
        update_cache = self.get_option('cache') and not cache
        data = None
        if use_cache:
            try:
                data = self._cache[cache_key]
            except KeyError:
                update_cache = True
            # written by an older version of this plugin, or for other exporters
            if not (isinstance(data, dict) and data.get('format') == CACHE_FORMAT
                    and [e.get('name') for e in data.get('exporters') or []]
                    == [e['name'] for e in exporters]):
                data = None
                update_cache = True
        if data is None:
            data = dict(format=CACHE_FORMAT, exporters=self.fetch(exporters))
        if update_cache:
            self._cache[cache_key] = data
        connection = None
        if self.get_option('connection_plugin'):
            connection = dict((e['name'], e) for e in exporters)
        self.populate(data['exporters'], template, connection)

    def populate(self, exporters, template=None, connection=None):
        """connection: {exporter name: its options} when hosts get the connection plugin."""
        strict = self.get_option('strict')
        usable = []
        for exporter in exporters:
            for domain in exporter['domains']:
                raw_name = domain.get('name') if isinstance(domain, dict) else None
                name = host_name(raw_name)
                if name is None:
                    if raw_name:
                        self.display.warning('qga.exporter.domains: %s: skipped the domain %r: '
                                             'not usable as a host name' % (exporter['name'], raw_name))
                    continue
                usable.append((exporter, name, domain))
        try:
            names, clashes = host_names([(e['name'], n) for e, n, d in usable], template)
        except (ValueError, KeyError, IndexError) as e:
            self._fail(to_native(e) if isinstance(e, ValueError) else
                       'host_name_template %r: unknown field %s (known: domain, exporter)'
                       % (template, to_native(e)))
        if clashes and template is None:
            self.display.warning(
                'qga.exporter.domains: %d domain name(s) exist on more than one exporter, so'
                ' their hosts are named DOMAIN@EXPORTER: %s%s (set host_name_template to choose'
                ' the names)' % (len(clashes), ', '.join(clashes[:10]),
                                 ', ...' if len(clashes) > 10 else ''))
        for exporter, name, domain in usable:
            hostname = host_name(names[(exporter['name'], name)])
            if hostname is None:
                self.display.warning('qga.exporter.domains: %s: skipped the domain %r: the host'
                                     ' name %r is not usable' % (exporter['name'], name,
                                                                  names[(exporter['name'], name)]))
                continue
            host = self.inventory.add_host(hostname)
            group = self.inventory.add_group(to_safe_group_name('exporter_%s' % exporter['name'],
                                                                force=True, silent=True))
            self.inventory.add_child(group, host)
            # Everything else except the exporter's own name and URL comes from the guest (or
            # from the exporter, which may be old or lying): unsafe, keys included, so that
            # Jinja2 in it is text, never a template run on the controller when a play reads it
            variables = dict((var, unsafe(domain.get(field))) for var, field in VARIABLES
                             if field in domain)
            variables['qga_domain'] = name
            variables['qga_agent_up'] = bool(domain.get('up'))
            variables['qga_exporter'] = exporter['name']
            variables['qga_exporter_url'] = exporter['url']
            variables['qga_exporter_host'] = urlparse(exporter['url']).hostname
            address = first_ipv4(domain)
            if address:
                variables['ansible_host'] = unsafe(address)
            if connection is not None:
                variables['ansible_connection'] = 'qga.exporter.agent'
                for key in _TLS_OPTIONS:
                    value = connection.get(exporter['name'], {}).get(key)
                    if value is not None and not (key == 'validate_certs' and value is True):
                        variables['qga_exporter_' + key] = value
            for var, value in variables.items():
                self.inventory.set_variable(host, var, value)
            self._set_composite_vars(self.get_option('compose'), variables, host, strict=strict)
            self._add_host_to_composed_groups(self.get_option('groups'), variables, host,
                                              strict=strict)
            self._add_host_to_keyed_groups(self.get_option('keyed_groups'), variables, host,
                                           strict=strict)
