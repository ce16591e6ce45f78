from django.urls import re_path

from flocx_dashboard.content.offers import views

urlpatterns = [
    re_path(r'^$', views.IndexView.as_view(), name='index'),
]
