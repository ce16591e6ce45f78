"""The committed sample config and policy files match the code."""

import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
SERVICES = ('market', 'auction', 'provider')


def _generate(tool, generator_file, tmp_path):
    out = tmp_path / 'sample'
    subprocess.run(
        [str(pathlib.Path(sys.executable).with_name(tool)), '--config-file',
         str(ROOT / 'etc' / 'flocx' / generator_file),
         '--output-file', str(out)],
        check=True, capture_output=True, cwd=ROOT,
        env={'PYTHONWARNINGS': 'ignore', 'PATH': '/usr/bin:/bin'})
    return out.read_text()


@pytest.mark.parametrize('service', SERVICES)
def test_config_sample_is_current(service, tmp_path):
    generated = _generate('oslo-config-generator',
                          f'{service}-config-generator.conf', tmp_path)
    committed = (ROOT / 'etc' / 'flocx' /
                 f'flocx-{service}.conf.sample').read_text()
    assert generated == committed, 'run: tox -e genconfig'


@pytest.mark.parametrize('service', SERVICES)
def test_policy_sample_is_current(service, tmp_path):
    generator = ROOT / 'etc' / 'flocx' / f'{service}-policy-generator.conf'
    output = [line.split('=', 1)[1].strip()
              for line in generator.read_text().splitlines()
              if line.startswith('output_file')][0]
    generated = _generate('oslopolicy-sample-generator',
                          generator.name, tmp_path)
    assert generated == (ROOT / output).read_text(), 'run: tox -e genpolicy'
