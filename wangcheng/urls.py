from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path, re_path

from core.api import not_found as api_not_found
from core.views import favicon

# Error pages in Chinese inside the site's frame (404/403/500 use the templates of the same names).
handler400 = "core.views.bad_request"

urlpatterns = [
    path("", include("core.urls")),
    path("grids/", include("grids.urls")),
    path("assessments/", include("assessments.urls")),
    path("funds/", include("disbursements.urls")),
    path("reports/", include("reports.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("wangcheng.api_urls")),
    re_path(r"^api/", login_not_required(api_not_found)),
    # Browsers ask for /favicon.ico whatever the page says.
    path("favicon.ico", favicon),
]
