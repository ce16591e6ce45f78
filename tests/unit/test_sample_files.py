"""The committed sample config and policy files match the code.

A config sample holds FLOCX's own options and, under their own headers
(``# From oslo.log`` ...), those of the libraries it uses. The libraries' text
is theirs and changes with their version (Python 3.10 resolves older oslo
releases than 3.12, which render the sample differently), so the config
check compares what is FLOCX's: every option of a service's namespace, in
its group, with its help, default, bounds, choices, deprecations and
mutability, and no option there that the code no longer has. The policy
samples hold FLOCX's rules only and are compared whole.
"""

import importlib
import pathlib
import re
import subprocess
import sys

from keystoneauth1 import loading as ks_loading
from oslo_config import cfg
from oslo_config import generator
from oslo_config import types
from oslo_db import options as db_options
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
SERVICES = ('market', 'auction', 'provider')
OPTION_LINE = re.compile(r'#(\w+) =(?: (.*))?')


def _generate(tool, generator_file, tmp_path):
    out = tmp_path / 'sample'
    subprocess.run(
        [str(pathlib.Path(sys.executable).with_name(tool)), '--config-file',
         str(ROOT / 'etc' / 'flocx' / generator_file),
         '--output-file', str(out)],
        check=True, capture_output=True, cwd=ROOT,
        env={'PYTHONWARNINGS': 'ignore', 'PATH': '/usr/bin:/bin'})
    return out.read_text()


def sample_options(text):
    """{(group, namespace): {name: (comment, [values])}} of a config sample.

    An option is a paragraph of ``# `` comment lines (its help and notes)
    ended by its ``#name = value`` lines (several for a multi-valued one).
    """
    sections = {}
    group = namespace = None
    comment = []
    lines = text.splitlines()
    for number, line in enumerate(lines):
        header = re.fullmatch(r'# From (\S+)', line)
        option = OPTION_LINE.fullmatch(line)
        if re.fullmatch(r'\[(.+)\]', line):
            group, namespace = line[1:-1], None
        elif header and lines[number - 1] == lines[number + 1] == '#':
            namespace = header[1]
            sections.setdefault((group, namespace), {})
        elif option:
            options = sections[group, namespace]
            _, values = options.setdefault(option[1], ('\n'.join(comment), []))
            values.append(option[2] or '')
            continue
        elif line.startswith('#'):
            comment.append(line[2:])
            continue
        comment = []
    return sections


def squeezed(text):
    # The sample wraps help at 79 columns, at spaces and after hyphens.
    return re.sub(r'\s+', '', text)


# Groups a service's namespace fills, wholly or partly, from a library:
# oslo.db's [database] options and keystoneauth1's session, auth and adapter
# options (the provider's identities towards Ironic, remote renters and,
# over REST, the market). Their help, defaults and very presence are the
# installed library's.
KEYSTONEAUTH_GROUPS = ('ironic', 'remote_access', 'market')


def library_options():
    """(group, name) of the options a namespace carries from libraries."""
    keystoneauth = (
        ks_loading.get_session_conf_options()
        + ks_loading.get_auth_common_conf_options()
        + ks_loading.get_auth_plugin_conf_options('password')
        + ks_loading.get_adapter_conf_options(include_deprecated=False))
    return ({(group, opt.dest) for group in KEYSTONEAUTH_GROUPS
             for opt in keystoneauth}
            | {(group, opt.dest) for group, opts in db_options.list_opts()
               for opt in opts})


def library_groups():
    return {group for group, _ in library_options()}


def own_options(service):
    """[(group, opt)] of FLOCX's own options in a service's namespace."""
    opts = importlib.import_module(f'flocx_{service}.conf.opts')
    library = library_options()
    return [(group, opt) for group, group_opts in opts.list_opts()
            for opt in group_opts if (group, opt.dest) not in library]


def parsed_default(opt, values):
    """The sample's default, read back with the option's own type."""
    def read(value):
        return None if value == '<None>' else opt.type(value)
    if opt.multi:
        return [read(value) for value in values if value]
    value, = values
    return read(value)


def code_default(opt):
    default = opt.default
    if isinstance(default, str) and not isinstance(opt.type, types.String):
        default = opt.type(default)
    return default


def option_problems(group, opt, comment, values):
    problems = []
    if opt.sample_default is not None:
        expected = opt.sample_default
        if not isinstance(expected, list):
            expected = [str(expected)]
        if values != [str(value) for value in expected]:
            problems.append(f'sample default {values} != {expected}')
    elif parsed_default(opt, values) != code_default(opt):
        problems.append(f'default {values} != {opt.default!r}')
    text = squeezed(comment)
    expected_text = [opt.help or '']
    if getattr(opt.type, 'min', None) is not None:
        expected_text.append(f'Minimum value: {opt.type.min}')
    if getattr(opt.type, 'max', None) is not None:
        expected_text.append(f'Maximum value: {opt.type.max}')
    for choice in getattr(opt.type, 'choices', None) or ():
        expected_text.append(f'{choice} - ')
    for old in opt.deprecated_opts:
        if old.name and '-' not in old.name:
            expected_text.append(f'Deprecated group/name - '
                                 f'[{old.group or group}]/{old.name}')
    if opt.deprecated_reason:
        expected_text.append(opt.deprecated_reason)
    for part in expected_text:
        if squeezed(part) not in text:
            problems.append(f'sample lacks {part!r}')
    for flag, note in (
            (opt.mutable, 'This option can be changed without restarting.'),
            (opt.deprecated_for_removal,
             'This option is deprecated for removal')):
        if bool(flag) != (squeezed(note) in text):
            problems.append(f'{note!r} should be {"in" if flag else "out"}')
    return problems


