# -*- coding: utf-8 -*-
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

import pytest

from ansible_collections.qga.exporter.plugins.modules import (
    agent_command,
    domain_info,
    fsfreeze,
    fstrim,
    power,
    time_sync,
)

D = '/api/v1/domains/web-1'


def iso(epoch):
    return time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime(epoch))


# --- domain_info ------------------------------------------------------------------------------

def test_domain_info_one(exporter, run_module):
    exporter.on('GET', D, (200, {'name': 'web-1', 'ip_addresses': ['192.0.2.10']}))
    kind, r = run_module(domain_info, {'domain': 'web-1'})
    assert kind == 'exit' and r['changed'] is False
    assert r['domain']['ip_addresses'] == ['192.0.2.10']
    assert r['domains'] == [r['domain']]


def test_domain_info_all_with_details_tolerates_a_vanished_domain(exporter, run_module):
    exporter.on('GET', '/api/v1/domains', (200, {'domains': [{'name': 'web-1'}, {'name': 'gone'}]}))
    exporter.on('GET', D, (200, {'name': 'web-1', 'hostname': 'web-1'}))
    exporter.on('GET', '/api/v1/domains/gone', (404, {'error': 'unknown domain: gone'}))
    kind, r = run_module(domain_info, {})
    assert kind == 'exit'
    assert r['domains'] == [{'name': 'web-1', 'hostname': 'web-1'}, {'name': 'gone'}]


def test_domain_info_without_details_reads_only_the_list(exporter, run_module):
    exporter.on('GET', '/api/v1/domains', (200, {'domains': [{'name': 'web-1', 'up': True}]}))
    kind, r = run_module(domain_info, {'details': False})
    assert r['domains'] == [{'name': 'web-1', 'up': True}]
    assert len(exporter.requests) == 1


def test_domain_info_unknown_domain_fails_with_the_exporters_words(exporter, run_module):
    exporter.on('GET', '/api/v1/domains/nope', (404, {'error': 'unknown domain: nope', 'status': 404}))
    kind, r = run_module(domain_info, {'domain': 'nope'})
    assert kind == 'fail' and 'unknown domain: nope' in r['msg'] and r['status'] == 404


def test_domain_info_unreachable(exporter, run_module):
    exporter.on('GET', '/api/v1/domains', (-1, None))
    kind, r = run_module(domain_info, {})
    assert kind == 'fail' and 'cannot reach the qga-exporter' in r['msg']


# --- fstrim -----------------------------------------------------------------------------------

def test_fstrim_changed_when_bytes_trimmed(exporter, run_module, make_job):
    exporter.on('POST', D + '/fstrim', (200, make_job('fstrim', result={
        'trimmed_bytes': 4096, 'paths': [{'path': '/', 'trimmed': 4096, 'minimum': 0, 'error': None}]})))
    kind, r = run_module(fstrim, {'domain': 'web-1', 'minimum': 0})
    assert kind == 'exit' and r['changed'] is True and r['trimmed_bytes'] == 4096
    assert exporter.requests[0]['body'] == {'minimum': 0}


def test_fstrim_not_changed_when_nothing_trimmed(exporter, run_module, make_job):
    exporter.on('POST', D + '/fstrim', (200, make_job('fstrim', result={
        'trimmed_bytes': 0, 'paths': [{'path': '/', 'trimmed': 0, 'minimum': 0, 'error': None}]})))
    kind, r = run_module(fstrim, {'domain': 'web-1'})
    assert r['changed'] is False and exporter.requests[0]['body'] == {}


def test_fstrim_windows_without_counts_is_changed(exporter, run_module, make_job):
    exporter.on('POST', D + '/fstrim', (200, make_job('fstrim', result={
        'trimmed_bytes': None, 'paths': [{'path': 'C:\\', 'trimmed': None, 'minimum': None, 'error': None}]})))
    kind, r = run_module(fstrim, {'domain': 'web-1'})
    assert r['changed'] is True


def test_fstrim_min_interval_skips_a_recent_trim(exporter, run_module):
    exporter.on('GET', D, (200, {'name': 'web-1', 'last_actions': {'fstrim': iso(time.time() - 3600)}}))
    kind, r = run_module(fstrim, {'domain': 'web-1', 'min_interval': '1d'})
    assert kind == 'exit' and r['changed'] is False and 'younger than min_interval' in r['skipped_reason']
    assert not exporter.calls('POST')


