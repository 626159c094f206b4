# -*- coding: utf-8 -*-
"""Shared fixtures: the exporter's answers faked at the fetch_url level, and a module runner."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import sys

import pytest

# ansible_collections.qga.exporter must be importable the way ansible imports it (ansible-test
# sets this up; plain pytest needs ansible's collection finder over the directory holding
# ansible_collections/)
_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..', '..', '..'))
if not any(type(f).__name__ == '_AnsibleCollectionFinder' for f in sys.meta_path):
    from ansible.utils.collection_loader._collection_finder import _AnsibleCollectionFinder
    _AnsibleCollectionFinder(paths=[_ROOT])._install()

from ansible.module_utils import basic  # noqa: E402
from ansible.module_utils.common.text.converters import to_bytes  # noqa: E402
from ansible.module_utils.six.moves.urllib.parse import parse_qs, urlparse  # noqa: E402

from ansible_collections.qga.exporter.plugins.module_utils import api  # noqa: E402


class ExitJson(Exception):
    def __init__(self, result):
        super(ExitJson, self).__init__(result.get('msg'))
        self.result = result


class FailJson(Exception):
    def __init__(self, result):
        super(FailJson, self).__init__(result.get('msg'))
        self.result = result


class _Resp(object):
    def __init__(self, raw):
        self._raw = raw

    def read(self):
        return self._raw


class FakeExporter(object):
    """Routes 'METHOD /path' to answers; each answer is (status, body) or a callable(request)."""

    def __init__(self):
        self.routes = {}
        self.requests = []

    def on(self, method, path, *answers):
        self.routes.setdefault('%s %s' % (method, path), []).extend(answers)
        return self

    def calls(self, method=None, path=None):
        return [r for r in self.requests
                if (method is None or r['method'] == method) and (path is None or r['path'] == path)]

    def __call__(self, module, url, data=None, headers=None, method=None, timeout=None, **kwargs):
        parsed = urlparse(url)
        request = dict(method=method, url=url, path=parsed.path,
                       query=dict((k, v[0]) for k, v in parse_qs(parsed.query).items()),
                       body=json.loads(data) if data else None, headers=headers or {},
                       timeout=timeout)
        self.requests.append(request)
        key = '%s %s' % (method, parsed.path)
        answers = self.routes.get(key)
        if not answers:
            raise AssertionError('unexpected request %s (known: %s)' % (key, sorted(self.routes)))
        answer = answers.pop(0) if len(answers) > 1 else answers[0]
        if callable(answer):
            answer = answer(request)
        status, body = answer
        if status < 0:
            return None, {'status': -1, 'msg': 'Connection failure: [Errno 111] Connection refused',
                          'url': url}
        raw = to_bytes(json.dumps(body)) if not isinstance(body, bytes) else body
        if status >= 400:
            return None, {'status': status, 'msg': 'HTTP Error %d' % status, 'body': raw, 'url': url}
        return _Resp(raw), {'status': status, 'msg': 'OK', 'url': url}


@pytest.fixture
def exporter(monkeypatch):
    fake = FakeExporter()
    monkeypatch.setattr(api, 'fetch_url', fake)
    monkeypatch.setattr(api.time, 'sleep', lambda s: None)
    return fake


@pytest.fixture
def run_module(monkeypatch):
    """run_module(module, args, check_mode=False) -> ('exit'|'fail', result)."""

    def exit_json(self, **kwargs):
        kwargs.setdefault('changed', False)
        raise ExitJson(kwargs)

    def fail_json(self, **kwargs):
        raise FailJson(kwargs)

    monkeypatch.setattr(basic.AnsibleModule, 'exit_json', exit_json)
    monkeypatch.setattr(basic.AnsibleModule, 'fail_json', fail_json)

    def run(module, args, check_mode=False):
        full = dict(url='http://exporter:9920', token='s3cret')
        full.update(args)
        full['_ansible_check_mode'] = check_mode
        full['_ansible_remote_tmp'] = '/tmp'
        full['_ansible_keep_remote_files'] = False
        monkeypatch.setattr(basic, '_ANSIBLE_ARGS', to_bytes(json.dumps({'ANSIBLE_MODULE_ARGS': full})))
        try:
            module.main()
        except ExitJson as e:
            return 'exit', e.result
        except FailJson as e:
            return 'fail', e.result
        raise AssertionError('the module neither exited nor failed')

    return run


def _job(action, state='succeeded', result=None, error=None, dry_run=False, warnings=None,
         job_id='j-1'):
    """A finished job object as GET /api/v1/jobs/{id} returns it."""
    return dict(job=job_id, domain='web-1', action=action, origin='api:ansible', state=state,
                dry_run=dry_run, outcome='dry_run' if dry_run else ('succeeded' if state == 'succeeded' else 'failed'),
                started='2026-11-27T10:00:00Z', finished='2026-11-27T10:00:01Z', duration_seconds=1.0,
                result=result, error=error, warnings=warnings or [])


@pytest.fixture
def make_job():
    return _job
