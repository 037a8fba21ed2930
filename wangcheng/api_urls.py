"""/api/v1/: the data-exchange API (core.api). Its routes answer tokens, not the site's login, so they are
exempt from the login middleware (DRF's views are already); the schema and its documentation page are
public: they describe the interface, and every route asks for a client's token."""

from django.contrib.auth.decorators import login_not_required
from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from assessments import api as assessments_api
from core.api_views import TokenRotate
from disbursements import api as disbursements_api
from grids import api as grids_api
from reports import api as reports_api

app_name = "api"

urlpatterns = [
    path("schema/", login_not_required(SpectacularAPIView.as_view()), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    path("token/rotate/", login_not_required(TokenRotate.as_view()), name="token_rotate"),
    path(
        "hotline/tickets/",
        login_not_required(assessments_api.HotlineTicketPush.as_view()),
        name="hotline_tickets",
    ),
    path("periods/", login_not_required(assessments_api.PeriodList.as_view()), name="periods"),
    path(
        "periods/<int:pk>/zero-complaint/",
        login_not_required(assessments_api.ZeroComplaintResults.as_view()),
        name="zero_complaint",
    ),
    path(
        "whistle/tickets/",
        login_not_required(assessments_api.WhistleTicketPush.as_view()),
        name="whistle_tickets",
    ),
    path(
        "periods/<int:pk>/ratings/",
        login_not_required(assessments_api.GridRatings.as_view()),
        name="ratings",
    ),
    path("disbursements/batches/", login_not_required(disbursements_api.BatchList.as_view()), name="batches"),
    path(
        "disbursements/batches/<int:pk>/streets/",
        login_not_required(disbursements_api.BatchStreets.as_view()),
        name="batch_streets",
    ),
    path(
        "disbursements/batches/<int:pk>/communities/",
        login_not_required(disbursements_api.BatchCommunities.as_view()),
        name="batch_communities",
    ),
    path(
        "evaluations/<int:year>/",
        login_not_required(reports_api.EvaluationFigures.as_view()),
        name="evaluation",
    ),
    path("grids/", login_not_required(grids_api.GridList.as_view()), name="grids"),
]
