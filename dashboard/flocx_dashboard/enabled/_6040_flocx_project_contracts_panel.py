PANEL = 'contracts'
PANEL_DASHBOARD = 'project'
PANEL_GROUP = 'marketplace'
ADD_PANEL = 'flocx_dashboard.content.contracts.panel.Contracts'
