from django.urls import path

from assessments.views import hotline, periods, ratings, unmatched, whistle

app_name = "assessments"

urlpatterns = [
    path("", periods.period_list, name="periods"),
    path("periods/<int:pk>/", periods.period_detail, name="period_detail"),
    path("periods/<int:pk>/lock/", periods.lock, name="period_lock"),
    path("periods/<int:pk>/unlock/", periods.unlock, name="period_unlock"),
    path("periods/<int:pk>/zero-complaint/", hotline.zero_complaint, name="zero_complaint"),
    path(
        "periods/<int:pk>/zero-complaint.xlsx",
        hotline.zero_complaint_export.view,
        name="zero_complaint_export",
    ),
    path("periods/<int:pk>/ratings/", ratings.overview, name="ratings"),
    path("periods/<int:pk>/ratings/<int:community_pk>/", ratings.entry, name="rating_entry"),
    path("periods/<int:pk>/ratings/<int:community_pk>/fill/", ratings.fill, name="rating_fill"),
    path("periods/<int:pk>/ratings/<int:community_pk>/quota/", ratings.quota, name="rating_quota"),
    path("periods/<int:pk>/ratings.xlsx", ratings.export.view, name="ratings_export"),
    path("periods/<int:pk>/ratings/grid/<int:grid_pk>/", ratings.rating_history, name="rating_history"),
    path("periods/<int:pk>/ratings/import/", ratings.import_flow.upload, name="ratings_import"),
    path(
        "periods/<int:pk>/ratings/import/<uuid:token>/",
        ratings.import_flow.preview,
        name="ratings_import_preview",
    ),
    path("settings/<int:year>/", periods.year_settings, name="year_settings"),
    path("settings/<int:year>/quotas/<int:level>/", periods.street_quotas, name="street_quotas"),
    path("complaints/", hotline.ComplaintListView.as_view(), name="complaints"),
    path("complaints/new/", hotline.complaint_create, name="complaint_create"),
    path("complaints/unmatched/", unmatched.unmatched_list, name="unmatched_complaints"),
    path("complaints/unmatched/assign/", unmatched.unmatched_assign, name="unmatched_assign"),
    path("complaints/unmatched/invalidate/", unmatched.unmatched_invalidate, name="unmatched_invalidate"),
    path("complaints/<int:pk>/", hotline.complaint_detail, name="complaint_detail"),
    path("complaints/<int:pk>/assign/", hotline.complaint_assign, name="complaint_assign"),
    path("complaints/<int:pk>/invalidate/", hotline.complaint_invalidate, name="complaint_invalidate"),
    path("complaints/<int:pk>/restore/", hotline.complaint_restore, name="complaint_restore"),
    path("complaints/import/", hotline.import_flow.upload, name="complaints_import"),
    path("complaints/import/<uuid:token>/", hotline.import_flow.preview, name="complaints_import_preview"),
    path("tickets/", whistle.TicketListView.as_view(), name="tickets"),
    path("tickets/new/", whistle.ticket_create, name="ticket_create"),
    path("tickets/statistics/", whistle.ticket_statistics, name="ticket_statistics"),
    path("tickets/export.xlsx", whistle.ticket_export.view, name="tickets_export"),
    path("tickets/import/", whistle.import_flow.upload, name="tickets_import"),
    path("tickets/import/<uuid:token>/", whistle.import_flow.preview, name="tickets_import_preview"),
    path("tickets/<int:pk>/", whistle.ticket_detail, name="ticket_detail"),
    path("tickets/<int:pk>/advance/", whistle.ticket_advance, name="ticket_advance"),
]
