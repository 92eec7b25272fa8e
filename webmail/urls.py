from django.urls import path

from .views import inbox

app_name = "webmail"
urlpatterns = [
    path("", inbox.inbox, name="inbox"),
]
