from django.urls import path

from obligations.views import calendar, details, home, imports, lists

urlpatterns = [
    path("", home.home, name="home"),
    path("obligations/", lists.obligation_list, name="obligation_list"),
    path("obligations/<int:pk>/", details.obligation_detail, name="obligation_detail"),
    path("occurrences/<int:pk>/", details.occurrence_detail, name="occurrence_detail"),
    path("orders/", lists.order_list, name="order_list"),
    path("orders/<int:pk>/", details.order_detail, name="order_detail"),
    path("orders/<int:pk>/timeline/", calendar.timeline, name="timeline"),
    path("calendar/", calendar.month_calendar, name="calendar"),
    path("import/", imports.import_order, name="import_order"),
]
