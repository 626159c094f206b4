#!/usr/bin/python
# -*- coding: utf-8 -*-

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: fsfreeze
short_description: Freeze or thaw a VM's filesystems through its guest agent, with a thaw deadline
version_added: 0.1.0
description:
  - C(state=frozen) freezes every filesystem of the guest (C(guest-fsfreeze-freeze)) so a
    snapshot taken now is consistent; the qga-exporter thaws the guest after I(timeout)
    seconds at the latest, even if the play never gets to thaw it (or the exporter restarts).
  - C(state=thawed) thaws it.
  - Idempotent. The current state is asked live with C(guest-fsfreeze-status) through the
    command passthrough, which needs an C(admin) token and C(guest-fsfreeze-status) on the
    exporter's C(api.command_allow_list). Without them the state the exporter saw last is used
    (C(frozen) of the domain), and a thaw is always sent, since a thaw of a thawed guest is
    harmless.
options:
  state:
    description:
      - The wanted state of the guest's filesystems.
    type: str
    choices: [frozen, thawed]
    default: frozen
  timeout:
    description:
      - With C(state=frozen), the longest the guest stays frozen, in seconds; the exporter
        thaws it then. At most the exporter's C(api.fsfreeze_max_deadline).
    type: int
    default: 60
extends_documentation_fragment:
  - qga.exporter.common
  - qga.exporter.common.JOB
attributes:
  check_mode:
    support: full
    description: Asks the state, then asks the exporter for a dry run; freezes or thaws nothing.
  diff_mode:
    support: full
    description: With C(--diff), a freeze or thaw that changed the state shows C(state) before and after.
author:
  - qga-exporter developers
'''

EXAMPLES = r'''
- name: Quiesce db-1 for at most 2 minutes
  qga.exporter.fsfreeze:
    domain: db-1
    state: frozen
    timeout: 120

- name: Snapshot the disks
  ansible.builtin.command: virsh snapshot-create-as db-1 --disk-only --atomic --no-metadata

- name: Thaw db-1
  qga.exporter.fsfreeze:
    domain: db-1
    state: thawed
'''

RETURN = r'''
state:
  description: The state the guest is in after the task (the wanted state).
  returned: success
  type: str
  sample: frozen
status_before:
  description: C(frozen) or C(thawed) before the task.
  returned: always
  type: str
status_source:
  description: C(live) when asked with guest-fsfreeze-status, C(cached) when taken from the exporter's last poll.
  returned: always
  type: str
frozen_filesystems:
  description: How many filesystems were frozen.
  returned: when frozen by this task
  type: int
thawed_filesystems:
  description: How many filesystems were thawed.
  returned: when a thaw was sent
  type: int
thaw_deadline:
  description: Time (UTC) by which the exporter thaws the guest.
  returned: when frozen by this task
  type: str
job:
  description: The exporter's job object.
  returned: when a freeze or thaw was requested
  type: dict
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.qga.exporter.plugins.module_utils.api import (
    ExporterError,
    ModuleClient,
    diff,
    fail,
    job_argument_spec,
)


def freeze_status(client, domain):
    """('frozen'|'thawed', 'live'|'cached')."""
    try:
        status = client.command(domain, 'guest-fsfreeze-status').get('return')
        if status in ('frozen', 'thawed'):
            return status, 'live'
    except ExporterError as e:
        # 403: token is not admin, or the command is not allow-listed; 422: agent lacks it
        if e.status not in (403, 422):
            raise
    return ('frozen' if client.domain(domain).get('frozen') else 'thawed'), 'cached'


def main():
    spec = job_argument_spec()
    spec.update(state=dict(type='str', choices=['frozen', 'thawed'], default='frozen'),
                timeout=dict(type='int', default=60))
    module = AnsibleModule(argument_spec=spec, supports_check_mode=True)
    domain = module.params['domain']
    state = module.params['state']
    if module.params['timeout'] < 1:
        module.fail_json(msg='timeout must be at least 1 second, got %d' % module.params['timeout'])
    result = dict(changed=False, domain=domain)
    try:
        client = ModuleClient(module)
        status, source = freeze_status(client, domain)
        result.update(status_before=status, status_source=source)
        if state == 'frozen':
            if status == 'frozen':
                module.exit_json(state='frozen', **result)
            try:
                job = client.run_job(domain, 'fsfreeze',
                                     {'deadline': '%ds' % module.params['timeout']},
                                     dry_run=module.check_mode,
                                     wait_timeout=module.params['wait_timeout'])
            except ExporterError as e:
                if e.status == 409 and e.body.get('frozen'):
                    # frozen since the status was read (or the cache was behind)
                    result['status_before'] = 'frozen'
                    module.exit_json(state='frozen', **result)
                raise
        else:
            if status == 'thawed' and source == 'live':
                module.exit_json(state='thawed', **result)
            job = client.run_job(domain, 'fsthaw', dry_run=module.check_mode,
                                 wait_timeout=module.params['wait_timeout'])
    except ExporterError as e:
        fail(module, e, **result)
    result['job'] = job
    for warning in job.get('warnings') or []:
        module.warn(warning)
    if job.get('state') != 'succeeded':
        result['msg'] = '%s on %s failed: %s' % (
            'fsfreeze' if state == 'frozen' else 'fsthaw', domain, job.get('error'))
        module.fail_json(**result)
    result['state'] = state
    if module.check_mode:
        result['changed'] = state == 'frozen' or status == 'frozen'
        exit_with_diff(module, result, status, state)
    report = job.get('result') or {}
    if state == 'frozen':
        result.update(changed=True, frozen_filesystems=report.get('frozen'),
                      thaw_deadline=report.get('deadline'))
    else:
        thawed = report.get('thawed')
        result['thawed_filesystems'] = thawed
        result['changed'] = status == 'frozen' or bool(thawed)
    exit_with_diff(module, result, status, state)


def exit_with_diff(module, result, before, after):
    """exit_json, with diff {before: {state}, after: {state}} in diff mode when changed."""
    if result['changed']:
        # a thaw of a guest the cache saw thawed that still thawed something was frozen before
        change = diff(module, dict(state=before if before != after else 'frozen'),
                      dict(state=after))
        if change:
            result['diff'] = change
    module.exit_json(**result)


if __name__ == '__main__':
    main()
