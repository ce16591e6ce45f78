from django.urls import re_path

from flocx_dashboard.content.contracts import views

urlpatterns = [
    re_path(r'^$', views.IndexView.as_view(), name='index'),
    re_path(r'^(?P<contract_id>[^/]+)/$', views.DetailView.as_view(),
            name='detail'),
    re_path(r'^(?P<contract_id>[^/]+)/extend/$', views.ExtendView.as_view(),
            name='extend'),
    re_path(r'^(?P<contract_id>[^/]+)/revoke/$', views.RevokeView.as_view(),
            name='revoke'),
    re_path(r'^(?P<contract_id>[^/]+)/access/$', views.AccessView.as_view(),
            name='access'),
]
