# -*- coding: utf-8 -*-

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
name: agent
short_description: Run tasks inside a VM through its guest agent, via the qga-exporter API
version_added: 0.2.0
description:
  - Runs commands in a VM with the QEMU guest agent's C(guest-exec) and moves files with its
    C(guest-file-*) commands, all through the qga-exporter's control API
    (C(POST /api/v1/domains/{d}/exec), C(PUT) and C(GET /api/v1/domains/{d}/files)). The
    controller needs no network path into the guest and the guest no SSH server, only a
    running qemu-ga.
  - Needs an exporter with C(api.exec.enabled) set to C(true) (it is off by default) and a token
    with role C(admin). Every exec and file transfer is audited by the exporter under that
    token's name.
  - Commands run as C(/bin/sh -c COMMAND) as the user qemu-ga runs as, C(root) on every
    common distribution. C(remote_user) is ignored. C(become) to C(root) needs nothing and
    changes nothing; C(become) to another user runs the become method (C(sudo), C(su)) inside
    the guest, which must have it.
  - Modules other than C(raw) and C(script) need Python 3 in the guest, as over SSH.
  - Windows guests are refused (their agent runs no POSIX shell); see docs/ansible.md.
  - The host variables C(qga_exporter_url) and C(qga_domain) that the inventory plugin
    C(qga.exporter.domains) sets choose the exporter and the domain; its option
    C(connection_plugin) sets C(ansible_connection) to this plugin.
author: qga-exporter contributors
extends_documentation_fragment:
  - connection_pipelining
options:
  url:
    description:
      - Base URL of the qga-exporter that owns the domain (required).
    type: str
    vars:
      - name: qga_exporter_url
    env:
      - name: QGA_EXPORTER_URL
  domain:
    description:
      - The domain (VM) name on that exporter. Default the inventory host name.
    type: str
    vars:
      - name: inventory_hostname
      - name: qga_domain
  token:
    description:
      - An API token of the exporter with role C(admin).
    type: str
    vars:
      - name: qga_exporter_token
    env:
      - name: QGA_EXPORTER_TOKEN
  validate_certs:
    description: Whether to verify the exporter's TLS certificate when I(url) is C(https://).
    type: bool
    default: true
    vars:
      - name: qga_exporter_validate_certs
  ca_path:
    description:
      - A PEM file with the CA certificates to verify the exporter's certificate with.
    type: path
    vars:
      - name: qga_exporter_ca_path
    env:
      - name: QGA_EXPORTER_CA_PATH
  client_cert:
    description: A PEM client certificate to present in the TLS handshake.
    type: path
    vars:
      - name: qga_exporter_client_cert
  client_key:
    description: The private key of I(client_cert) when it is not in that file.
    type: path
    vars:
      - name: qga_exporter_client_key
  request_timeout:
    description:
      - Seconds to wait for the exporter to answer a request, on top of I(command_timeout)
        for a command.
    type: int
    default: 30
    vars:
      - name: qga_exporter_request_timeout
  command_timeout:
    description:
      - Seconds a command may run in the guest. The exporter stops waiting after that
        (504) and the task fails; the exporter may cap it lower.
    type: int
    default: 600
    vars:
      - name: qga_command_timeout
notes:
  - The agent passes a command's stdin, stdout and stderr whole, base64 in JSON; the
    exporter bounds their sizes and the size of a transferred file (413 when bigger).
    Output cut at that bound is reported as a warning.
  - Files written with put_file get mode C(0600); modules such as M(ansible.builtin.copy)
    set the final mode.
'''

EXAMPLES = r'''
# inventory hypervisors.qga.yml: every VM a host that runs its tasks through the agent
# plugin: qga.exporter.domains
# exporters:
#   - {name: hv1, url: "https://hypervisor1:9920", token_file: ~/.config/qga/hv1-reader.token}
# connection_plugin: true

# group_vars/exporter_hv1.yml: the admin token that may exec
# qga_exporter_token: "{{ vault_hv1_admin_token }}"

