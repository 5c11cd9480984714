
app_name = "sectors"
urlpatterns: list = []
