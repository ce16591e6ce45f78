"""FLOCX in Horizon: the Marketplace panel group of the Project dashboard.

A plain Django plugin in the blazar-dashboard manner: DataTables, a modal
form and server-rendered SVG charts, no AngularJS. Installed with the files
of ``flocx_dashboard/enabled`` copied into
``openstack_dashboard/local/enabled`` (tools/horizon/hzlocal.py does it for
a local Horizon).
"""
