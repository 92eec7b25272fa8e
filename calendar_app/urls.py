from django.urls import path

from .views import api, frommail, pages, subscriptions

app_name = "calendar_app"
urlpatterns = [
    path("", pages.home, name="home"),
    path("settings/", pages.settings_view, name="settings"),
    path("import/", pages.import_view, name="import"),
    path("calendars/new/", pages.calendar_new, name="calendar_new"),
    path("calendars/subscribe/", subscriptions.subscribe, name="calendar_subscribe"),
    path("calendars/<int:calendar_id>/", pages.calendar_page, name="calendar"),
    path("calendars/<int:calendar_id>/share/", pages.calendar_share_view, name="calendar_share"),
    path("calendars/<int:calendar_id>/unshare/<int:user_id>/", pages.calendar_unshare_view, name="calendar_unshare"),
    path("calendars/<int:calendar_id>/publish/", pages.calendar_publish_view, name="calendar_publish"),
    path("calendars/<int:calendar_id>/visibility/", api.calendar_visibility, name="calendar_visibility"),
    path("calendars/<int:calendar_id>/refresh/", subscriptions.refresh, name="calendar_refresh"),
    path("calendars/<int:calendar_id>/delete/", pages.calendar_delete_view, name="calendar_delete"),
    path("calendars/<int:calendar_id>/export.ics", pages.calendar_export_view, name="calendar_export"),
    path("api/occurrences/", api.occurrences, name="occurrences"),
    path("api/events/", api.event_new, name="event_create"),
    path("api/events/<int:calendar_id>/<str:name>", api.event_detail, name="event"),
    path("public/<str:token>.ics", pages.public_ics, name="public_ics"),
    path("from-mail/<int:uid>/<str:part_id>/", frommail.mail_part, name="mail_part"),
]