def test_fstrim_min_interval_runs_after_an_old_trim(exporter, run_module, make_job):
    exporter.on('GET', D, (200, {'name': 'web-1', 'last_actions': {'fstrim': iso(time.time() - 7200)}}))
    exporter.on('POST', D + '/fstrim', (200, make_job('fstrim', result={'trimmed_bytes': 1, 'paths': []})))
    kind, r = run_module(fstrim, {'domain': 'web-1', 'min_interval': '1h'})
    assert r['changed'] is True


def test_fstrim_min_interval_runs_when_never_trimmed(exporter, run_module, make_job):
    exporter.on('GET', D, (200, {'name': 'web-1', 'last_actions': {}}))
    exporter.on('POST', D + '/fstrim', (200, make_job('fstrim', result={'trimmed_bytes': 1, 'paths': []})))
    kind, r = run_module(fstrim, {'domain': 'web-1', 'min_interval': 60})
    assert r['changed'] is True and r['last_fstrim'] is None


def test_fstrim_check_mode_is_a_dry_run(exporter, run_module, make_job):
    exporter.on('POST', D + '/fstrim', (200, make_job('fstrim', dry_run=True, result={'would_run': 'fstrim'})))
    kind, r = run_module(fstrim, {'domain': 'web-1'}, check_mode=True)
    assert kind == 'exit' and r['changed'] is True
    assert exporter.requests[0]['query']['dry_run'] == 'true'


def test_fstrim_failed_job_fails(exporter, run_module, make_job):
    exporter.on('POST', D + '/fstrim', (200, make_job('fstrim', state='failed', error='1 of 1 paths failed')))
    kind, r = run_module(fstrim, {'domain': 'web-1'})
    assert kind == 'fail' and '1 of 1 paths failed' in r['msg']


def test_fstrim_frozen_domain_is_409(exporter, run_module):
    exporter.on('POST', D + '/fstrim', (409, {'error': 'domain web-1 is frozen', 'frozen': True}))
    kind, r = run_module(fstrim, {'domain': 'web-1'})
    assert kind == 'fail' and '409' in r['msg'] and r['api_error']['frozen'] is True


def test_fstrim_bad_min_interval(exporter, run_module):
    kind, r = run_module(fstrim, {'domain': 'web-1', 'min_interval': 'weekly'})
    assert kind == 'fail' and 'min_interval' in r['msg']


# --- time_sync --------------------------------------------------------------------------------

def test_time_sync_within_tolerance_sends_nothing(exporter, run_module):
    exporter.on('GET', D, (200, {'name': 'web-1', 'time_offset_seconds': 0.2}))
    kind, r = run_module(time_sync, {'domain': 'web-1', 'tolerance': '500ms'})
    assert kind == 'exit' and r['changed'] is False
    assert r['offset_before_seconds'] == 0.2 and r['offset_source'] == 'cached'
    assert not exporter.calls('POST')


def test_time_sync_corrects_a_large_offset(exporter, run_module, make_job):
    exporter.on('GET', D, (200, {'name': 'web-1', 'time_offset_seconds': -30.0}))
    exporter.on('POST', D + '/time-sync', (200, make_job('time_sync', result={
        'source': 'host', 'offset_before_seconds': -30.01, 'offset_after_seconds': 0.001,
        'step_seconds': 30.01, 'exceeded_max_step': False})))
    kind, r = run_module(time_sync, {'domain': 'web-1', 'tolerance': 1})
    assert r['changed'] is True
    assert r['offset_before_seconds'] == -30.01 and r['offset_after_seconds'] == 0.001
    assert exporter.calls('POST')[0]['body'] == {'source': 'host'}


def test_time_sync_stale_cache_but_fresh_offset_within_tolerance_is_not_changed(exporter, run_module, make_job):
    exporter.on('GET', D, (200, {'name': 'web-1', 'time_offset_seconds': 30.0}))
    exporter.on('POST', D + '/time-sync', (200, make_job('time_sync', result={
        'source': 'host', 'offset_before_seconds': 0.002, 'offset_after_seconds': 0.001,
        'step_seconds': -0.002})))
    kind, r = run_module(time_sync, {'domain': 'web-1'})
    assert r['changed'] is False and r['offset_source'] == 'sync'


def test_time_sync_check_mode(exporter, run_module, make_job):
    exporter.on('GET', D, (200, {'name': 'web-1', 'time_offset_seconds': 5.0}))
    exporter.on('POST', D + '/time-sync', (200, make_job('time_sync', dry_run=True)))
    kind, r = run_module(time_sync, {'domain': 'web-1', 'source': 'rtc'}, check_mode=True)
    assert r['changed'] is True and r['offset_before_seconds'] == 5.0 and r['offset_after_seconds'] is None
    post = exporter.calls('POST')[0]
    assert post['query']['dry_run'] == 'true' and post['body'] == {'source': 'rtc'}


