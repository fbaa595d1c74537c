"""Routes of reports/visits_views.py (in the `reports` namespace)."""

from django.urls import path

from reports import visits_views

urlpatterns = [
    path("to-chuc/<int:pk>/du-sinh-hoat/", visits_views.visits_view, name="visits"),
    path("to-chuc/<int:pk>/du-sinh-hoat.xlsx", visits_views.visits_xlsx, name="visits_xlsx"),
]
