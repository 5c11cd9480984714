from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import render

from . import selectors
from .forms import ThrottledAuthenticationForm


class LoginView(auth_views.LoginView):
    form_class = ThrottledAuthenticationForm
    redirect_authenticated_user = True


@login_required
def home(request):
    return render(request, "cur/home.html")


def health(request):
    """For the load balancer and monitoring: 200 while the database answers."""
    return JsonResponse(selectors.system_health())
