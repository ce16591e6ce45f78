from django.urls import re_path

from flocx_dashboard.content.offers import views

urlpatterns = [
    re_path(r'^$', views.IndexView.as_view(), name='index'),
    re_path(r'^nodes/(?P<node_id>[^/]+)/offer/$', views.CreateView.as_view(),
            name='create'),
    re_path(r'^(?P<offer_id>[^/]+)/$', views.DetailView.as_view(),
            name='detail'),
]
