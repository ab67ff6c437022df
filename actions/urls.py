from django.urls import path

from actions import views

app_name = "actions"

urlpatterns = [
    path("", views.ActionListView.as_view(), name="action-list"),
    path("export.csv", views.ActionExportView.as_view(), {"fmt": "csv"}, name="action-export-csv"),
    path(
        "export.xlsx", views.ActionExportView.as_view(), {"fmt": "xlsx"}, name="action-export-xlsx"
    ),
    path(
        "exports/<int:pk>/",
        views.ActionExportDownloadView.as_view(),
        name="action-export-download",
    ),
    path("mine/", views.MyActionsView.as_view(), name="action-mine"),
    path("<int:pk>/", views.ActionDetailView.as_view(), name="action-detail"),
    path(
        "<int:pk>/updates/new/",
        views.ActionProgressCreateView.as_view(),
        name="action-update-create",
    ),
    path("<int:pk>/close/", views.ActionCloseView.as_view(), name="action-close"),
    path("<int:pk>/reopen/", views.ActionReopenView.as_view(), name="action-reopen"),
    path("<int:pk>/withdraw/", views.ActionWithdrawView.as_view(), name="action-withdraw"),
    path("<int:pk>/owners/", views.ActionReassignView.as_view(), name="action-reassign"),
    path("<int:pk>/due/", views.ActionDueDateView.as_view(), name="action-due"),
    path("<int:pk>/links/", views.ActionLinkView.as_view(), name="action-link"),
    path(
        "meetings/<int:pk>/",
        views.MeetingActionReviewView.as_view(),
        name="meeting-action-review",
    ),
]
