from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("core.urls")),
    path("grids/", include("grids.urls")),
    path("assessments/", include("assessments.urls")),
    path("admin/", admin.site.urls),
]
