# -*- coding: utf-8 -*-
"""The connection plugin qga.exporter.agent against a local HTTP double of the exec and files
endpoints (the contract's shapes; the real exporter and real guests are in e2e/): what it sends,
how it maps each answer, that files stream in chunks."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import json
import threading

import pytest

from ansible.errors import AnsibleConnectionFailure, AnsibleError, AnsibleFileNotFound
from ansible.module_utils.six.moves import BaseHTTPServer
from ansible.module_utils.six.moves.urllib.parse import parse_qs, urlparse
from ansible.playbook.play_context import PlayContext
from ansible.plugins.loader import connection_loader

from ansible_collections.qga.exporter.plugins.connection import agent

ADMIN = 'admin-token'
DOMAIN = 'web 1/ä'  # percent-encoded in the URL path


class Exporter(object):
    """What the double answers: per (method, path) a callable(handler, query, body)."""

    def __init__(self):
        self.requests = []
        self.detail = {'name': DOMAIN, 'up': True, 'os': {'id': 'debian', 'name': 'Debian'}}
        self.exec_answer = None  # (status, body)
        self.files = {}
        self.put_status = None
        self.body_reads = []
        self.redirect = False


def make_handler(state):
    class Handler(BaseHTTPServer.BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def reply(self, status, body, content_type='application/json'):
            raw = body if isinstance(body, bytes) else json.dumps(body).encode()
            self.send_response(status)
            self.send_header('Content-Type', content_type)
            self.send_header('Content-Length', str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        def handle_any(self):
            url = urlparse(self.path)
            query = dict((k, v[0]) for k, v in parse_qs(url.query).items())
            length = int(self.headers.get('Content-Length') or 0)
            body = b''
            while len(body) < length:  # as it arrives: the client streams the file
                chunk = self.rfile.read(min(65536, length - len(body)))
                state.body_reads.append(len(chunk))
                body += chunk
            state.requests.append((self.command, url.path, query, body,
                                   self.headers.get('Authorization')))
            if self.headers.get('Authorization') != 'Bearer ' + ADMIN:
                return self.reply(401, {'error': 'unknown token'})
            base = '/api/v1/domains/web%201%2F%C3%A4'
            if state.redirect:
                self.send_response(302)
                self.send_header('Location', state.url + '/elsewhere')
                self.send_header('Content-Length', '0')
                self.end_headers()
                return None
            if url.path == base and self.command == 'GET':
                return self.reply(200, state.detail)
            if url.path == base + '/exec' and self.command == 'POST':
                return self.reply(*state.exec_answer)
            if url.path == base + '/files' and self.command == 'PUT':
                if state.put_status:
                    return self.reply(state.put_status, {'error': 'file larger than 1048576 bytes'})
                state.files[query['path']] = body
                return self.reply(200, {'path': query['path'], 'size': len(body)})
            if url.path == base + '/files' and self.command == 'GET':
                if query['path'] not in state.files:
                    return self.reply(404, {'error': 'no such file: %s' % query['path']})
                return self.reply(200, state.files[query['path']], 'application/octet-stream')
            return self.reply(404, {'error': 'no domain %s' % url.path})

        do_GET = do_POST = do_PUT = handle_any

    return Handler


@pytest.fixture
def exporter():
    state = Exporter()
    server = BaseHTTPServer.HTTPServer(('127.0.0.1', 0), make_handler(state))
    thread = threading.Thread(target=server.serve_forever)
    thread.daemon = True
    thread.start()
    state.url = 'http://127.0.0.1:%d' % server.server_address[1]
    yield state
    server.shutdown()
    server.server_close()


def connect(state, **variables):
    conn = connection_loader.get('qga.exporter.agent', PlayContext(), None)
    options = dict(qga_exporter_url=state.url, qga_domain=DOMAIN, qga_exporter_token=ADMIN,
                   inventory_hostname='web-1@hv1')
    options.update(variables)
    conn.set_options(var_options=options)
    conn._connect()
    return conn


def ok(stdout=b'', stderr=b'', exitcode=0, signal=None, **extra):
    body = {'exitcode': exitcode, 'signal': signal, 'stdout': base64.b64encode(stdout).decode(),
            'stderr': base64.b64encode(stderr).decode(), 'stdout_truncated': False,
            'stderr_truncated': False, 'pid': 42, 'duration_ms': 7}
    body.update(extra)
    return 200, body


def test_exec_runs_sh_with_stdin_and_returns_rc_and_bytes(exporter):
    exporter.exec_answer = ok(b'out\xff', b'err', exitcode=3)
    conn = connect(exporter)
    rc, out, err = conn.exec_command("echo 'a b'", in_data=b'\x00stdin')
    assert (rc, out, err) == (3, b'out\xff', b'err')
    method, path, query, body, auth = exporter.requests[-1]
    assert (method, path, auth) == ('POST', '/api/v1/domains/web%201%2F%C3%A4/exec', 'Bearer ' + ADMIN)
    sent = json.loads(body)
    assert sent['path'] == '/bin/sh' and sent['arg'] == ['-c', "echo 'a b'"]
    assert base64.b64decode(sent['input']) == b'\x00stdin'
    assert sent['capture_output'] is True and sent['timeout'] == '600s'
    assert conn._play_context.remote_user == 'root'


def test_exec_killed_by_a_signal_is_128_plus_signal(exporter):
    exporter.exec_answer = ok(exitcode=None, signal=9)
    assert connect(exporter).exec_command('sleep 100')[0] == 137


def test_exec_disabled_names_the_config_switch(exporter):
    exporter.exec_answer = (403, {'error': 'exec is disabled (api.exec.enabled: false)'})
    with pytest.raises(AnsibleConnectionFailure) as e:
        connect(exporter).exec_command('true')
    assert 'set api.exec.enabled: true' in str(e.value)


def test_exec_with_a_lower_role_asks_for_admin(exporter):
    exporter.exec_answer = (403, {'error': 'role operator may not POST .../exec (needs admin)'})
    with pytest.raises(AnsibleConnectionFailure) as e:
        connect(exporter).exec_command('true')
    assert 'needs role admin' in str(e.value) and 'api.exec.enabled' not in str(e.value)


def test_a_refused_token_fails_at_connect(exporter):
    with pytest.raises(AnsibleConnectionFailure) as e:
        connect(exporter, qga_exporter_token='wrong')
    assert '401' in str(e.value) and 'QGA_EXPORTER_TOKEN' in str(e.value)


def test_an_unknown_domain_fails_at_connect(exporter):
    with pytest.raises(AnsibleConnectionFailure) as e:
        connect(exporter, qga_domain='nope')
    assert 'does not know domain nope' in str(e.value)


def test_the_inventory_hostname_is_the_default_domain(exporter):
    conn = connection_loader.get('qga.exporter.agent', PlayContext(), None)
    conn.set_options(var_options=dict(qga_exporter_url=exporter.url, qga_exporter_token=ADMIN,
                                      inventory_hostname=DOMAIN))
    conn._connect()
    assert conn.domain == DOMAIN


def test_a_timeout_says_command_timeout(exporter):
    exporter.exec_answer = (504, {'error': 'guest-exec still running after 5s'})
    conn = connect(exporter, qga_command_timeout=5)
    with pytest.raises(AnsibleConnectionFailure) as e:
        conn.exec_command('sleep 10')
    assert 'command_timeout (5s)' in str(e.value)
    assert json.loads(exporter.requests[-1][3])['timeout'] == '5s'


def test_truncated_output_warns(exporter, monkeypatch):
    warnings = []
    monkeypatch.setattr(agent.display, 'warning', warnings.append)
    exporter.exec_answer = ok(b'x' * 10, stdout_truncated=True)
    connect(exporter).exec_command('yes')
    assert warnings and 'stdout' in warnings[0] and 'cut' in warnings[0]


def test_windows_guests_are_refused(exporter):
    exporter.detail['os'] = {'id': 'mswindows', 'name': 'Microsoft Windows',
                             'pretty_name': 'Windows Server 2022'}
    with pytest.raises(AnsibleConnectionFailure) as e:
        connect(exporter)
    assert 'Windows guests: no POSIX shell' in str(e.value)
    assert not [r for r in exporter.requests if r[1].endswith('/exec')]


def test_an_agent_that_is_down_is_unreachable(exporter):
    exporter.detail.update(up=False, last_error='agent timeout')
    with pytest.raises(AnsibleConnectionFailure) as e:
        connect(exporter)
    assert 'not responding (agent timeout)' in str(e.value)


def test_put_streams_the_file_and_fetch_writes_it_back(exporter, tmp_path):
    data = bytes(bytearray(range(256))) * 4096 + b'tail'  # 1 MiB and a bit
    src = tmp_path / 'src'
    src.write_bytes(data)
    conn = connect(exporter)
    conn.put_file(str(src), '/tmp/x y')
    method, path, query, body, _ = exporter.requests[-1]
    assert method == 'PUT' and query == {'path': '/tmp/x y', 'mode': '0600'}
    assert body == data
    # the body arrived in pieces as it was read, not as one block built in memory first
    assert len(exporter.body_reads) > 4
    dst = tmp_path / 'dst'
    conn.fetch_file('/tmp/x y', str(dst))
    assert dst.read_bytes() == data


def test_put_too_big_and_fetch_missing(exporter, tmp_path):
    src = tmp_path / 'src'
    src.write_bytes(b'x')
    exporter.put_status = 413
    conn = connect(exporter)
    with pytest.raises(AnsibleError) as e:
        conn.put_file(str(src), '/tmp/big')
    assert 'larger than the exporter lets into a guest' in str(e.value)
    with pytest.raises(AnsibleFileNotFound) as e:
        conn.fetch_file('/etc/nope', str(tmp_path / 'out'))
    assert '/etc/nope does not exist' in str(e.value)
    with pytest.raises(AnsibleFileNotFound):
        conn.put_file(str(tmp_path / 'absent'), '/tmp/a')


def test_unreachable_exporter(exporter):
    with pytest.raises(AnsibleConnectionFailure) as e:
        connect(exporter, qga_exporter_url='http://127.0.0.1:1')
    assert 'cannot reach the qga-exporter' in str(e.value)


def test_no_url_is_a_clear_error(exporter):
    conn = connection_loader.get('qga.exporter.agent', PlayContext(), None)
    conn.set_options(var_options=dict(qga_domain='x'))
    with pytest.raises(AnsibleConnectionFailure) as e:
        conn._connect()
    assert 'qga_exporter_url' in str(e.value)


def test_a_redirect_is_refused_and_the_token_goes_nowhere_else(exporter):
    exporter.redirect = True
    with pytest.raises(AnsibleConnectionFailure) as e:
        connect(exporter)
    assert '302' in str(e.value)
    assert [r[1] for r in exporter.requests] == ['/api/v1/domains/web%201%2F%C3%A4']
