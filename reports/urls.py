from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("bulletins/", views.bulletin_latest, name="bulletin_latest"),
    path("bulletins/<int:year>/<int:month>/", views.bulletin, name="bulletin"),
    path("bulletins/<int:year>/<int:month>.xlsx", views.bulletin_xlsx, name="bulletin_xlsx"),
    path("bulletins/<int:year>/<int:month>.pdf", views.bulletin_pdf, name="bulletin_pdf"),
    path("self-evaluation/", views.evaluation_list, name="evaluations"),
    path("self-evaluation/<int:year>/", views.self_evaluation, name="self_evaluation"),
    path("self-evaluation/new-year/", views.open_year, name="open_year"),
    path("self-evaluation/<int:year>/create/", views.create_evaluation, name="create_evaluation"),
    path("self-evaluation/<int:year>/finalise/", views.finalise_evaluation, name="finalise_evaluation"),
    path("self-evaluation/<int:year>/reopen/", views.reopen_evaluation, name="reopen_evaluation"),
    path("self-evaluation/<int:year>/edit/", views.edit_evaluation, name="edit_evaluation"),
    path("self-evaluation/<int:year>/indicators/<int:pk>/", views.edit_indicator, name="edit_indicator"),
    path("self-evaluation/<int:year>.pdf", views.self_evaluation_pdf, name="self_evaluation_pdf"),
    path("self-evaluation/<int:year>/pdf/", views.self_evaluation_pdf_job, name="self_evaluation_pdf_job"),
    path("self-evaluation/<int:year>.xlsx", views.self_evaluation_xlsx, name="self_evaluation_xlsx"),
]
