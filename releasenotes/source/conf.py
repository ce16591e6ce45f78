# Sphinx configuration for the FLOCX release notes (tox -e releasenotes).
#
# reno reads the notes in releasenotes/notes/ from the git history.

project = 'FLOCX Release Notes'
copyright = 'FLOCX developers'
author = 'FLOCX developers'

extensions = [
    'openstackdocstheme',
    'reno.sphinxext',
]

openstackdocs_repo_name = 'flocx/flocx'
openstackdocs_auto_name = False
openstackdocs_use_storyboard = False

html_theme = 'openstackdocs'
master_doc = 'index'
exclude_patterns = ['_build']
pygments_style = 'native'
