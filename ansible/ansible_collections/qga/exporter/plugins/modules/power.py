#!/usr/bin/python
# -*- coding: utf-8 -*-

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: power
short_description: Shut down, reboot or halt a VM from inside, through its guest agent
version_added: 0.1.0
description:
  - Asks the guest's agent to shut the guest down (C(guest-shutdown)) through the qga-exporter
    (C(POST /api/v1/domains/DOMAIN/shutdown)), like C(virsh shutdown --mode agent). Needs an
    C(admin) token.
  - The agent sends no reply on success; the task returns once the request was delivered
    without an error, not when the guest is off.
  - C(state=shutdown) and C(state=halt) leave a domain alone whose agent the exporter already
    sees as down (the guest is off, or its agent is); C(state=reboot) always reboots.
options:
  state:
    description:
      - C(shutdown) powers the guest off cleanly (agent mode C(powerdown)), C(reboot) reboots
        it, C(halt) halts it without powering off.
    type: str
    choices: [shutdown, reboot, halt]
    required: true
extends_documentation_fragment:
  - qga.exporter.common
  - qga.exporter.common.JOB
attributes:
  check_mode:
    support: full
    description: Asks the exporter for a dry run; shuts nothing down.
author:
  - qga-exporter developers
'''

EXAMPLES = r'''
- name: Reboot web-1 from inside
  qga.exporter.power:
    domain: web-1
    state: reboot

- name: Power off every VM of the test group
  qga.exporter.power:
    domain: "{{ inventory_hostname }}"
    state: shutdown
  delegate_to: localhost
'''

RETURN = r'''
mode:
  description: The agent's shutdown mode that was requested.
  returned: always
  type: str
  sample: powerdown
job:
  description: The exporter's job object.
  returned: when a request was sent
  type: dict
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.qga.exporter.plugins.module_utils.api import (
    ExporterError,
    ModuleClient,
    fail,
    job_argument_spec,
)

MODES = {'shutdown': 'powerdown', 'reboot': 'reboot', 'halt': 'halt'}


def main():
    spec = job_argument_spec()
    spec.update(state=dict(type='str', choices=list(MODES), required=True))
    module = AnsibleModule(argument_spec=spec, supports_check_mode=True)
    domain = module.params['domain']
    mode = MODES[module.params['state']]
    result = dict(changed=False, domain=domain, mode=mode)
    try:
        client = ModuleClient(module)
        if mode != 'reboot':
            seen = client.domain(domain)
            # down after having been seen: a domain not polled yet has neither field
            if not seen.get('up') and (seen.get('last_success') or seen.get('last_error')):
                result['msg'] = ('%s left alone: the exporter sees its agent as down (%s)'
                                 % (domain, seen.get('last_error') or 'no answer'))
                module.exit_json(**result)
        job = client.run_job(domain, 'shutdown', {'mode': mode}, dry_run=module.check_mode,
                             wait_timeout=module.params['wait_timeout'])
    except ExporterError as e:
        fail(module, e, **result)
    result['job'] = job
    for warning in job.get('warnings') or []:
        module.warn(warning)
    if job.get('state') != 'succeeded':
        result['msg'] = 'shutdown (%s) of %s failed: %s' % (mode, domain, job.get('error'))
        module.fail_json(**result)
    result['changed'] = True
    module.exit_json(**result)


if __name__ == '__main__':
    main()
