# -*- coding: utf-8 -*-
"""galaxy.yml, meta/runtime.yml and the changelog fragments: complete and consistent (the
checks ansible-galaxy and antsibull-changelog would make, offline)."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re

import pytest
import yaml

from ansible.module_utils.compat.version import LooseVersion

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))


def load(*path):
    with open(os.path.join(ROOT, *path)) as f:
        return yaml.safe_load(f)


def test_galaxy_yml_is_complete():
    galaxy = load('galaxy.yml')
    for key in ('namespace', 'name', 'version', 'readme', 'authors', 'description', 'license',
                'tags', 'repository', 'documentation', 'homepage', 'issues'):
        assert galaxy.get(key), 'galaxy.yml has no %s' % key
    assert galaxy['license'] == ['Apache-2.0']
    assert re.match(r'^\d+\.\d+\.\d+$', galaxy['version'])
    for tag in galaxy['tags']:  # Galaxy refuses other tags
        assert re.match(r'^[a-z0-9_]{1,64}$', tag), tag
    for key in ('repository', 'documentation', 'homepage', 'issues'):
        assert galaxy[key].startswith('https://'), key
    assert os.path.exists(os.path.join(ROOT, galaxy['readme']))


def test_runtime_requires_ansible_2_14():
    runtime = load('meta', 'runtime.yml')
    assert runtime['requires_ansible'] == '>=2.14.0'
    modules = sorted(n[:-3] for n in os.listdir(os.path.join(ROOT, 'plugins', 'modules'))
                     if n.endswith('.py') and n != '__init__.py')
    assert sorted(runtime['action_groups']['all']) == modules


def test_changelog_fragments_use_the_configured_sections():
    config = load('changelogs', 'config.yaml')
    sections = set(s[0] for s in config['sections']) | set([config['prelude_section_name'],
                                                            config['trivial_section_name']])
    fragments = os.path.join(ROOT, 'changelogs', config['notesdir'])
    names = sorted(n for n in os.listdir(fragments) if not n.startswith('.'))
    assert names, 'no changelog fragment'
    for name in names:
        assert name.endswith(('.yml', '.yaml')), name
        fragment = load('changelogs', config['notesdir'], name)
        assert isinstance(fragment, dict) and fragment, name
        for section, entries in fragment.items():
            assert section in sections, '%s: unknown section %s' % (name, section)
            if section != config['prelude_section_name']:
                assert isinstance(entries, list) and all(isinstance(e, str) for e in entries), name


def test_galaxy_version_is_after_the_last_release():
    releases = load('changelogs', 'changelog.yaml')['releases']
    last = max(releases, key=LooseVersion)
    assert LooseVersion(load('galaxy.yml')['version']) > LooseVersion(last)


@pytest.mark.parametrize('path', ['plugins/inventory/domains.py', 'plugins/doc_fragments/common.py'])
def test_new_options_say_when_they_came(path):
    with open(os.path.join(ROOT, path)) as f:
        text = f.read()
    version = load('galaxy.yml')['version']
    assert 'version_added: %s' % version in text
