from django.urls import path

from masthead.http_cache import public_page
from masthead.newsletters import views

app_name = "newsletters"
urlpatterns = [
    path("", public_page(views.index), name="index"),
    path("subscribe/", public_page(views.subscribe), name="subscribe"),
    path("check-your-email/", public_page(views.check_your_email), name="check_your_email"),
    path("confirm/<str:token>/", views.confirm, name="confirm"),
    path("preferences/<str:token>/", views.preferences, name="preferences"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("o/<str:token>/", views.opened, name="opened"),
    path("c/<str:token>/<str:link>/", views.clicked, name="clicked"),
]
