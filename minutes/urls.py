from django.conf.urls.i18n import i18n_patterns
from django.urls import path

from minutes import api, feeds, views

app_name = "minutes"

# Pages a visitor reads are in a language: /en/boards/..., /cy/boards/... (an old address
# without the prefix redirects to the visitor's language; scrutiny/urls.py). What a program
# fetches keeps one address in every language, with no prefix and no redirect: the API, the
# feeds, the PDFs and papers, a body's logo and style (docs/welsh.md).
pages = [
    path("boards/<slug:slug>/", views.BoardDetailView.as_view(), name="board-detail"),
    path("boards/<slug:slug>/actions/", views.BoardActionsView.as_view(), name="board-actions"),
    path("search/", views.SearchView.as_view(), name="search"),
    path("meetings/<int:pk>/", views.MeetingDetailView.as_view(), name="meeting-detail"),
    # A body's own pages last: its web address is any slug the paths above do not take.
    path("<slug:body>/", views.BodyHomeView.as_view(), name="body-home"),
    path(
        "<slug:body>/accessibility/", views.AccessibilityView.as_view(), name="body-accessibility"
    ),
]

unprefixed = [
    path(
        "boards/<slug:slug>/meetings.ics", views.CalendarFeedView.as_view(), name="board-calendar"
    ),
    path(
        "boards/<slug:slug>/meetings.<str:language>.ics",
        views.CalendarFeedView.as_view(),
        name="board-calendar-language",
    ),
    path("api/v1/", api.IndexView.as_view(), name="api-index"),
    path("api/v1/boards/", api.BoardListView.as_view(), name="api-board-list"),
    path("api/v1/boards/<slug:slug>/", api.BoardDetailView.as_view(), name="api-board-detail"),
    path(
        "api/v1/boards/<slug:slug>/meetings/",
        api.MeetingListView.as_view(),
        name="api-board-meetings",
    ),
    path(
        "api/v1/boards/<slug:slug>/actions/",
        api.BoardActionsView.as_view(),
        name="api-board-actions",
    ),
    path(
        "api/v1/boards/<slug:slug>/forthcoming/",
        api.ForthcomingListView.as_view(),
        name="api-board-forthcoming",
    ),
    path("api/v1/meetings/", api.MeetingListView.as_view(), name="api-meeting-list"),
    path("api/v1/forthcoming/", api.ForthcomingListView.as_view(), name="api-forthcoming-list"),
    path("api/v1/meetings/<int:pk>/", api.MeetingDetailView.as_view(), name="api-meeting-detail"),
    path("meetings.ics", views.CalendarFeedView.as_view(), name="calendar"),
    path(
        "meetings.<str:language>.ics",
        views.CalendarFeedView.as_view(),
        name="calendar-language",
    ),
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
    path("meetings/<int:pk>/papers/<int:file>.pdf", views.PaperView.as_view(), name="paper"),
    path(
        "meetings/<int:pk>/agenda-pack-v<int:version>.<str:language>.pdf",
        views.AgendaPackView.as_view(),
        name="agenda-pack-language",
    ),
    path(
        "meetings/<int:pk>/agenda-pack-v<int:version>.pdf",
        views.AgendaPackView.as_view(),
        name="agenda-pack",
    ),
    path("boards/<slug:slug>/feed.atom", feeds.BoardFeed(), name="board-feed"),
    path(
        "boards/<slug:slug>/feed.<str:language>.atom",
        feeds.BoardFeed(),
        name="board-feed-language",
    ),
    path(
        "meetings/<int:pk>/preview/<uuid:token>/",
        views.PreviewStatusView.as_view(),
        name="preview-status",
    ),
    path(
        "meetings/<int:pk>/preview/<uuid:token>.pdf",
        views.PreviewPdfView.as_view(),
        name="preview-pdf",
    ),
    path(
        "meetings/<int:pk>/preview/<str:kind>-<str:variant>/",
        views.PreviewDocumentView.as_view(),
        name="preview-document",
    ),
    path("<slug:body>/feed.atom", feeds.BodyFeed(), name="body-feed"),
    path("<slug:body>/feed.<str:language>.atom", feeds.BodyFeed(), name="body-feed-language"),
    path("<slug:body>/meetings.ics", views.CalendarFeedView.as_view(), name="body-calendar"),
    path(
        "<slug:body>/meetings.<str:language>.ics",
        views.CalendarFeedView.as_view(),
        name="body-calendar-language",
    ),
    path("<slug:body>/logo", views.BodyLogoView.as_view(), name="body-logo"),
    path("<slug:body>/identity.css", views.BodyStyleView.as_view(), name="body-style"),
]

# i18n_patterns inside an included URLconf: the root URLconf uses it too (for the home page),
# which is what tells LocaleMiddleware to read the language from the prefix and to redirect.
urlpatterns = unprefixed + i18n_patterns(*pages, prefix_default_language=True)
