from django.urls import path

from .views import books, directory, edit, groups, people, transfer

app_name = "contacts"
card = "books/<int:book_id>/c/<str:name>/"
urlpatterns = [
    path("", people.home, name="home"),
    path("books/new/", books.book_new, name="book_new"),
    path("books/<int:book_id>/", people.book, name="book"),
    path("books/<int:book_id>/settings/", books.book_settings, name="book_settings"),
    path("books/<int:book_id>/delete/", books.book_delete, name="book_delete"),
    path("books/<int:book_id>/export/", transfer.book_export, name="book_export"),
    path("new/", edit.contact_new, name="contact_new"),
    path(card, people.contact, name="contact"),
    path(card + "edit/", edit.contact_edit, name="contact_edit"),
    path(card + "delete/", edit.contact_delete, name="contact_delete"),
    path(card + "photo/", people.contact_photo, name="contact_photo"),
    path(card + "merge/", edit.contact_merge, name="contact_merge"),
    path(card + "groups/", groups.contact_groups, name="contact_groups"),
    path(card + "members/", groups.group_members, name="group_members"),
    path(card + "rename/", groups.group_rename, name="group_rename"),
    path("groups/new/", groups.group_new, name="group_new"),
    path("selection/", transfer.selection, name="selection"),
    path("directory/", directory.gal, name="gal"),
    path("directory/<str:name>/", directory.gal_entry, name="gal_entry"),
    path("directory/<str:name>/add/", directory.gal_add, name="gal_add"),
    path("import/", transfer.import_view, name="import"),
    path("imports/<int:job_id>/", transfer.import_job, name="import_job"),
    path("export/", transfer.export_view, name="export"),
]
