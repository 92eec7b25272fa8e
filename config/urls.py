from django.contrib import admin
from django.urls import include, path

from accounts.views import admin_login_view
from dav.views import site_root

urlpatterns = [
    path("", site_root),  # people to their mail; DAV clients given only the host to /dav/
    path("", include("accounts.urls")),
    path("mail/", include("webmail.urls")),
    path("calendar/", include("calendar_app.urls")),
    path("contacts/", include("contacts.urls")),
    path("", include("dav.urls")),  # /dav/ and /.well-known/caldav, /.well-known/carddav
    path("admin/login/", admin_login_view),  # before admin.site.urls, whose own login this wraps
    path("admin/", admin.site.urls),
]
