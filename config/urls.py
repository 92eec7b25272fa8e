from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="webmail:home", permanent=False)),
    path("", include("accounts.urls")),
    path("mail/", include("webmail.urls")),
    path("admin/", admin.site.urls),
]
