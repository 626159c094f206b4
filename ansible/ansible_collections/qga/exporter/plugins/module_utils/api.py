# -*- coding: utf-8 -*-
"""The HTTP client of the qga-exporter control API, shared by the modules and the inventory.

Every failure becomes an ExporterError whose message says what went wrong in the user's words
(unreachable exporter, bad token, role too low, unknown domain, frozen or busy domain, agent not
responding) and keeps the exporter's own error text, which names the field or the problem.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import re
import time
from datetime import datetime

from ansible.module_utils.basic import env_fallback
from ansible.module_utils.common.text.converters import to_native, to_text
from ansible.module_utils.six.moves.urllib.parse import quote, urlencode
from ansible.module_utils.urls import fetch_url

# The longest ?wait= asked in one request; the exporter cuts it to api.max_wait anyway.
WAIT_STEP_SECONDS = 30

# Commands the exporter runs without going through its action executor: they never change
# the guest, so agent_command never reports changed for them (same list as the exporter's).
READ_ONLY_COMMANDS = (
    'guest-info',
    'guest-ping',
    'guest-get-*',
    'guest-network-get-*',
    'guest-fsfreeze-status',
)

_DURATION = re.compile(r'^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)?\s*$')
_UNIT_SECONDS = {'ms': 0.001, 's': 1, 'm': 60, 'h': 3600, 'd': 86400, 'w': 604800}


def common_argument_spec():
    """The options every module takes (doc fragment qga.exporter.common)."""
    return dict(
        url=dict(type='str', default='http://127.0.0.1:9920',
                 fallback=(env_fallback, ['QGA_EXPORTER_URL'])),
        token=dict(type='str', no_log=True, fallback=(env_fallback, ['QGA_EXPORTER_TOKEN'])),
        validate_certs=dict(type='bool', default=True),
        ca_path=dict(type='path', fallback=(env_fallback, ['QGA_EXPORTER_CA_PATH'])),
        client_cert=dict(type='path'),
        client_key=dict(type='path'),
        request_timeout=dict(type='int', default=30),
    )


def job_argument_spec():
    """The options of modules that run an action as a job (doc fragment qga.exporter.common.JOB)."""
    spec = common_argument_spec()
    spec.update(domain=dict(type='str', required=True), wait_timeout=dict(type='int', default=300))
    return spec


def is_read_only(command):
    """True for agent commands that only read (agent_command never reports changed for them)."""
    for pattern in READ_ONLY_COMMANDS:
        if pattern.endswith('*'):
            if command.startswith(pattern[:-1]):
                return True
        elif command == pattern:
            return True
    return False


def parse_duration(value, name):
    """Seconds of a duration: a number of seconds, or a string like 500ms, 90s, 30m, 12h, 7d, 1w."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError('%s must be a duration like 90s, 12h or 7d, not %r' % (name, value))
    if isinstance(value, (int, float)):
        seconds = float(value)
    else:
        match = _DURATION.match(to_text(value))
        if not match:
            raise ValueError('%s must be a duration like 500ms, 90s, 30m, 12h, 7d or a number of'
                             ' seconds, not %r' % (name, to_native(value)))
        seconds = float(match.group(1)) * _UNIT_SECONDS[match.group(2) or 's']
    if seconds < 0:
        raise ValueError('%s must not be negative, got %r' % (name, value))
    return seconds


def parse_timestamp(text):
    """Epoch seconds of an RFC 3339 UTC timestamp as the exporter writes them (2026-11-27T10:00:00Z)."""
    text = to_text(text).strip()
    if not text.endswith('Z'):
        raise ValueError('not a UTC timestamp: %r' % to_native(text))
    body = text[:-1]
    fraction = 0.0
    if '.' in body:
        body, frac = body.split('.', 1)
        fraction = float('0.' + frac) if frac.isdigit() else 0.0
    parsed = datetime.strptime(body, '%Y-%m-%dT%H:%M:%S')
    epoch = datetime(1970, 1, 1)
    delta = parsed - epoch
    return delta.days * 86400 + delta.seconds + fraction


