from django.urls import path, re_path
from django.views.generic import RedirectView

from .views import dav_view

app_name = "dav"

urlpatterns = [
    # RFC 6764 section 5: clients given only the host name find the DAV root here.
    path(".well-known/caldav", RedirectView.as_view(url="/dav/", permanent=True), name="well-known-caldav"),
    path(".well-known/carddav", RedirectView.as_view(url="/dav/", permanent=True), name="well-known-carddav"),
    re_path(r"^dav/(?P<path>.*)$", dav_view, name="dav"),
]
