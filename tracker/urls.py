from django.contrib import admin
from django.urls import path
from django.views.generic import RedirectView

urlpatterns = [
    # The staff dashboard is not built yet (issue 4): the admin is the interface for now.
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
    path("admin/", admin.site.urls),
]
