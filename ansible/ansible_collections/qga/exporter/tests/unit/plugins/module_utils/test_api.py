# -*- coding: utf-8 -*-
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.qga.exporter.plugins.module_utils import api


class FakeModule(object):
    def __init__(self, **params):
        self.params = dict(url='http://exporter:9920/', token='s3cret', validate_certs=True,
                           request_timeout=30)
        self.params.update(params)


def client():
    return api.ModuleClient(FakeModule())


def test_sends_bearer_token_and_json(exporter):
    exporter.on('GET', '/api/v1/domains', (200, {'domains': [{'name': 'web-1'}]}))
    assert client().domains() == [{'name': 'web-1'}]
    request = exporter.requests[0]
    assert request['url'] == 'http://exporter:9920/api/v1/domains'
    assert request['headers']['Authorization'] == 'Bearer s3cret'
    assert request['timeout'] == 30


def test_domain_names_are_path_quoted(exporter):
    exporter.on('GET', '/api/v1/domains/a%2Fb%20c', (200, {'name': 'a/b c'}))
    assert client().domain('a/b c')['name'] == 'a/b c'


@pytest.mark.parametrize('status,body,words', [
    (-1, None, ['cannot reach the qga-exporter at http://exporter:9920', 'Connection refused']),
    (401, {'error': 'invalid token', 'status': 401}, ['refused the token', '401', 'invalid token',
                                                      'QGA_EXPORTER_TOKEN']),
    (403, {'error': 'token "ro" has role reader; to run fstrim it needs operator or higher'},
     ['403', 'needs operator']),
    (404, {'error': 'unknown domain: nope'}, ['404', 'unknown domain: nope']),
    (409, {'error': 'domain web-1 is frozen by api:ansible', 'frozen': True},
     ['frozen or busy', '409', 'frozen by api:ansible']),
    (503, {'error': 'the agent of web-1 is not responding', 'tried': 'guest-ping on /s, 3s'},
     ['not responding', '503', 'tried: guest-ping on /s, 3s']),
    (400, {'error': 'minimum must be an integer >= 0', 'field': 'minimum'},
     ['400', 'field minimum', 'minimum must be']),
])
def test_error_messages_name_the_problem(exporter, status, body, words):
    exporter.on('GET', '/api/v1/domains/web-1', (status, body))
    with pytest.raises(api.ExporterError) as e:
        client().domain('web-1')
    for word in words:
        assert word in e.value.msg
    assert e.value.status == status
    if body:
        assert e.value.result()['api_error'] == body


def test_answer_that_is_not_json_is_an_error(exporter):
    exporter.on('GET', '/api/v1/domains', (200, b'<html>proxy</html>'))
    with pytest.raises(api.ExporterError) as e:
        client().domains()
    assert 'not a JSON object' in e.value.msg


def test_url_must_be_http():
    with pytest.raises(api.ExporterError) as e:
        api.ModuleClient(FakeModule(url='exporter:9920'))
    assert 'http://' in e.value.msg


def test_job_finished_within_first_wait(exporter, make_job):
    exporter.on('POST', '/api/v1/domains/web-1/fstrim', (200, make_job('fstrim', result={'trimmed_bytes': 5})))
    done = client().run_job('web-1', 'fstrim', {'minimum': 0}, wait_timeout=300)
    assert done['result']['trimmed_bytes'] == 5
    post = exporter.requests[0]
    assert post['query'] == {'wait': '30s'}
    assert post['body'] == {'minimum': 0}
    assert post['timeout'] == 60


def test_job_polled_until_done(exporter, make_job):
    exporter.on('POST', '/api/v1/domains/web-1/fstrim',
                (202, {'job': 'j-7', 'state': 'running', 'location': '/api/v1/jobs/j-7'}))
    exporter.on('GET', '/api/v1/jobs/j-7', (200, make_job('fstrim', state='running')),
                (200, make_job('fstrim', result={'trimmed_bytes': 1}, job_id='j-7')))
    done = client().run_job('web-1', 'fstrim', wait_timeout=300)
    assert done['job'] == 'j-7'
    assert len(exporter.calls('GET', '/api/v1/jobs/j-7')) == 2
    assert exporter.calls('GET')[0]['query']['wait'].endswith('s')


def test_job_still_running_after_wait_timeout(exporter, make_job):
    exporter.on('POST', '/api/v1/domains/web-1/fstrim', (202, {'job': 'j-8', 'state': 'running'}))
    with pytest.raises(api.ExporterError) as e:
        client().run_job('web-1', 'fstrim', wait_timeout=0)
    assert 'j-8' in e.value.msg and 'still running' in e.value.msg


def test_dry_run_is_a_query_flag(exporter, make_job):
    exporter.on('POST', '/api/v1/domains/web-1/time-sync', (200, make_job('time_sync', dry_run=True)))
    client().run_job('web-1', 'time-sync', {'source': 'host'}, dry_run=True)
    assert exporter.requests[0]['query']['dry_run'] == 'true'


@pytest.mark.parametrize('command,read_only', [
    ('guest-info', True), ('guest-get-osinfo', True), ('guest-network-get-interfaces', True),
    ('guest-fsfreeze-status', True), ('guest-ping', True), ('guest-set-time', False),
    ('guest-fstrim', False), ('guest-shutdown', False), ('guest-exec', False),
    ('guest-fsfreeze-freeze', False), ('guest-information', False),
])
def test_read_only_commands(command, read_only):
    assert api.is_read_only(command) is read_only


@pytest.mark.parametrize('value,seconds', [
    (90, 90.0), ('90', 90.0), ('500ms', 0.5), ('2s', 2.0), ('30m', 1800.0), ('12h', 43200.0),
    ('7d', 604800.0), ('1w', 604800.0), ('1.5s', 1.5), (0, 0.0),
])
def test_durations(value, seconds):
    assert api.parse_duration(value, 'x') == seconds


@pytest.mark.parametrize('value', ['soon', '-1', '5 minutes', '1y', True])
def test_bad_durations_name_the_option(value):
    with pytest.raises(ValueError) as e:
        api.parse_duration(value, 'min_interval')
    assert 'min_interval' in str(e.value)


def test_timestamps():
    assert api.parse_timestamp('1970-01-01T00:01:00Z') == 60
    assert api.parse_timestamp('2026-11-27T10:00:00.250Z') == pytest.approx(1795773600.25)
    with pytest.raises(ValueError):
        api.parse_timestamp('2026-11-27 10:00')
