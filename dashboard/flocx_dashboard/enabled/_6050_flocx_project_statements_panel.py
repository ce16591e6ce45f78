PANEL = 'statements'
PANEL_DASHBOARD = 'project'
PANEL_GROUP = 'marketplace'
ADD_PANEL = 'flocx_dashboard.content.statements.panel.Statements'
