from django.urls import path

from masthead.comments import views
from masthead.http_cache import public_page

app_name = "comments"
urlpatterns = [
    path("<int:article_id>/", public_page(views.discussion), name="discussion"),
    path("<int:article_id>/post/", views.post, name="post"),
    path("c/<int:comment_id>/edit/", views.edit, name="edit"),
    path("c/<int:comment_id>/delete/", views.delete, name="delete"),
    path("c/<int:comment_id>/like/", views.like, name="like"),
    path("c/<int:comment_id>/report/", views.report, name="report"),
]
