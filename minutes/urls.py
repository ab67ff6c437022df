from django.urls import path

from minutes import views

app_name = "minutes"

urlpatterns = [
    path("boards/<slug:slug>/", views.BoardDetailView.as_view(), name="board-detail"),
    path("boards/<slug:slug>/actions/", views.BoardActionsView.as_view(), name="board-actions"),
    path(
        "boards/<slug:slug>/meetings.ics", views.CalendarFeedView.as_view(), name="board-calendar"
    ),
    path("meetings.ics", views.CalendarFeedView.as_view(), name="calendar"),
    path("meetings/<int:pk>/", views.MeetingDetailView.as_view(), name="meeting-detail"),
    path(
        "meetings/<int:pk>/v<int:version>/<str:kind>.<str:language>.pdf",
        views.PublishedDocumentView.as_view(),
        name="published-document-language",
    ),
    path(
        "meetings/<int:pk>/v<int:version>/<str:kind>.pdf",
        views.PublishedDocumentView.as_view(),
        name="published-document",
    ),
    path(
        "meetings/<int:pk>/preview/<str:kind>-<str:variant>.pdf",
        views.PreviewDocumentView.as_view(),
        name="preview-document",
    ),
]
