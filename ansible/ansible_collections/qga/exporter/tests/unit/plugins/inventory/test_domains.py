# -*- coding: utf-8 -*-
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import io

import pytest

from ansible.module_utils.six.moves.urllib.error import HTTPError, URLError

from ansible_collections.qga.exporter.plugins.inventory import domains


def test_first_ipv4_skips_loopback_and_ipv6():
    domain = {'interfaces': [
        {'name': 'lo', 'addresses': [{'address': '127.0.0.1', 'family': 'ipv4'}]},
        {'name': 'eth0', 'addresses': [{'address': 'fe80::1', 'family': 'ipv6'},
                                       {'address': '192.0.2.10', 'family': 'ipv4'}]}]}
    assert domains.first_ipv4(domain) == '192.0.2.10'


def test_first_ipv4_from_the_flat_list_and_none():
    assert domains.first_ipv4({'ip_addresses': ['2001:db8::1', '198.51.100.7']}) == '198.51.100.7'
    assert domains.first_ipv4({'interfaces': [], 'ip_addresses': []}) is None


class _Resp(object):
    def __init__(self, code, raw):
        self.code, self.raw = code, raw

    def getcode(self):
        return self.code

    def read(self):
        return self.raw


def test_open_url_client(monkeypatch):
    seen = {}

    def fake_open_url(url, **kwargs):
        seen.update(kwargs, url=url)
        return _Resp(200, b'{"domains": [{"name": "vm-1"}]}')

    monkeypatch.setattr(domains, 'open_url', fake_open_url)
    client = domains._OpenUrlClient('https://hv:9920', 'tok', 7, False)
    assert client.domains() == [{'name': 'vm-1'}]
    assert seen['url'] == 'https://hv:9920/api/v1/domains'
    assert seen['headers']['Authorization'] == 'Bearer tok'
    assert seen['validate_certs'] is False and seen['timeout'] == 7


@pytest.mark.parametrize('error,status,words', [
    (HTTPError('u', 401, 'Unauthorized', {}, io.BytesIO(b'{"error": "invalid token"}')), 401,
     ['refused the token', 'invalid token']),
    (URLError('Connection refused'), -1, ['cannot reach the qga-exporter at http://hv:9920']),
])
def test_open_url_client_errors(monkeypatch, error, status, words):
    def fake_open_url(url, **kwargs):
        raise error

    monkeypatch.setattr(domains, 'open_url', fake_open_url)
    with pytest.raises(domains.ExporterError) as e:
        domains._OpenUrlClient('http://hv:9920', 'tok', 7, True).domains()
    assert e.value.status == status
    for word in words:
        assert word in e.value.msg
