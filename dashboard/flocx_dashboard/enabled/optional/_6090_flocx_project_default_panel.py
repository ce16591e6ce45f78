# Optional, for clouds without Nova: make the Market panel the Project
# dashboard's default panel, so /project/ itself shows the marketplace
# instead of the stock Overview, which answers 403 without a compute service
# (and 500 without Neutron). Copy it into openstack_dashboard/local/enabled
# next to the others; tools/horizon/hzlocal.py does by default.
PANEL = 'market'
PANEL_DASHBOARD = 'project'
DEFAULT_PANEL = 'market'
