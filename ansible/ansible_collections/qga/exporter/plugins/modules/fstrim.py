#!/usr/bin/python
# -*- coding: utf-8 -*-

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: fstrim
short_description: Discard unused blocks of a VM's filesystems through its guest agent
version_added: 0.1.0
description:
  - Runs C(guest-fstrim) in the guest through the qga-exporter (C(POST /api/v1/domains/DOMAIN/fstrim))
    and waits for the job, so thin-provisioned host storage gets the freed space back.
  - Reports C(changed) when the guest trimmed any bytes (or did not say how many, as Windows
    guests do).
  - With I(min_interval), a domain whose last successful fstrim (as recorded by the exporter,
    whoever started it) is younger than that is left alone, so repeated runs are no-ops.
options:
  minimum:
    description:
      - Free ranges smaller than this many bytes are not discarded (the agent's C(minimum)).
        Without it the guest chooses.
    type: int
  min_interval:
    description:
      - Skip the domain when its last successful fstrim is younger than this. A duration like
        C(90s), C(30m), C(12h), C(7d), C(1w), or a number of seconds.
      - Compared with the controller's clock; keep it well above any clock difference.
    type: str
extends_documentation_fragment:
  - qga.exporter.common
  - qga.exporter.common.JOB
attributes:
  check_mode:
    support: full
    description: Asks the exporter for a dry run (it checks the request and runs nothing) and reports C(changed) when the trim would run.
author:
  - qga-exporter developers
'''

EXAMPLES = r'''
- name: Trim every web VM at most once a week
  qga.exporter.fstrim:
    url: http://hypervisor1:9920
    token: "{{ qga_token }}"
    domain: "{{ inventory_hostname }}"
    min_interval: 7d
  delegate_to: localhost
  when: "'web' in group_names"

- name: Trim only ranges of 1 MiB or more
  qga.exporter.fstrim:
    domain: db-1
    minimum: 1048576
'''

RETURN = r'''
trimmed_bytes:
  description: Bytes trimmed over all paths; null when the guest did not say (Windows) or nothing ran.
  returned: always
  type: int
  sample: 1073741824
paths:
  description: Per mountpoint, C(path), C(trimmed), C(minimum) and C(error) as the guest reported them.
  returned: when the trim ran
  type: list
  elements: dict
skipped_reason:
  description: Why nothing ran (min_interval not elapsed).
  returned: when skipped
  type: str
last_fstrim:
  description: Time (UTC) of the last successful fstrim of the domain before this task, if known.
  returned: when I(min_interval) is set
  type: str
job:
  description: The exporter's job object (id, state, outcome, result, error, warnings).
  returned: when a request was sent
  type: dict
'''

import time

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.qga.exporter.plugins.module_utils.api import (
    ExporterError,
    ModuleClient,
    fail,
    job_argument_spec,
    parse_duration,
    parse_timestamp,
)


def main():
    spec = job_argument_spec()
    spec.update(minimum=dict(type='int'), min_interval=dict(type='str'))
    module = AnsibleModule(argument_spec=spec, supports_check_mode=True)
    domain = module.params['domain']
    minimum = module.params['minimum']
    if minimum is not None and minimum < 0:
        module.fail_json(msg='minimum must be 0 or more bytes, got %d' % minimum)
    try:
        min_interval = parse_duration(module.params['min_interval'], 'min_interval')
    except ValueError as e:
        module.fail_json(msg=str(e))
    result = dict(changed=False, domain=domain, trimmed_bytes=None)
    try:
        client = ModuleClient(module)
        if min_interval is not None:
            last = (client.domain(domain).get('last_actions') or {}).get('fstrim')
            result['last_fstrim'] = last
            if last:
                age = time.time() - parse_timestamp(last)
                if age < min_interval:
                    result['skipped_reason'] = (
                        'the last successful fstrim of %s was at %s, %.0f s ago: younger than'
                        ' min_interval (%.0f s)' % (domain, last, max(age, 0), min_interval))
                    module.exit_json(**result)
        body = {} if minimum is None else {'minimum': minimum}
        job = client.run_job(domain, 'fstrim', body, dry_run=module.check_mode,
                             wait_timeout=module.params['wait_timeout'])
    except (ExporterError, ValueError) as e:
        if isinstance(e, ValueError):
            module.fail_json(msg='cannot read last_actions.fstrim: %s' % e)
        fail(module, e, domain=domain)
    result['job'] = job
    for warning in job.get('warnings') or []:
        module.warn(warning)
    if job.get('state') != 'succeeded':
        result['msg'] = 'fstrim on %s failed: %s' % (domain, job.get('error'))
        module.fail_json(**result)
    if module.check_mode:
        result['changed'] = True
        module.exit_json(**result)
    report = job.get('result') or {}
    result['paths'] = report.get('paths') or []
    result['trimmed_bytes'] = report.get('trimmed_bytes')
    if job.get('error'):
        # some paths failed (read-only mounts, ...); the others were trimmed
        module.warn('fstrim on %s: %s' % (domain, job['error']))
    trimmed = result['trimmed_bytes']
    ran_any = any(not p.get('error') for p in result['paths'])
    result['changed'] = bool(trimmed) if trimmed is not None else ran_any
    module.exit_json(**result)


if __name__ == '__main__':
    main()