def is_certificate_failure(text):
    """True when a transport error says the server's TLS certificate did not verify."""
    text = to_text(text or '')
    return 'CERTIFICATE_VERIFY_FAILED' in text or 'certificate verify failed' in text.lower()


class ExporterError(Exception):
    """A request that did not give the expected answer; status is -1 when nothing answered.

    certificate is True when the exporter answered with a certificate that did not verify: that
    is never "unreachable" (an inventory's skip_unreachable does not skip it).
    """

    def __init__(self, msg, status=None, body=None, certificate=False):
        super(ExporterError, self).__init__(msg)
        self.msg = msg
        self.status = status
        self.body = body if isinstance(body, dict) else {}
        self.certificate = certificate

    def result(self):
        """What a module adds to fail_json: the status and the exporter's error body."""
        out = dict(msg=self.msg)
        if self.status is not None:
            out['status'] = self.status
        if self.body:
            out['api_error'] = self.body
        return out


def describe_error(method, url, path, status, body, transport_msg=None):
    """The message for a failed request, per status code."""
    error = body.get('error') if isinstance(body, dict) else None
    if (status is None or status < 0) and is_certificate_failure(transport_msg):
        return ('the TLS certificate of the exporter at %s did not verify: %s (give ca_path with'
                ' the CA that signed it, or fix the certificate; validate_certs=false would let'
                ' anyone on the way read the token)' % (url, transport_msg))
    if status is None or status < 0:
        return ('cannot reach the qga-exporter at %s: %s (is the exporter running, and is url'
                ' right?)' % (url, transport_msg or 'no answer'))
    detail = error or transport_msg or 'no error message'
    if status == 401:
        return ('the exporter at %s refused the token (401 Unauthorized): %s. Set token (or'
                ' QGA_EXPORTER_TOKEN) to a token listed in the exporter\'s api.tokens'
                % (url, detail))
    if status == 403:
        return 'the exporter refused %s %s (403 Forbidden): %s' % (method, path, detail)
    if status == 404:
        return 'not found (404) at %s %s: %s' % (method, path, detail)
    if status == 409:
        return 'the domain is frozen or busy (409 Conflict): %s' % detail
    if status == 503:
        tried = body.get('tried') if isinstance(body, dict) else None
        return 'the guest agent is not responding (503): %s%s' % (
            detail, ' (tried: %s)' % tried if tried else '')
    if status == 400:
        field = body.get('field') if isinstance(body, dict) else None
        return 'the exporter rejected the request (400 Bad Request%s): %s' % (
            ', field %s' % field if field else '', detail)
    return '%s %s failed (%s): %s' % (method, path, status, detail)


