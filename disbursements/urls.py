from django.urls import path

from disbursements import views, views_receipts

app_name = "disbursements"

urlpatterns = [
    path("", views.budget, name="budget"),
    path("budget/<int:year>/", views.budget_detail, name="budget_detail"),
    path("budget/<int:year>/sources", views.budget_sources, name="budget_sources"),
    path("budget/<int:year>/adjustments", views.budget_adjust, name="budget_adjust"),
    path("batches/", views.BatchListView.as_view(), name="batches"),
    path("batches/generate/", views.generate, name="generate"),
    path("batches/correct/", views.correct, name="correct"),
    path("batches/special/new/", views.special_create, name="special_create"),
    path("batches/<int:pk>/", views.batch_detail, name="batch_detail"),
    path("batches/<int:pk>/<str:action>/", views.transition, name="transition"),
    path("batches/<int:pk>/lines/add", views.line_add, name="line_add"),
    path("batches/<int:pk>/lines/<int:line_pk>/delete", views.line_delete, name="line_delete"),
    path("batches/<int:pk>/lines/import", views.import_flow.upload, name="lines_import"),
    path(
        "batches/<int:pk>/lines/import/<uuid:token>", views.import_flow.preview, name="lines_import_preview"
    ),
    path("batches/<int:pk>/export.xlsx", views.export.view, name="export"),
    path("batches/<int:pk>/notice/<int:street_pk>.pdf", views.notice, name="notice"),
    path("batches/<int:pk>/notice/<int:street_pk>.xlsx", views.notice_workbook, name="notice_workbook"),
    path("queue/", views.queue, name="queue"),
    path("receipts/", views_receipts.receipts, name="receipts"),
    path("receipts/ledger/<int:street_pk>/<int:year>.xlsx", views_receipts.ledger, name="receipt_ledger"),
    path("receipts/<int:pk>/<int:street_pk>/", views_receipts.receipt, name="receipt"),
    path("receipts/<int:pk>/<int:street_pk>/confirm", views_receipts.receipt_confirm, name="receipt_confirm"),
    path("receipts/<int:pk>/<int:street_pk>/pass-on", views_receipts.receipt_pass_on, name="receipt_pass_on"),
    path("receipts/<int:pk>/<int:street_pk>/correct", views_receipts.receipt_correct, name="receipt_correct"),
    path("receipts/<int:pk>/<int:street_pk>/fix", views_receipts.receipt_fix, name="receipt_fix"),
    path("receipts/<int:pk>/<int:street_pk>/scan", views_receipts.receipt_scan, name="receipt_scan"),
]
