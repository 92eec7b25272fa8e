from django.urls import path

from .views import actions, compose, contacts, folders, listing, reading, search, settings

app_name = "webmail"
urlpatterns = [
    path("", listing.mail_home, name="home"),
    path("search/", search.search_view, name="search"),
    path("compose/", compose.compose, name="compose"),
    path("drafts/save/", compose.draft_autosave, name="draft_save"),
    path("addresses/", compose.address_complete, name="address_complete"),
    path("outbox/", compose.outbox_view, name="outbox"),
    path("outbox/<int:outbox_id>/", compose.outbox_change, name="outbox_change"),
    path("folders/", folders.folders_manage, name="folders"),
    path("settings/", settings.mail_settings, name="settings"),
    path("folders/change/", folders.folder_change, name="folder_change"),
    path("m/<int:uid>/", reading.message_view, name="message"),
    path("m/<int:uid>/body/", reading.message_body, name="message_body"),
    path("m/<int:uid>/part/<str:part_id>/", reading.message_part_download, name="message_part"),
    path("m/<int:uid>/source/", reading.message_source_raw, name="message_source"),
    path("m/<int:uid>/print/", reading.message_print, name="message_print"),
    path("inline/", reading.inline_part, name="inline_part"),
    path("remote/", reading.remote_content, name="remote"),
    path("remote/allow/", reading.remote_allow, name="remote_allow"),
    path("contacts/add/", contacts.contact_add, name="contact_add"),
    path("contacts/photo/", contacts.contact_photo, name="contact_photo"),
    path("act/<path:folder>/", actions.messages_action, name="action"),
    path("f/<path:folder>/", listing.folder_view, name="folder"),
]