def generator_namespaces(service):
    generator = ROOT / 'etc' / 'flocx' / f'{service}-config-generator.conf'
    return {line.split('=', 1)[1].strip()
            for line in generator.read_text().splitlines()
            if line.startswith('namespace')}


def committed_config(service):
    return (ROOT / 'etc' / 'flocx' /
            f'flocx-{service}.conf.sample').read_text()


@pytest.mark.parametrize('service', SERVICES)
def test_config_sample_documents_every_own_option(service):
    sections = sample_options(committed_config(service))
    namespace = f'flocx-{service}'
    problems = []
    for group, opt in own_options(service):
        documented = sections.get((group, namespace), {}).get(opt.dest)
        if documented is None:
            problems.append(f'[{group}] {opt.dest}: not in the sample')
            continue
        problems += [f'[{group}] {opt.dest}: {problem}'
                     for problem in option_problems(group, opt, *documented)]
    assert not problems, 'run: tox -e genconfig\n' + '\n'.join(problems)


@pytest.mark.parametrize('service', SERVICES)
def test_config_sample_has_no_option_the_code_lacks(service):
    sections = sample_options(committed_config(service))
    namespace = f'flocx-{service}'
    own = {(group, opt.dest) for group, opt in own_options(service)}
    # In a group filled from a library too, an option the installed (older)
    # library lacks is still the library's (keystoneauth1's tls_ciphers on
    # Python 3.10).
    with_library = library_groups()
    stale = [f'[{group}] {name}'
             for (group, header), options in sections.items()
             if header == namespace and group not in with_library
             for name in options if (group, name) not in own]
    assert not stale, 'run: tox -e genconfig\n' + '\n'.join(stale)


@pytest.mark.parametrize('service', SERVICES)
def test_config_sample_has_each_namespace(service):
    """Every namespace of the generator file has its part in the sample,
    and no other."""
    headers = {namespace for _, namespace
               in sample_options(committed_config(service))}
    assert headers == generator_namespaces(service)


def test_sample_reader_reads_what_the_generator_writes(tmp_path):
    """The reader above on a sample oslo-config-generator writes now, of
    options of every kind: a reader that misread the format would let the
    checks above pass on anything."""
    opts = [
        cfg.StrOpt('name', default='flocx', help='A string.'),
        cfg.IntOpt('count', default=3, min=1, max=9, mutable=True,
                   help='An integer with bounds, mutable.'),
        cfg.BoolOpt('on', default=False, help='A boolean.'),
        cfg.ListOpt('items', default=[], help='An empty list.'),
        cfg.ListOpt('more', default=['a', 'b'], help='A list.'),
        cfg.StrOpt('mode', default='fast', choices=['fast', 'slow'],
                   help='A choice.'),
        cfg.StrOpt('nothing', help='No default; a long help text that the '
                   'generator wraps over several lines of the sample file, '
                   'hyphen-ated-words included.'),
        cfg.MultiStrOpt('many', default=['x', 'y'], help='Multi-valued.'),
        cfg.HostAddressOpt('host', default='myhost', sample_default='local',
                           help='A sample default.'),
        cfg.FloatOpt('ratio', default=0.5, deprecated_for_removal=True,
                     deprecated_reason='Going.', help='Deprecated.'),
    ]
    out = tmp_path / 'sample'
    conf = cfg.ConfigOpts()
    generator.register_cli_opts(conf)
    conf(['--wrap-width', '79', '--namespace', 'test'])
    with open(out, 'w') as stream:
        formatter = generator._OptFormatter(conf, output_file=stream)
        formatter.format_group('test')
        stream.write('\n#\n# From test\n#\n\n')
        for opt in opts:
            formatter.format(opt, 'test')
            stream.write('\n')
    sections = sample_options(out.read_text())
    assert set(sections) == {('test', 'test')}
    documented = sections['test', 'test']
    assert list(documented) == [opt.dest for opt in opts]
    for opt in opts:
        assert option_problems('test', opt, *documented[opt.dest]) == [], \
            opt.dest
    # ...and each check can fail.
    changed = [
        cfg.IntOpt('count', default=4, min=1, max=9, mutable=True,
                   help='An integer with bounds, mutable.'),
        cfg.IntOpt('count', default=3, min=2, max=9, mutable=True,
                   help='An integer with bounds, mutable.'),
        cfg.IntOpt('count', default=3, min=1, max=9,
                   help='An integer with bounds, mutable.'),
        cfg.IntOpt('count', default=3, min=1, max=9, mutable=True,
                   help='Another help.'),
    ]
    for opt in changed:
        assert option_problems('test', opt, *documented['count'])


@pytest.mark.parametrize('service', SERVICES)
def test_policy_sample_is_current(service, tmp_path):
    generator = ROOT / 'etc' / 'flocx' / f'{service}-policy-generator.conf'
    output = [line.split('=', 1)[1].strip()
              for line in generator.read_text().splitlines()
              if line.startswith('output_file')][0]
    generated = _generate('oslopolicy-sample-generator',
                          generator.name, tmp_path)
    assert generated == (ROOT / output).read_text(), 'run: tox -e genpolicy'
