#!/usr/bin/python
# -*- coding: utf-8 -*-

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: domain_info
short_description: Facts of VMs from their QEMU guest agent, as the qga-exporter last saw them
version_added: 0.1.0
description:
  - Returns what the qga-exporter knows about one domain (VM) or all of them, from its last
    polls of each guest agent, namely agent state and version, host name, OS, time zone and clock
    offset, network interfaces and IP addresses, filesystems, logged-in users, supported
    agent commands, and when each action last succeeded.
  - Never waits on a guest and never changes anything.
options:
  domain:
    description:
      - The domain to describe. Without it, every domain the exporter knows is described.
    type: str
  details:
    description:
      - When describing every domain, also read each domain's cached guest data (one more
        request per domain). With C(false), only the agent state of each domain is returned.
    type: bool
    default: true
extends_documentation_fragment:
  - qga.exporter.common
attributes:
  check_mode:
    support: full
    description: Reads only; runs the same in check mode.
author:
  - qga-exporter developers
'''

EXAMPLES = r'''
- name: Facts of one VM
  qga.exporter.domain_info:
    url: http://hypervisor1:9920
    token: "{{ qga_token }}"
    domain: web-1
  register: web1
  delegate_to: localhost

- name: Print its IP addresses
  ansible.builtin.debug:
    var: web1.domain.ip_addresses

- name: Every VM whose agent is down
  qga.exporter.domain_info:
    details: false
  register: all_vms
- ansible.builtin.debug:
    msg: "{{ all_vms.domains | rejectattr('up') | map(attribute='name') | list }}"
'''

RETURN = r'''
domain:
  description:
    - The domain asked for with I(domain).
    - Every value but C(name), C(uuid), C(channel), C(up) and the times comes from the guest's
      agent; treat it as untrusted text.
  returned: when I(domain) is given
  type: dict
  contains:
    name:
      description: Domain name.
      returned: always
      type: str
      sample: "web-1"
    uuid:
      description: Domain UUID when known (libvirt).
      returned: when known
      type: str
    channel:
      description: The agent channel the exporter polls.
      returned: always
      type: str
      sample: "/run/qga/web-1.sock"
    up:
      description: Whether the last sync with the agent succeeded.
      returned: always
      type: bool
    agent_version:
      description: qemu-ga version.
      returned: when known
      type: str
      sample: "7.2.22"
    last_success:
      description: Time of the last successful poll (UTC).
      returned: when known
      type: str
      sample: "2026-11-27T10:00:00Z"
    last_error:
      description: The last poll error, if any.
      returned: when known
      type: str
    frozen:
      description: Whether the guest's filesystems are frozen.
      returned: when known
      type: bool
    supported_commands:
      description: Enabled agent commands.
      returned: when known
      type: list
      elements: str
    hostname:
      description: Guest host name.
      returned: when known
      type: str
    os:
      description: Guest OS, with id, name, pretty_name, version_id, kernel_release and machine.
      returned: when known
      type: dict
    timezone:
      description: Guest time zone, with zone and offset (seconds east of UTC).
      returned: when known
      type: dict
    time_offset_seconds:
      description: Guest clock minus host clock at the last poll.
      returned: when known
      type: float
    interfaces:
      description: Network interfaces, each with name, mac and addresses (address, family, prefix).
      returned: when known
      type: list
      elements: dict
    ip_addresses:
      description: Every non-loopback address.
      returned: when known
      type: list
      elements: str
      sample: ["192.0.2.10"]
    filesystems:
      description: Filesystems, each with mountpoint, fstype, device, size_bytes, used_bytes and avail_bytes.
      returned: when known
      type: list
      elements: dict
    users:
      description: Logged-in users, each with user, domain and login_time.
      returned: when known
      type: list
      elements: dict
    last_actions:
      description: Time of the last successful run of each action (fstrim, time_sync and so on).
      returned: when known
      type: dict
domains:
  description:
    - Every domain described (one element when I(domain) is given), each shaped like I(domain).
  returned: always
  type: list
  elements: dict
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.qga.exporter.plugins.module_utils.api import (
    ExporterError,
    ModuleClient,
    common_argument_spec,
    fail,
)


def main():
    spec = common_argument_spec()
    spec.update(domain=dict(type='str'), details=dict(type='bool', default=True))
    module = AnsibleModule(argument_spec=spec, supports_check_mode=True)
    try:
        client = ModuleClient(module)
        if module.params['domain']:
            domain = client.domain(module.params['domain'])
            module.exit_json(changed=False, domain=domain, domains=[domain])
        domains = client.domains()
        if module.params['details']:
            described = []
            for summary in domains:
                try:
                    described.append(client.domain(summary['name']))
                except ExporterError as e:
                    if e.status != 404:
                        raise
                    # gone between the list and now: keep what the list said
                    described.append(summary)
            domains = described
        module.exit_json(changed=False, domains=domains)
    except ExporterError as e:
        fail(module, e)


if __name__ == '__main__':
    main()
