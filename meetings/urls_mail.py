"""Routes of meetings/mail_views.py (in the `meetings` namespace)."""

from django.urls import path

from meetings import mail_views, preference_views

urlpatterns = [
    path("sinh-hoat/<int:pk>/thu/", mail_views.outbox, name="outbox"),
    path("sinh-hoat/<int:pk>/thu/<int:message_pk>/", mail_views.outbox_message, name="outbox_message"),
    path("sinh-hoat/<int:pk>/thu/<int:message_pk>/invite.ics", mail_views.outbox_ics, name="outbox_ics"),
    path("sinh-hoat/<int:pk>/lich.ics", mail_views.meeting_ics_download, name="ics"),
    path("lich/<str:token>/sinh-hoat.ics", preference_views.feed, name="feed"),
    path("sinh-hoat-cua-toi/lich-moi/", preference_views.feed_renew, name="feed_renew"),
    path("sinh-hoat-cua-toi/ngon-ngu/", preference_views.language_set, name="language"),
    path("to-chuc/<int:pk>/thu-da-gui/", mail_views.organization_outbox, name="organization_outbox"),
    path(
        "to-chuc/<int:pk>/thu-da-gui/<int:message_pk>/",
        mail_views.organization_outbox_message,
        name="organization_outbox_message",
    ),
]
