from django.urls import path

from minutes.editor import views

app_name = "editor"

urlpatterns = [
    path("meetings/<int:pk>/edit/", views.MeetingEditorView.as_view(), name="meeting-edit"),
    path(
        "meetings/<int:pk>/edit/details/",
        views.MeetingSectionView.as_view(),
        {"section": "details"},
        name="details",
    ),
    path(
        "meetings/<int:pk>/edit/next/",
        views.MeetingSectionView.as_view(),
        {"section": "next"},
        name="next",
    ),
    path("meetings/<int:pk>/edit/named/", views.NamedView.as_view(), name="named"),
    path("meetings/<int:pk>/edit/board/", views.BoardView.as_view(), name="board"),
    path(
        "meetings/<int:pk>/edit/attendance/save/",
        views.AttendanceView.as_view(),
        name="attendance",
    ),
    path("meetings/<int:pk>/edit/review/save/", views.ReviewView.as_view(), name="review"),
    path(
        "meetings/<int:pk>/edit/review/<int:action_pk>/",
        views.ReviewRowView.as_view(),
        name="review-row",
    ),
    path(
        "meetings/<int:pk>/edit/items/<int:item_pk>/",
        views.ItemSaveView.as_view(),
        name="item-save",
    ),
    path(
        "meetings/<int:pk>/edit/items/<int:item_pk>/actions/",
        views.RaiseActionView.as_view(),
        name="action-raise",
    ),
    path(
        "meetings/<int:pk>/edit/actions/<int:action_pk>/",
        views.ActionEditView.as_view(),
        name="action-edit",
    ),
    path(
        "meetings/<int:pk>/edit/agenda/<str:op>/",
        views.AgendaChangeView.as_view(),
        name="agenda",
    ),
    path(
        "meetings/<int:pk>/edit/agenda/<str:op>/<int:item_pk>/",
        views.AgendaChangeView.as_view(),
        name="agenda-item",
    ),
    path("reauth/", views.ReauthView.as_view(), name="reauth"),
]
