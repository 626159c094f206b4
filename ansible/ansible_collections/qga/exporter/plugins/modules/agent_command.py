#!/usr/bin/python
# -*- coding: utf-8 -*-

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: agent_command
short_description: Run one guest agent command on a VM through the qga-exporter
version_added: 0.1.0
description:
  - Sends one QEMU guest agent command (C(POST /api/v1/domains/DOMAIN/command)) and returns the
    agent's reply. The exporter runs only commands on its C(api.command_allow_list) and needs
    an C(admin) token.
  - Read-only commands (C(guest-info), C(guest-ping), C(guest-get-*), C(guest-network-get-*),
    C(guest-fsfreeze-status)) never report C(changed) and also run in check mode; every other
    command reports C(changed) and is not sent in check mode.
options:
  command:
    description:
      - The agent command, like C(guest-get-osinfo).
    type: str
    required: true
    aliases: [execute]
  arguments:
    description:
      - The command's arguments, as the agent's schema names them.
    type: dict
extends_documentation_fragment:
  - qga.exporter.common
  - qga.exporter.common.JOB
attributes:
  check_mode:
    support: partial
    description: Read-only commands run; others are reported as would-run and not sent.
author:
  - qga-exporter developers
'''

EXAMPLES = r'''
- name: Guest OS
  qga.exporter.agent_command:
    domain: web-1
    command: guest-get-osinfo
  register: os

- ansible.builtin.debug:
    msg: "{{ os.result['pretty-name'] }}"

- name: Reread the guest clock from its RTC (needs guest-set-time on the allow-list)
  qga.exporter.agent_command:
    domain: web-1
    command: guest-set-time

- name: Numbers in arguments - template the whole dict, templated values alone become strings
  qga.exporter.agent_command:
    domain: web-1
    command: guest-set-time
    arguments: "{{ {'time': (now(utc=true).timestamp() | int) * 1000000000} }}"
'''

RETURN = r'''
result:
  description: The agent's return value (C({}) for commands without one).
  returned: when the command ran
  type: raw
  sample: {"host-name": "web-1"}
read_only:
  description: Whether the command only reads.
  returned: always
  type: bool
job:
  description: The exporter's job id, for commands that may change the guest (they are audited).
  returned: when the exporter ran the command as a job
  type: str
unsupported:
  description: True when the agent does not support or has disabled the command.
  returned: on failure
  type: bool
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.qga.exporter.plugins.module_utils.api import (
    ExporterError,
    ModuleClient,
    fail,
    is_read_only,
    job_argument_spec,
)


def main():
    spec = job_argument_spec()
    spec.update(command=dict(type='str', required=True, aliases=['execute']),
                arguments=dict(type='dict'))
    module = AnsibleModule(argument_spec=spec, supports_check_mode=True)
    domain = module.params['domain']
    command = module.params['command']
    read_only = is_read_only(command)
    result = dict(changed=False, domain=domain, command=command, read_only=read_only)
    if module.check_mode and not read_only:
        result.update(changed=True, msg='would run %s on %s' % (command, domain))
        module.exit_json(**result)
    try:
        client = ModuleClient(module)
        # a command that changes the guest runs as a job inside this one request
        client.request_timeout = max(client.request_timeout, module.params['wait_timeout'])
        answer = client.command(domain, command, module.params['arguments'])
    except ExporterError as e:
        extra = dict(result)
        for key in ('class', 'desc', 'unsupported'):
            if key in e.body:
                extra['agent_error_class' if key == 'class' else
                      'agent_error_desc' if key == 'desc' else key] = e.body[key]
        fail(module, e, **extra)
    result['result'] = answer.get('return')
    if answer.get('job'):
        result['job'] = answer['job']
    result['changed'] = not read_only
    module.exit_json(**result)


if __name__ == '__main__':
    main()