def test_time_sync_agent_not_responding(exporter, run_module):
    exporter.on('GET', D, (200, {'name': 'web-1', 'time_offset_seconds': None}))
    exporter.on('POST', D + '/time-sync', (503, {'error': 'the agent of web-1 is not responding',
                                                 'tried': 'polling /run/qga/web-1.sock'}))
    kind, r = run_module(time_sync, {'domain': 'web-1'})
    assert kind == 'fail' and 'not responding' in r['msg'] and 'polling' in r['msg']


# --- fsfreeze ---------------------------------------------------------------------------------

def status(value):
    return (200, {'return': value})


def test_freeze_when_thawed(exporter, run_module, make_job):
    exporter.on('POST', D + '/command', status('thawed'))
    exporter.on('POST', D + '/fsfreeze', (200, make_job('fsfreeze', result={'frozen': 2, 'deadline': 'T'})))
    kind, r = run_module(fsfreeze, {'domain': 'web-1', 'state': 'frozen', 'timeout': 120})
    assert kind == 'exit' and r['changed'] is True and r['frozen_filesystems'] == 2
    assert r['status_before'] == 'thawed' and r['status_source'] == 'live'
    assert exporter.calls('POST', D + '/fsfreeze')[0]['body'] == {'deadline': '120s'}
    assert exporter.calls('POST', D + '/command')[0]['body'] == {'execute': 'guest-fsfreeze-status'}


def test_freeze_when_frozen_is_a_no_op(exporter, run_module):
    exporter.on('POST', D + '/command', status('frozen'))
    kind, r = run_module(fsfreeze, {'domain': 'web-1', 'state': 'frozen'})
    assert r['changed'] is False and r['state'] == 'frozen'
    assert not exporter.calls('POST', D + '/fsfreeze')


def test_freeze_conflict_frozen_meanwhile_is_not_changed(exporter, run_module):
    exporter.on('POST', D + '/command', status('thawed'))
    exporter.on('POST', D + '/fsfreeze', (409, {'error': 'frozen by api:x', 'frozen': True}))
    kind, r = run_module(fsfreeze, {'domain': 'web-1'})
    assert kind == 'exit' and r['changed'] is False


def test_thaw_when_frozen(exporter, run_module, make_job):
    exporter.on('POST', D + '/command', status('frozen'))
    exporter.on('POST', D + '/fsthaw', (200, make_job('fsthaw', result={'thawed': 2})))
    kind, r = run_module(fsfreeze, {'domain': 'web-1', 'state': 'thawed'})
    assert r['changed'] is True and r['thawed_filesystems'] == 2


def test_thaw_when_thawed_is_a_no_op(exporter, run_module):
    exporter.on('POST', D + '/command', status('thawed'))
    kind, r = run_module(fsfreeze, {'domain': 'web-1', 'state': 'thawed'})
    assert r['changed'] is False and not exporter.calls('POST', D + '/fsthaw')


def test_thaw_without_live_status_sends_a_thaw_and_trusts_its_count(exporter, run_module, make_job):
    exporter.on('POST', D + '/command', (403, {'error': 'command guest-fsfreeze-status is not on api.command_allow_list'}))
    exporter.on('GET', D, (200, {'name': 'web-1', 'frozen': False}))
    exporter.on('POST', D + '/fsthaw', (200, make_job('fsthaw', result={'thawed': 0})))
    kind, r = run_module(fsfreeze, {'domain': 'web-1', 'state': 'thawed'})
    assert kind == 'exit' and r['changed'] is False and r['status_source'] == 'cached'


def test_freeze_check_mode(exporter, run_module, make_job):
    exporter.on('POST', D + '/command', status('thawed'))
    exporter.on('POST', D + '/fsfreeze', (200, make_job('fsfreeze', dry_run=True)))
    kind, r = run_module(fsfreeze, {'domain': 'web-1'}, check_mode=True)
    assert r['changed'] is True
    assert exporter.calls('POST', D + '/fsfreeze')[0]['query']['dry_run'] == 'true'


def test_freeze_status_other_errors_fail(exporter, run_module):
    exporter.on('POST', D + '/command', (503, {'error': 'the agent of web-1 is not responding'}))
    kind, r = run_module(fsfreeze, {'domain': 'web-1'})
    assert kind == 'fail' and '503' in r['msg']


# --- power ------------------------------------------------------------------------------------

