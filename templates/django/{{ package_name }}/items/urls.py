from rest_framework.routers import SimpleRouter

from .views import ItemViewSet

# /api/v1/items and /api/v1/items/{id}, without trailing slashes like the rest of the API.
router = SimpleRouter(trailing_slash=False)
router.register("items", ItemViewSet, basename="item")

urlpatterns = router.urls
