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
  - The exporter sees a VM that is shut off or paused (or whose qemu-ga is not running) as an
    agent that does not answer; it cannot tell these apart, and cannot start or resume a VM.
    C(state=shutdown) and C(state=halt) leave such a domain alone and return C(ok) (not
    changed) with a C(msg) saying why, also when the agent stops answering between the look
    and the request. C(state=reboot) always sends the request; when the agent does not answer
    it fails with a C(msg) that says the VM must be started or resumed on its hypervisor first
    (for example C(virsh start) or C(virsh resume), or M(community.libvirt.virt)).
  - A paused VM whose agent the exporter still saw answering gets a job that fails (the agent
    does not answer the sync before the shutdown), and the task fails with the job's error.
  - With C(--diff), a shutdown, halt or reboot that was sent shows C(power) before (C(running))
    and after (C(off), C(halted) or C(rebooting)).
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
  diff_mode:
    support: full
    description: Shows C(power) before and after when a request was sent.
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
domain:
  description: The domain.
  returned: always
  type: str
  sample: web-1
mode:
  description: The agent's shutdown mode that was requested.
  returned: always
  type: str
  sample: powerdown
msg:
  description: Why nothing was sent (the agent is down), or what failed.
  returned: when nothing was sent, and on failure
  type: str
  sample: "web-1 left alone: the exporter sees its agent as down (agent not responding)"
job:
  description: The exporter's job object (see M(qga.exporter.fstrim)).
  returned: when a request was sent
  type: dict
  sample: {"job": "j-17", "state": "succeeded", "result": {"mode": "powerdown"}}
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.qga.exporter.plugins.module_utils.api import (
    ExporterError,
    ModuleClient,
    diff,
    fail,
    job_argument_spec,
)

MODES = {'shutdown': 'powerdown', 'reboot': 'reboot', 'halt': 'halt'}
# the power state a request that was sent leads to, for --diff
AFTER = {'powerdown': 'off', 'halt': 'halted', 'reboot': 'rebooting'}
NOT_ANSWERING = ('the VM is shut off or paused, or qemu-ga is not running in it')


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
                result['msg'] = ('%s left alone: the exporter sees its agent as down (%s): %s'
                                 % (domain, seen.get('last_error') or 'no answer', NOT_ANSWERING))
                module.exit_json(**result)
        job = client.run_job(domain, 'shutdown', {'mode': mode}, dry_run=module.check_mode,
                             wait_timeout=module.params['wait_timeout'])
    except ExporterError as e:
        if e.status == 503 and mode != 'reboot':
            # went down between the look and the request: nothing to shut down that we can reach
            result['msg'] = '%s left alone: %s (%s)' % (domain, e.msg, NOT_ANSWERING)
            module.exit_json(**result)
        if e.status == 503:
            e.msg = ('cannot reboot %s through its agent: %s. Probably %s: start or resume it on'
                     ' its hypervisor (virsh start / virsh resume)' % (domain, e.msg, NOT_ANSWERING))
        fail(module, e, **result)
    result['job'] = job
    for warning in job.get('warnings') or []:
        module.warn(warning)
    if job.get('state') != 'succeeded':
        result['msg'] = 'shutdown (%s) of %s failed: %s' % (mode, domain, job.get('error'))
        module.fail_json(**result)
    result['changed'] = True
    change = diff(module, dict(power='running'), dict(power=AFTER[mode]))
    if change:
        result['diff'] = change
    module.exit_json(**result)


if __name__ == '__main__':
    main()