@pytest.mark.parametrize('state,mode', [('shutdown', 'powerdown'), ('halt', 'halt')])
def test_power_off_modes(exporter, run_module, make_job, state, mode):
    exporter.on('GET', D, (200, {'name': 'web-1', 'up': True, 'last_success': 'T'}))
    exporter.on('POST', D + '/shutdown', (200, make_job('shutdown', result={'mode': mode})))
    kind, r = run_module(power, {'domain': 'web-1', 'state': state})
    assert r['changed'] is True and r['mode'] == mode
    assert exporter.calls('POST')[0]['body'] == {'mode': mode}


def test_power_reboot_does_not_look_first(exporter, run_module, make_job):
    exporter.on('POST', D + '/shutdown', (200, make_job('shutdown', result={'mode': 'reboot'})))
    kind, r = run_module(power, {'domain': 'web-1', 'state': 'reboot'})
    assert r['changed'] is True and not exporter.calls('GET')


def test_power_off_when_agent_already_down(exporter, run_module):
    exporter.on('GET', D, (200, {'name': 'web-1', 'up': False, 'last_error': 'EOF'}))
    kind, r = run_module(power, {'domain': 'web-1', 'state': 'shutdown'})
    assert kind == 'exit' and r['changed'] is False and 'down' in r['msg']


def test_power_needs_admin(exporter, run_module):
    exporter.on('GET', D, (200, {'name': 'web-1', 'up': True, 'last_success': 'T'}))
    exporter.on('POST', D + '/shutdown', (403, {'error': 'token "ops" has role operator; to shut a guest down it needs admin or higher'}))
    kind, r = run_module(power, {'domain': 'web-1', 'state': 'shutdown'})
    assert kind == 'fail' and '403' in r['msg'] and 'needs admin' in r['msg']


def test_power_check_mode(exporter, run_module, make_job):
    exporter.on('POST', D + '/shutdown', (200, make_job('shutdown', dry_run=True)))
    kind, r = run_module(power, {'domain': 'web-1', 'state': 'reboot'}, check_mode=True)
    assert r['changed'] is True and exporter.requests[0]['query']['dry_run'] == 'true'


# --- agent_command ----------------------------------------------------------------------------

def test_read_only_command_is_never_changed(exporter, run_module):
    exporter.on('POST', D + '/command', (200, {'return': {'host-name': 'web-1'}}))
    kind, r = run_module(agent_command, {'domain': 'web-1', 'command': 'guest-get-host-name'})
    assert r['changed'] is False and r['result'] == {'host-name': 'web-1'} and r['read_only'] is True


def test_read_only_command_runs_in_check_mode(exporter, run_module):
    exporter.on('POST', D + '/command', (200, {'return': {}}))
    kind, r = run_module(agent_command, {'domain': 'web-1', 'execute': 'guest-ping'}, check_mode=True)
    assert r['changed'] is False and r['result'] == {}


def test_changing_command_is_changed_and_passes_arguments(exporter, run_module):
    exporter.on('POST', D + '/command', (200, {'return': {}, 'job': 'j-3'}))
    kind, r = run_module(agent_command, {'domain': 'web-1', 'command': 'guest-set-time',
                                         'arguments': {'time': 1}})
    assert r['changed'] is True and r['job'] == 'j-3'
    assert exporter.requests[0]['body'] == {'execute': 'guest-set-time', 'arguments': {'time': 1}}


def test_changing_command_not_sent_in_check_mode(exporter, run_module):
    kind, r = run_module(agent_command, {'domain': 'web-1', 'command': 'guest-set-time'}, check_mode=True)
    assert r['changed'] is True and not exporter.requests


def test_unsupported_command(exporter, run_module):
    exporter.on('POST', D + '/command', (422, {'error': 'the agent does not support guest-get-load',
                                               'class': 'CommandNotFound', 'desc': 'not found',
                                               'unsupported': True}))
    kind, r = run_module(agent_command, {'domain': 'web-1', 'command': 'guest-get-load'})
    assert kind == 'fail' and r['unsupported'] is True and r['agent_error_class'] == 'CommandNotFound'
    assert 'does not support guest-get-load' in r['msg']


def test_command_not_allow_listed(exporter, run_module):
    exporter.on('POST', D + '/command', (403, {'error': 'command guest-exec is not on api.command_allow_list'}))
    kind, r = run_module(agent_command, {'domain': 'web-1', 'command': 'guest-exec'})
    assert kind == 'fail' and 'command_allow_list' in r['msg']


def test_token_is_no_log():
    from ansible_collections.qga.exporter.plugins.module_utils.api import common_argument_spec
    assert common_argument_spec()['token']['no_log'] is True
