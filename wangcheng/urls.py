from django.contrib import admin
from django.urls import include, path

from core.views import favicon

urlpatterns = [
    path("", include("core.urls")),
    path("grids/", include("grids.urls")),
    path("assessments/", include("assessments.urls")),
    path("funds/", include("disbursements.urls")),
    path("reports/", include("reports.urls")),
    path("admin/", admin.site.urls),
    # Browsers ask for /favicon.ico whatever the page says.
    path("favicon.ico", favicon),
]