- hosts: exporter_hv1
  gather_facts: false
  tasks:
    - name: Works without Python in the guest
      ansible.builtin.raw: uname -a
    - name: Gather facts (needs Python 3 in the guest)
      ansible.builtin.setup:
    - name: Copy a file in
      ansible.builtin.copy:
        src: motd
        dest: /etc/motd
        mode: "0644"

# one VM by hand, without the inventory plugin
- hosts: web-1
  gather_facts: false
  vars:
    ansible_connection: qga.exporter.agent
    qga_exporter_url: https://hypervisor1:9920
    qga_domain: web-1
  tasks:
    - ansible.builtin.command: systemctl is-active nginx
'''

import base64
import json
import os

from ansible.errors import AnsibleConnectionFailure, AnsibleError, AnsibleFileNotFound
from ansible.module_utils.common.text.converters import to_bytes, to_native, to_text
from ansible.module_utils.six.moves import http_client
from ansible.module_utils.six.moves.urllib.error import HTTPError, URLError
from ansible.module_utils.six.moves.urllib.parse import urlencode
from ansible.module_utils.six.moves.urllib.request import (
    HTTPSHandler,
    Request,
    build_opener,
)
from ansible.module_utils.urls import make_context
from ansible.plugins.connection import ConnectionBase
from ansible.utils.display import Display

from ansible_collections.qga.exporter.plugins.module_utils.api import (
    ExporterClient,
    ExporterError,
    describe_error,
    is_certificate_failure,
)
from ansible_collections.qga.exporter.plugins.plugin_utils.http import NoRedirect

display = Display()

# Bytes per read and write of a file transfer: files stream through, never whole in memory
CHUNK = 64 * 1024


class _Client(ExporterClient):
    """The control API over one urllib opener whose SSL context is built once per connection."""

    def __init__(self, url, token, request_timeout, validate_certs, ca_path, client_cert,
                 client_key):
        super(_Client, self).__init__(url, token, request_timeout)
        context = make_context(cafile=ca_path, validate_certs=validate_certs)
        if client_cert:
            context.load_cert_chain(client_cert, client_key)
        self.opener = build_opener(HTTPSHandler(context=context), NoRedirect())

    def open(self, method, url, data=None, headers=None, timeout=None):
        """The response of a 2xx answer; HTTPError, URLError or OSError else."""
        request = Request(url, data=data, headers=dict(headers or {}), method=method)
        request.add_header('User-Agent', 'qga.exporter.agent')
        return self.opener.open(request, timeout=timeout or self.request_timeout)

    def send(self, method, url, data, headers, timeout):
        try:
            resp = self.open(method, url, to_bytes(data) if data is not None else None,
                             headers, timeout)
            return resp.getcode(), resp.read(), None
        except HTTPError as e:
            return e.code, _read_error(e), to_native(e)
        except (URLError, IOError, OSError, ValueError) as e:
            return -1, None, to_native(e)

    def stream(self, method, path, query, data=None, headers=None, timeout=None):
        """A request whose body or answer is raw bytes: the 2xx response, ExporterError else."""
        full = '%s%s?%s' % (self.url, path, urlencode(sorted(query.items())))
        headers = dict(headers or {})
        if self.token:
            headers['Authorization'] = 'Bearer %s' % self.token
        try:
            return self.open(method, full, data, headers, timeout)
        except HTTPError as e:
            body = _json(_read_error(e))
            raise ExporterError(describe_error(method, self.url, path, e.code, body, to_native(e)),
                                e.code, body)
        except (URLError, IOError, OSError, ValueError) as e:
            raise ExporterError(describe_error(method, self.url, path, -1, {}, to_native(e)), -1,
                                certificate=is_certificate_failure(to_native(e)))


def _read_error(error):
    try:
        return error.read()
    except Exception:
        return None


def _json(raw):
    try:
        decoded = json.loads(to_text(raw or b'', errors='surrogate_or_strict'))
    except ValueError:
        return {}
    return decoded if isinstance(decoded, dict) else {}


def is_windows(os_info):
    """True when the agent's guest-get-osinfo (as the exporter shows it) names Windows."""
    if not isinstance(os_info, dict):
        return False
    return (to_text(os_info.get('id') or '').lower() == 'mswindows'
            or 'windows' in to_text(os_info.get('name') or '').lower())


class Connection(ConnectionBase):
    """Commands and files through the exporter's exec and files endpoints."""

    transport = 'qga.exporter.agent'
    has_pipelining = True
    has_tty = False
    # qemu-ga runs as root: what a task runs as, whatever remote_user says. With become_user
    # root too, ansible wraps nothing (become to the same user is a no-op).
    default_user = 'root'

    def __init__(self, *args, **kwargs):
        super(Connection, self).__init__(*args, **kwargs)
        self._play_context.remote_user = self.default_user
        self.client = None
        self.domain = None

    # --- connection ------------------------------------------------------------------------

    def _connect(self):
        if self._connected:
            return self
        url = self.get_option('url')
        self.domain = self.get_option('domain')
        if not url:
            raise AnsibleConnectionFailure(
                'qga.exporter.agent: no exporter URL: set qga_exporter_url (the inventory plugin'
                ' qga.exporter.domains sets it) or QGA_EXPORTER_URL')
        if not self.domain:
            raise AnsibleConnectionFailure('qga.exporter.agent: no domain: set qga_domain')
        try:
            self.client = _Client(url, self.get_option('token'), self.get_option('request_timeout'),
                                  self.get_option('validate_certs'), self.get_option('ca_path'),
                                  self.get_option('client_cert'), self.get_option('client_key'))
            detail = self.client.domain(self.domain)
        except ExporterError as e:
            raise AnsibleConnectionFailure(self._message(e))
        except (IOError, OSError, ValueError) as e:  # a TLS file that cannot be read
            raise AnsibleConnectionFailure('qga.exporter.agent: TLS setup for %s failed: %s'
                                           % (url, to_native(e)))
        if is_windows(detail.get('os')):
            raise AnsibleConnectionFailure(
                'qga.exporter.agent: domain %s runs Windows (%s): Windows guests: no POSIX shell;'
                ' use the qga.exporter modules (agent_command, power, ...) against localhost, or'
                ' WinRM/PSRP (see docs/ansible.md)'
                % (self.domain, (detail.get('os') or {}).get('pretty_name') or 'mswindows'))
        if detail.get('up') is False:
            raise AnsibleConnectionFailure(
                'qga.exporter.agent: the guest agent of %s on %s is not responding (%s)'
                % (self.domain, self.client.url, detail.get('last_error') or 'no answer yet'))
        display.vvv('ESTABLISH qga.exporter.agent CONNECTION to %s on %s'
                    % (self.domain, self.client.url), host=self.domain)
        self._connected = True
        return self

    def close(self):
        self.client = None
        self._connected = False

    def reset(self):
        self.close()

    def _message(self, error, path=None):
        """The user's words for a failed request: exec switched off, role, token, domain."""
        where = 'domain %s on %s' % (self.domain, self.client.url if self.client else '?')
        text = error.msg
        said = to_text(error.body.get('error') or text)
        if error.status == 403 and 'api.exec.enabled' in said:
            return ('qga.exporter.agent: exec is disabled on the exporter (%s): set'
                    ' api.exec.enabled: true in its config to run tasks in its guests. The'
                    ' exporter answered 403: %s' % (where, said))
        if error.status == 403:
            return ('qga.exporter.agent: the token may not run commands or move files in %s:'
                    ' it needs role admin (qga_exporter_token or QGA_EXPORTER_TOKEN). The'
                    ' exporter answered 403: %s' % (where, said))
        if error.status == 404 and path is None:
            return 'qga.exporter.agent: the exporter does not know %s: %s' % (where, text)
        return 'qga.exporter.agent: %s: %s' % (where, text)

    # --- commands --------------------------------------------------------------------------

    def exec_command(self, cmd, in_data=None, sudoable=True):
        super(Connection, self).exec_command(cmd, in_data=in_data, sudoable=sudoable)
        display.vvv('EXEC %s' % cmd, host=self.domain)
        timeout = self.get_option('command_timeout')
        body = {'path': '/bin/sh', 'arg': ['-c', to_text(cmd, errors='surrogate_or_strict')],
                'timeout': '%ds' % timeout, 'capture_output': True}
        if in_data:
            body['input'] = to_text(base64.b64encode(to_bytes(in_data)))
        path = self.client.domain_path(self.domain, 'exec')
        try:
            answer = self.client.request('POST', path, body, extra_timeout=timeout)[1]
        except ExporterError as e:
            if e.status == 504:
                raise AnsibleConnectionFailure(
                    'qga.exporter.agent: the command ran longer than command_timeout (%ds) in %s'
                    ' and was given up: %s' % (timeout, self.domain, e.msg))
            raise AnsibleConnectionFailure(self._message(e))
        try:
            stdout = base64.b64decode(answer.get('stdout') or '')
            stderr = base64.b64decode(answer.get('stderr') or '')
        except (TypeError, ValueError) as e:
            raise AnsibleConnectionFailure('qga.exporter.agent: the exporter sent output that is'
                                           ' not base64: %s' % to_native(e))
        for stream in ('stdout', 'stderr'):
            if answer.get(stream + '_truncated'):
                display.warning('qga.exporter.agent: %s of a command in %s was cut by the exporter'
                                ' at %d bytes' % (stream, self.domain,
                                                  len(stdout if stream == 'stdout' else stderr)))
        rc = answer.get('exitcode')
        if answer.get('signal') is not None:
            rc = 128 + int(answer['signal'])  # as a shell reports a command killed by a signal
        if not isinstance(rc, int):
            raise AnsibleConnectionFailure('qga.exporter.agent: the exporter answered an exec'
                                           ' without an exit code: %s' % answer)
        return rc, stdout, stderr

    # --- files -----------------------------------------------------------------------------

    def put_file(self, in_path, out_path):
        super(Connection, self).put_file(in_path, out_path)
        display.vvv('PUT %s TO %s' % (in_path, out_path), host=self.domain)
        local = to_bytes(in_path, errors='surrogate_or_strict')
        if not os.path.isfile(local):
            raise AnsibleFileNotFound('file or module does not exist: %s' % to_native(in_path))
        size = os.path.getsize(local)
        path = self.client.domain_path(self.domain, 'files')
        headers = {'Content-Type': 'application/octet-stream', 'Content-Length': str(size)}
        try:
            with open(local, 'rb') as f:
                # urllib sends a file object in blocks as it reads it, never whole
                # the exporter answers once the agent wrote the last chunk: allow a second per
                # chunk on top of request_timeout (a socket timeout, not a total)
                resp = self.client.stream('PUT', path, {'path': out_path, 'mode': '0600'}, f,
                                          headers, self.get_option('request_timeout') + size // CHUNK)
                resp.read()
        except ExporterError as e:
            if e.status == 413:
                raise AnsibleError('qga.exporter.agent: %s (%d bytes) is larger than the exporter'
                                   ' lets into a guest: %s' % (in_path, size, e.msg))
            raise AnsibleConnectionFailure(self._message(e, out_path))

    def fetch_file(self, in_path, out_path):
        super(Connection, self).fetch_file(in_path, out_path)
        display.vvv('FETCH %s TO %s' % (in_path, out_path), host=self.domain)
        path = self.client.domain_path(self.domain, 'files')
        try:
            resp = self.client.stream('GET', path, {'path': in_path}, headers={
                'Accept': 'application/octet-stream'})
        except ExporterError as e:
            if e.status == 404:
                raise AnsibleFileNotFound('qga.exporter.agent: %s does not exist in %s: %s'
                                          % (in_path, self.domain, e.msg))
            raise AnsibleConnectionFailure(self._message(e, in_path))
        local = to_bytes(out_path, errors='surrogate_or_strict')
        try:
            with open(local, 'wb') as f:
                while True:
                    chunk = resp.read(CHUNK)
                    if not chunk:
                        break
                    f.write(chunk)
        except (IOError, OSError, http_client.HTTPException) as e:
            raise AnsibleError('qga.exporter.agent: fetching %s from %s into %s failed: %s'
                               % (in_path, self.domain, out_path, to_native(e)))
