# -*- coding: utf-8 -*-
"""Every plugin's DOCUMENTATION, RETURN and EXAMPLES is YAML of the shape ansible-doc expects.

YAML accepts more than ansible-doc understands: a flow mapping with a comma in its text
({description: The last poll error, if any., type: str}) parses, into a key 'if any.' and a
cut description. So beyond parsing, every entry is checked for the keys it may have.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ast
import os

import pytest
import yaml

from ansible_collections.qga.exporter.plugins.doc_fragments import common

_PLUGINS = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..', 'plugins'))
_FILES = sorted(os.path.join(kind, name) for kind in ('modules', 'inventory', 'connection')
                for name in os.listdir(os.path.join(_PLUGINS, kind))
                if name.endswith('.py') and name != '__init__.py')

TYPES = ('str', 'bool', 'int', 'float', 'dict', 'list', 'path', 'raw', 'complex', 'any')
RETURN_KEYS = ('description', 'returned', 'type', 'sample', 'elements', 'contains', 'version_added')
OPTION_KEYS = ('description', 'type', 'default', 'required', 'choices', 'elements', 'aliases',
               'env', 'ini', 'vars', 'suboptions', 'version_added', 'no_log')


def documents(path):
    """{DOCUMENTATION|RETURN|EXAMPLES: text} of a plugin file, read without importing it."""
    with open(os.path.join(_PLUGINS, path)) as f:
        tree = ast.parse(f.read())
    out = {}
    for node in tree.body:
        if (isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name)
                and node.targets[0].id in ('DOCUMENTATION', 'RETURN', 'EXAMPLES')):
            out[node.targets[0].id] = node.value.value
    return out


def check_description(where, value):
    assert isinstance(value, str) or (
        isinstance(value, list) and value and all(isinstance(v, str) for v in value)), (
        '%s: description must be text or a list of texts, not %r' % (where, value))


def check_return(where, entries):
    assert isinstance(entries, dict), '%s: not a mapping' % where
    for name, entry in entries.items():
        here = '%s.%s' % (where, name)
        assert isinstance(entry, dict), '%s: not a mapping: %r' % (here, entry)
        unknown = set(entry) - set(RETURN_KEYS)
        assert not unknown, '%s: unknown keys %s (a comma in a flow mapping?)' % (here, sorted(unknown))
        check_description(here, entry.get('description'))
        assert isinstance(entry.get('returned'), str), '%s: returned is missing' % here
        assert entry.get('type') in TYPES, '%s: type %r' % (here, entry.get('type'))
        if entry['type'] == 'list':
            assert entry.get('elements') in TYPES, '%s: a list needs elements' % here
        if 'contains' in entry:
            check_return(here, entry['contains'])


def check_options(where, options):
    assert isinstance(options, dict), '%s: not a mapping' % where
    for name, option in options.items():
        here = '%s.%s' % (where, name)
        assert isinstance(option, dict), '%s: not a mapping: %r' % (here, option)
        unknown = set(option) - set(OPTION_KEYS)
        assert not unknown, '%s: unknown keys %s' % (here, sorted(unknown))
        check_description(here, option.get('description'))
        if 'type' in option:
            assert option['type'] in TYPES, '%s: type %r' % (here, option['type'])
        if 'suboptions' in option:
            check_options(here, option['suboptions'])


@pytest.mark.parametrize('path', _FILES)
def test_documentation_is_yaml_of_the_right_shape(path):
    docs = documents(path)
    assert set(docs) >= set(['DOCUMENTATION', 'EXAMPLES']), sorted(docs)
    doc = yaml.safe_load(docs['DOCUMENTATION'])
    assert isinstance(doc, dict)
    check_description(path, doc.get('short_description'))
    check_description(path, doc.get('description'))
    check_options(path, doc.get('options') or {})
    assert doc.get('module', doc.get('name')) == os.path.basename(path)[:-3]


@pytest.mark.parametrize('path', [p for p in _FILES if p.startswith('modules')])
def test_return_is_yaml_of_the_right_shape(path):
    check_return(path, yaml.safe_load(documents(path)['RETURN']))


@pytest.mark.parametrize('path', _FILES)
def test_examples_are_yaml(path):
    for example in yaml.safe_load_all(documents(path)['EXAMPLES']):
        assert isinstance(example, (list, dict)), example


@pytest.mark.parametrize('fragment', ['DOCUMENTATION', 'JOB'])
def test_doc_fragments_are_yaml(fragment):
    doc = yaml.safe_load(getattr(common.ModuleDocFragment, fragment))
    check_options(fragment, doc['options'])


def test_the_old_broken_return_is_caught():
    broken = 'x: {description: The last poll error, if any., returned: always, type: str}\n'
    with pytest.raises(AssertionError) as e:
        check_return('RETURN', yaml.safe_load(broken))
    assert 'if any.' in str(e.value)
