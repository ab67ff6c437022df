from django.urls import path

from meetings import views

app_name = "meetings"

urlpatterns = [
    path("boards/<slug:slug>/", views.BoardDetailView.as_view(), name="board-detail"),
    path("meetings/<int:pk>/", views.MeetingDetailView.as_view(), name="meeting-detail"),
]
