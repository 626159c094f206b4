# -*- coding: utf-8 -*-
"""TLS options reaching fetch_url, --diff of the modules that change state, and power against a
VM that is off, paused or whose agent stopped answering."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.qga.exporter.plugins.module_utils import api
from ansible_collections.qga.exporter.plugins.modules import domain_info, fsfreeze, power, time_sync

D = '/api/v1/domains/web-1'
DOWN = (200, {'name': 'web-1', 'up': False, 'last_error': 'agent not responding: sync timed out'})


# --- TLS --------------------------------------------------------------------------------------

def test_ca_path_and_client_certificate_reach_fetch_url(exporter, run_module, monkeypatch):
    seen = {}

    def recording(module, url, **kwargs):
        seen.update(kwargs, params=dict(module.params))
        return exporter(module, url, **kwargs)

    monkeypatch.setattr(api, 'fetch_url', recording)
    exporter.on('GET', D, (200, {'name': 'web-1'}))
    kind, r = run_module(domain_info, {'url': 'https://hv1:9920', 'domain': 'web-1',
                                       'ca_path': '/etc/qga/ca.pem',
                                       'client_cert': '/etc/qga/client.pem',
                                       'client_key': '/etc/qga/client.key'})
    assert kind == 'exit'
    assert seen['ca_path'] == '/etc/qga/ca.pem'
    # fetch_url takes client_cert, client_key and validate_certs from the module's params
    assert seen['params']['client_cert'] == '/etc/qga/client.pem'
    assert seen['params']['client_key'] == '/etc/qga/client.key'
    assert seen['params']['validate_certs'] is True


def test_ca_path_from_the_environment(exporter, run_module, monkeypatch):
    seen = {}

    def recording(module, url, **kwargs):
        seen.update(kwargs)
        return exporter(module, url, **kwargs)

    monkeypatch.setattr(api, 'fetch_url', recording)
    monkeypatch.setenv('QGA_EXPORTER_CA_PATH', '/etc/qga/env-ca.pem')
    exporter.on('GET', D, (200, {'name': 'web-1'}))
    run_module(domain_info, {'domain': 'web-1'})
    assert seen['ca_path'] == '/etc/qga/env-ca.pem'


# --- diff -------------------------------------------------------------------------------------

def test_time_sync_diff(exporter, run_module, make_job):
    exporter.on('GET', D, (200, {'name': 'web-1', 'time_offset_seconds': -30.0}))
    exporter.on('POST', D + '/time-sync', (200, make_job('time_sync', result={
        'source': 'host', 'offset_before_seconds': -30.01, 'offset_after_seconds': 0.001})))
    kind, r = run_module(time_sync, {'domain': 'web-1', '_ansible_diff': True})
    assert r['diff'] == {'before': {'time_offset_seconds': -30.01},
                         'after': {'time_offset_seconds': 0.001}}


def test_time_sync_no_diff_without_diff_mode_or_change(exporter, run_module, make_job):
    exporter.on('GET', D, (200, {'name': 'web-1', 'time_offset_seconds': 0.1}))
    kind, r = run_module(time_sync, {'domain': 'web-1', '_ansible_diff': True})
    assert r['changed'] is False and 'diff' not in r


def test_time_sync_check_mode_diff(exporter, run_module, make_job):
    exporter.on('GET', D, (200, {'name': 'web-1', 'time_offset_seconds': 5.0}))
    exporter.on('POST', D + '/time-sync', (200, make_job('time_sync', dry_run=True)))
    kind, r = run_module(time_sync, {'domain': 'web-1', '_ansible_diff': True}, check_mode=True)
    assert r['diff'] == {'before': {'time_offset_seconds': 5.0},
                         'after': {'time_offset_seconds': 'within 1s'}}


def test_fsfreeze_diff(exporter, run_module, make_job):
    exporter.on('POST', D + '/command', (200, {'return': 'thawed'}))
    exporter.on('POST', D + '/fsfreeze', (200, make_job('fsfreeze', result={'frozen': 2, 'deadline': 'T'})))
    kind, r = run_module(fsfreeze, {'domain': 'web-1', '_ansible_diff': True})
    assert r['diff'] == {'before': {'state': 'thawed'}, 'after': {'state': 'frozen'}}


def test_fsfreeze_no_diff_when_unchanged(exporter, run_module):
    exporter.on('POST', D + '/command', (200, {'return': 'frozen'}))
    kind, r = run_module(fsfreeze, {'domain': 'web-1', '_ansible_diff': True})
    assert r['changed'] is False and 'diff' not in r


def test_fsthaw_diff_without_diff_mode_is_absent(exporter, run_module, make_job):
    exporter.on('POST', D + '/command', (200, {'return': 'frozen'}))
    exporter.on('POST', D + '/fsthaw', (200, make_job('fsthaw', result={'thawed': 2})))
    kind, r = run_module(fsfreeze, {'domain': 'web-1', 'state': 'thawed'})
    assert r['changed'] is True and 'diff' not in r
    kind, r = run_module(fsfreeze, {'domain': 'web-1', 'state': 'thawed', '_ansible_diff': True})
    assert r['diff'] == {'before': {'state': 'frozen'}, 'after': {'state': 'thawed'}}


@pytest.mark.parametrize('state,after', [('shutdown', 'off'), ('halt', 'halted'), ('reboot', 'rebooting')])
def test_power_diff(exporter, run_module, make_job, state, after):
    exporter.on('GET', D, (200, {'name': 'web-1', 'up': True, 'last_success': 'T'}))
    exporter.on('POST', D + '/shutdown', (200, make_job('shutdown')))
    kind, r = run_module(power, {'domain': 'web-1', 'state': state, '_ansible_diff': True})
    assert r['diff'] == {'before': {'power': 'running'}, 'after': {'power': after}}


# --- power on a VM that is off or paused ------------------------------------------------------

@pytest.mark.parametrize('state', ['shutdown', 'halt'])
def test_power_off_of_a_stopped_or_paused_vm_is_ok_and_says_why(exporter, run_module, state):
    exporter.on('GET', D, DOWN)
    kind, r = run_module(power, {'domain': 'web-1', 'state': state, '_ansible_diff': True})
    assert kind == 'exit' and r['changed'] is False and 'diff' not in r
    assert 'shut off or paused' in r['msg'] and 'sync timed out' in r['msg']
    assert not exporter.calls('POST')


@pytest.mark.parametrize('state', ['shutdown', 'halt'])
def test_power_off_when_the_agent_stops_answering_meanwhile_is_ok(exporter, run_module, state):
    exporter.on('GET', D, (200, {'name': 'web-1', 'up': True, 'last_success': 'T'}))
    exporter.on('POST', D + '/shutdown', (503, {'error': 'the agent of web-1 is not responding',
                                                'status': 503}))
    kind, r = run_module(power, {'domain': 'web-1', 'state': state})
    assert kind == 'exit' and r['changed'] is False
    assert 'not responding' in r['msg'] and 'shut off or paused' in r['msg']


def test_reboot_of_a_stopped_or_paused_vm_fails_saying_what_to_do(exporter, run_module):
    exporter.on('POST', D + '/shutdown', (503, {'error': 'the agent of web-1 is not responding',
                                                'status': 503}))
    kind, r = run_module(power, {'domain': 'web-1', 'state': 'reboot'})
    assert kind == 'fail' and r['status'] == 503
    assert r['msg'].startswith('cannot reboot web-1 through its agent')
    assert 'virsh start / virsh resume' in r['msg']


def test_power_job_failed_on_a_paused_vm_fails_with_the_jobs_error(exporter, run_module, make_job):
    exporter.on('GET', D, (200, {'name': 'web-1', 'up': True, 'last_success': 'T'}))
    exporter.on('POST', D + '/shutdown', (200, make_job(
        'shutdown', state='failed', error='agent not responding: guest-sync-delimited timed out')))
    kind, r = run_module(power, {'domain': 'web-1', 'state': 'shutdown'})
    assert kind == 'fail' and r['changed'] is False
    assert r['msg'] == ('shutdown (powerdown) of web-1 failed: agent not responding:'
                        ' guest-sync-delimited timed out')
