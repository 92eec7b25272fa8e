from django.urls import path, re_path

from .views import dav_view, well_known

app_name = "dav"

urlpatterns = [
    # RFC 6764 section 5: clients given only the host name find the DAV root here.
    path(".well-known/caldav", well_known, name="well-known-caldav"),
    path(".well-known/carddav", well_known, name="well-known-carddav"),
    re_path(r"^dav/(?P<path>.*)$", dav_view, name="dav"),
]
