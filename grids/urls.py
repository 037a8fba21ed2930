from django.urls import path

from grids import views

app_name = "grids"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("tree/", views.tree, name="tree"),
    path("list/", views.GridListView.as_view(), name="list"),
    path("staff/", views.StaffListView.as_view(), name="staff_list"),
    path("new/", views.create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/retire/", views.retire, name="retire"),
    path("<int:pk>/reinstate/", views.reinstate, name="reinstate"),
    path("<int:pk>/staff/new/", views.staff_form, name="staff_create"),
    path("<int:pk>/staff/<int:staff_pk>/edit/", views.staff_form, name="staff_edit"),
    path("<int:pk>/staff/<int:staff_pk>/end/", views.end_post, name="staff_end"),
    path("export.xlsx", views.export_roster, name="export"),
    path("export/", views.export_roster_job, name="export_job"),
    path("import/", views.import_flow.upload, name="import"),
    path("import/template.xlsx", views.import_template, name="import_template"),
    path("import/<uuid:token>/", views.import_flow.preview, name="import_preview"),
]
