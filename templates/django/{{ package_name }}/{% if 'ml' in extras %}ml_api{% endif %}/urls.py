from django.urls import path

from . import views

urlpatterns = [
    path("predict", views.PredictView.as_view(), name="predict"),
    path("model", views.ModelInfoView.as_view(), name="model-info"),
]
