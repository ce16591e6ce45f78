from django.urls import re_path

from flocx_dashboard.content.bids import views

urlpatterns = [
    re_path(r'^$', views.IndexView.as_view(), name='index'),
    re_path(r'^create/$', views.CreateView.as_view(), name='create'),
    re_path(r'^(?P<bid_id>[^/]+)/$', views.DetailView.as_view(),
            name='detail'),
]
