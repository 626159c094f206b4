#!/usr/bin/python
# -*- coding: utf-8 -*-

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: time_sync
short_description: Correct a VM's clock through its guest agent when it is off by more than a tolerance
version_added: 0.1.0
description:
  - Reads the guest clock offset (guest minus host) that the qga-exporter measured at its last
    poll (C(time_offset_seconds) of C(GET /api/v1/domains/DOMAIN)). Within I(tolerance), nothing
    is sent.
  - Otherwise runs a time sync job (C(POST /api/v1/domains/DOMAIN/time-sync)), which measures
    the offset again right before setting the clock. C(changed) is true only when that fresh
    offset exceeded I(tolerance) and the clock was set; the offsets before and after are
    returned.
  - When the exporter has no offset yet (not polled, or the agent lacks C(guest-get-time)),
    the sync runs and its own measurement decides C(changed).
options:
  tolerance:
    description:
      - The largest offset left alone, in seconds (a number, or a duration like C(500ms), C(2s)).
    type: str
    default: '1'
  source:
    description:
      - C(host) sets the guest clock to the hypervisor's clock. C(rtc) makes the guest read its
        hardware clock (Linux C(hwclock -s); Windows resyncs with its time source).
    type: str
    choices: [host, rtc]
    default: host
extends_documentation_fragment:
  - qga.exporter.common
  - qga.exporter.common.JOB
attributes:
  check_mode:
    support: full
    description: Decides from the cached offset and asks the exporter for a dry run; sets nothing.
  diff_mode:
    support: full
    description: With C(--diff), a sync that changed the clock shows C(time_offset_seconds) before and after.
author:
  - qga-exporter developers
'''

EXAMPLES = r'''
- name: Fix clocks off by more than half a second after a maintenance
  qga.exporter.time_sync:
    domain: "{{ inventory_hostname }}"
    tolerance: 500ms
  delegate_to: localhost
  register: clock

- ansible.builtin.debug:
    msg: "{{ inventory_hostname }} was {{ clock.offset_before_seconds }} s off"
  when: clock is changed
'''

RETURN = r'''
offset_before_seconds:
  description: Guest clock minus host clock before the task (the sync's own measurement when it ran, else the cached one).
  returned: always
  type: float
  sample: 3600.12
offset_after_seconds:
  description: Guest clock minus host clock after the sync; the cached offset when nothing ran; null in check mode when it would run.
  returned: always
  type: float
  sample: 0.0004
offset_source:
  description: C(sync) when the time sync job measured the offsets, C(cached) when the exporter's last poll decided.
  returned: always
  type: str
step_seconds:
  description: How far the guest clock was stepped.
  returned: when the sync ran
  type: float
tolerance_seconds:
  description: I(tolerance) in seconds.
  returned: always
  type: float
job:
  description: The exporter's job object.
  returned: when a request was sent
  type: dict
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.qga.exporter.plugins.module_utils.api import (
    ExporterError,
    ModuleClient,
    diff,
    fail,
    job_argument_spec,
    parse_duration,
)


def offsets(before, after):
    """The diff of a sync: the guest clock's offset from the host clock before and after."""
    return dict(time_offset_seconds=before), dict(time_offset_seconds=after)


def main():
    spec = job_argument_spec()
    spec.update(tolerance=dict(type='str', default='1'),
                source=dict(type='str', choices=['host', 'rtc'], default='host'))
    module = AnsibleModule(argument_spec=spec, supports_check_mode=True)
    domain = module.params['domain']
    try:
        tolerance = parse_duration(module.params['tolerance'], 'tolerance')
    except ValueError as e:
        module.fail_json(msg=str(e))
    result = dict(changed=False, domain=domain, tolerance_seconds=tolerance)
    try:
        client = ModuleClient(module)
        cached = client.domain(domain).get('time_offset_seconds')
        if cached is not None and abs(cached) <= tolerance:
            result.update(offset_before_seconds=cached, offset_after_seconds=cached,
                          offset_source='cached')
            module.exit_json(**result)
        job = client.run_job(domain, 'time-sync', {'source': module.params['source']},
                             dry_run=module.check_mode, wait_timeout=module.params['wait_timeout'])
    except ExporterError as e:
        fail(module, e, domain=domain)
    result['job'] = job
    for warning in job.get('warnings') or []:
        module.warn(warning)
    if job.get('state') != 'succeeded':
        result['msg'] = 'time sync on %s failed: %s' % (domain, job.get('error'))
        module.fail_json(**result)
    if module.check_mode:
        result.update(changed=True, offset_before_seconds=cached, offset_after_seconds=None,
                      offset_source='cached')
        # a sync leaves an offset within tolerance; what it will be exactly is not known yet
        result['diff'] = diff(module, *offsets(cached, 'within %gs' % tolerance))
        if result['diff'] is None:
            del result['diff']
        module.exit_json(**result)
    report = job.get('result') or {}
    before = report.get('offset_before_seconds')
    result.update(offset_before_seconds=before,
                  offset_after_seconds=report.get('offset_after_seconds'),
                  step_seconds=report.get('step_seconds'), offset_source='sync')
    # the job measured right before setting: that, not the older cached value, tells the truth
    result['changed'] = before is None or abs(before) > tolerance
    if result['changed']:
        change = diff(module, *offsets(before, report.get('offset_after_seconds')))
        if change:
            result['diff'] = change
    module.exit_json(**result)


if __name__ == '__main__':
    main()
