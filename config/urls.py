from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from accounts.views import admin_login_view

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="webmail:home", permanent=False)),
    path("", include("accounts.urls")),
    path("mail/", include("webmail.urls")),
    path("calendar/", include("calendar_app.urls")),
    path("contacts/", include("contacts.urls")),
    path("", include("dav.urls")),  # /dav/ and /.well-known/caldav, /.well-known/carddav
    path("admin/login/", admin_login_view),  # before admin.site.urls, whose own login this wraps
    path("admin/", admin.site.urls),
]
