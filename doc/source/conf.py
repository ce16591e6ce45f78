# Sphinx configuration for the FLOCX documentation (tox -e docs).
#
# Everything here builds offline: the configuration and policy references
# are generated from the code (oslo.config's and oslo.policy's Sphinx
# extensions), the API reference is written with os-api-ref.

import os
import sys

sys.path.insert(0, os.path.abspath('../..'))

project = 'FLOCX'
copyright = '2025, FLOCX developers'
author = 'FLOCX developers'

extensions = [
    'openstackdocstheme',
    'os_api_ref',
    'oslo_config.sphinxext',
    'oslo_config.sphinxconfiggen',
    'oslo_policy.sphinxext',
    'oslo_policy.sphinxpolicygen',
]

# Sample files are written into _static/ at every build (see .gitignore)
# and shown with literalinclude in configuration/samples/.
config_generator_config_file = [
    (f'../../etc/flocx/{service}-config-generator.conf',
     f'_static/flocx-{service}')
    for service in ('market', 'auction', 'provider')
]
policy_generator_config_file = [
    (f'../../etc/flocx/{service}-policy-generator.conf',
     f'_static/flocx-{service}')
    for service in ('market', 'auction', 'provider')
]

# openstackdocstheme
openstackdocs_repo_name = 'flocx/flocx'
openstackdocs_auto_name = False
openstackdocs_use_storyboard = False
openstackdocs_pdf_link = False

html_theme = 'openstackdocs'
html_static_path = ['_static']
html_theme_options = {
    'display_toc': False,
}

master_doc = 'index'
exclude_patterns = ['_build', 'api-ref/*.inc']
pygments_style = 'native'
# api-contract.txt is the team's working notes, not a page.
source_suffix = {'.rst': 'restructuredtext'}