class ExporterClient(object):
    """The control API over one transport; send() is what differs between modules and inventory."""

    def __init__(self, url, token=None, request_timeout=30):
        if not url:
            raise ExporterError('url is empty: give the exporter\'s address, like'
                                ' http://hypervisor:9920')
        if not re.match(r'^https?://', url):
            raise ExporterError('url must start with http:// or https://, not %r' % url)
        self.url = url.rstrip('/')
        self.token = token
        self.request_timeout = request_timeout

    def send(self, method, url, data, headers, timeout):
        """Returns (status, body bytes or text, transport message); status -1 when nothing answered."""
        raise NotImplementedError

    def request(self, method, path, body=None, query=None, expect=(200,), extra_timeout=0):
        """The decoded JSON answer (a dict) and its status; ExporterError for any other status."""
        full = self.url + path
        if query:
            full += '?' + urlencode(sorted(query.items()))
        headers = {'Accept': 'application/json'}
        if self.token:
            headers['Authorization'] = 'Bearer %s' % self.token
        data = None
        if body is not None:
            data = json.dumps(body)
            headers['Content-Type'] = 'application/json'
        elif method == 'POST':
            data = ''
        status, raw, transport_msg = self.send(
            method, full, data, headers, self.request_timeout + extra_timeout)
        decoded = {}
        if raw:
            try:
                decoded = json.loads(to_text(raw, errors='surrogate_or_strict'))
            except ValueError:
                decoded = None
        if status in expect and isinstance(decoded, dict):
            return status, decoded
        if status in expect:
            raise ExporterError('%s %s answered %s with something that is not a JSON object: %s'
                                % (method, path, status, to_native(raw)[:200]), status)
        raise ExporterError(
            describe_error(method, self.url, path, status, decoded if isinstance(decoded, dict) else {},
                           transport_msg),
            status, decoded,
            certificate=(status is None or status < 0) and is_certificate_failure(transport_msg))

    # --- endpoints ---------------------------------------------------------------------------

    @staticmethod
    def domain_path(domain, verb=None):
        path = '/api/v1/domains/%s' % quote(to_native(domain), safe='')
        return path + '/' + verb if verb else path

    def domains(self):
        return self.request('GET', '/api/v1/domains')[1].get('domains') or []

    def domain(self, domain):
        return self.request('GET', self.domain_path(domain))[1]

    def command(self, domain, execute, arguments=None):
        """The agent's return value; ExporterError (422 unsupported, 502 agent error, ...) else."""
        body = {'execute': execute}
        if arguments:
            body['arguments'] = arguments
        return self.request('POST', self.domain_path(domain, 'command'), body)[1]

    def run_job(self, domain, verb, body=None, dry_run=False, wait_timeout=300):
        """Submits an action and waits for its job; returns the finished job object.

        The first request already waits up to WAIT_STEP_SECONDS; later ones poll the job with
        ?wait= until wait_timeout is spent. A job still running then is an error naming the job.
        """
        deadline = time.time() + max(0, wait_timeout)
        step = int(min(WAIT_STEP_SECONDS, max(0, wait_timeout)))
        query = {'wait': '%ds' % step}
        if dry_run:
            query['dry_run'] = 'true'
        status, answer = self.request('POST', self.domain_path(domain, verb), body or {}, query,
                                      expect=(200, 202), extra_timeout=step)
        if status == 200 and answer.get('state') in ('succeeded', 'failed'):
            return answer
        job_id = answer.get('job')
        if not job_id:
            raise ExporterError('POST %s answered %s without a job id: %s'
                                % (self.domain_path(domain, verb), status, answer), status, answer)
        return self.wait_job(job_id, deadline)

    def wait_job(self, job_id, deadline):
        path = '/api/v1/jobs/%s' % quote(to_native(job_id), safe='')
        while True:
            remaining = deadline - time.time()
            if remaining <= 0:
                raise ExporterError('job %s is still running after wait_timeout; follow it with'
                                    ' GET %s' % (job_id, path), body={'job': job_id})
            step = int(min(WAIT_STEP_SECONDS, max(1, remaining)))
            started = time.time()
            job = self.request('GET', path, query={'wait': '%ds' % step}, extra_timeout=step)[1]
            if job.get('state') != 'running':
                return job
            # the exporter answers at once when too many requests wait already: do not spin
            if time.time() - started < 1:
                time.sleep(min(1.0, max(0.0, deadline - time.time())))


class ModuleClient(ExporterClient):
    """The client of a module: fetch_url, so validate_certs and proxies work as in ansible.builtin.uri."""

    def __init__(self, module):
        self.module = module
        super(ModuleClient, self).__init__(module.params['url'], module.params.get('token'),
                                           module.params.get('request_timeout') or 30)

    def send(self, method, url, data, headers, timeout):
        # looked up in this module's globals: unit tests fake fetch_url here. fetch_url reads
        # validate_certs, client_cert and client_key from the module's params itself; ca_path
        # it takes only as an argument
        resp, info = fetch_url(self.module, url, data=data, headers=headers, method=method,
                               timeout=timeout, ca_path=self.module.params.get('ca_path'))
        status = info.get('status', -1)
        raw = None
        if resp is not None and status is not None and 0 < status < 400:
            try:
                raw = resp.read()
            except Exception as e:  # a connection cut mid-body
                return -1, None, 'reading the answer failed: %s' % to_native(e)
        else:
            raw = info.get('body')
        return status, raw, info.get('msg')


def diff(module, before, after):
    """The diff of a state change for --diff, or None when diff mode is off or nothing changes."""
    if not module._diff or before == after:
        return None
    return dict(before=before, after=after)


def fail(module, error, **extra):
    """fail_json with the error's message, status and the exporter's error body."""
    result = error.result()
    result.update(extra)
    module.fail_json(**result)
