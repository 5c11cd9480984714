from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme

from . import selectors, services
from .forms import ThrottledAuthenticationForm
from .models import Notification


class LoginView(auth_views.LoginView):
    form_class = ThrottledAuthenticationForm
    redirect_authenticated_user = True


@login_required
def home(request):
    return render(request, "cur/home.html")


def health(request):
    """For the load balancer and monitoring: 200 while the database answers."""
    return JsonResponse(selectors.system_health())


NOTIFICATIONS_PAGE_SIZE = 30


def _notification_ids(values) -> list[int]:
    return [int(v) for v in values if str(v).isdigit()][:1000]


@login_required
def notifications(request):
    """The user's notifications, newest first; POST marks them read (all, the checked ones, or
    the one being opened, which then goes to its link)."""
    if request.method == "POST":
        if "all" in request.POST:
            count = services.mark_notifications_read(request.user)
            messages.success(request, f"Отмечено прочитанными: {count}.")
            return redirect("notifications")
        opened = _notification_ids([request.POST.get("open", "")])
        if opened:
            services.mark_notifications_read(request.user, opened)
            url = Notification.objects.filter(user=request.user, pk=opened[0]).values_list("url", flat=True).first()
            safe = url and url_has_allowed_host_and_scheme(url, allowed_hosts=None) and url.startswith("/")
            return redirect(url if safe else "notifications")
        ids = _notification_ids(request.POST.getlist("ids"))
        if ids:
            count = services.mark_notifications_read(request.user, ids)
            messages.success(request, f"Отмечено прочитанными: {count}.")
        else:
            messages.error(request, "Отметьте уведомления, которые прочитаны.")
        return redirect("notifications")
    page = Paginator(Notification.objects.filter(user=request.user), NOTIFICATIONS_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "cur/notifications.html", {"page_obj": page})
