# -*- coding: utf-8 -*-

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    # How every module reaches the exporter's control API.
    DOCUMENTATION = r'''
options:
  url:
    description:
      - Base URL of the qga-exporter, the same listener that serves C(/metrics).
      - If not set, the environment variable C(QGA_EXPORTER_URL) is used.
    type: str
    default: http://127.0.0.1:9920
  token:
    description:
      - An API token of the exporter (one of C(api.tokens) in its config.yaml), sent as
        C(Authorization) header C(Bearer TOKEN).
      - Reading needs role C(reader); fstrim, time sync and fsfreeze need C(operator);
        power and agent commands need C(admin).
      - If not set, the environment variable C(QGA_EXPORTER_TOKEN) is used.
    type: str
  validate_certs:
    description:
      - Whether to verify the exporter's TLS certificate when I(url) is C(https://).
    type: bool
    default: true
  ca_path:
    description:
      - A PEM file with the CA certificates to verify the exporter's certificate with, when it
        is not signed by a CA the system trusts (for example the exporter's own self-signed
        certificate).
      - If not set, the environment variable C(QGA_EXPORTER_CA_PATH) is used.
    type: path
    version_added: 0.2.0
  client_cert:
    description:
      - A PEM client certificate to present in the TLS handshake, for an exporter with
        C(tls.client_auth) C(require) or C(request) (or a TLS proxy in front of it that asks
        for one). The API still needs I(token) as well.
      - May hold the private key too; else give I(client_key).
    type: path
    version_added: 0.2.0
  client_key:
    description:
      - The private key of I(client_cert) (PEM, unencrypted) when it is not in that file.
    type: path
    version_added: 0.2.0
  request_timeout:
    description:
      - Seconds to wait for the exporter to answer one HTTP request (the wait for a job to
        finish is added on top, see I(wait_timeout) where a module has it).
    type: int
    default: 30
notes:
  - The modules talk only to the exporter's control API, never to a guest or to libvirt.
    Run them on any host that reaches the exporter, usually against C(localhost).
  - Use C(module_defaults) with the action group C(group/qga.exporter.all) to set I(url) and
    I(token) once per play.
  - Against hosts of the inventory plugin C(qga.exporter.domains) (several exporters), set
    I(url) to C({{ qga_exporter_url }}) and I(domain) to C({{ qga_domain }}) in
    C(module_defaults) and delegate the tasks to C(localhost); each host's task then
    goes to the exporter that owns it, with that host's domain name on that exporter.
'''

    # Modules that run an action on one domain as an exporter job.
    JOB = r'''
options:
  domain:
    description:
      - The domain (VM) name as the exporter knows it (see M(qga.exporter.domain_info)).
    type: str
    required: true
  wait_timeout:
    description:
      - Seconds to wait for the action's job to finish. The module fails, naming the job, when
        it is still running by then (the action goes on in the exporter).
    type: int
    default: 300
'''
