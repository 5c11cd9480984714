from .models import Notification
from .navigation import menu_for, menu_tree


def navigation(request):
    """The role's menu, each entry marked active when the current page is in its section."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"menu": [], "menu_tree": []}
    return {
        "menu": [(item, request.path.startswith(item.section)) for item in menu_for(user)],
        "menu_tree": menu_tree(user, request.path),
        # The unread counter in the header: one COUNT served by notification_unread_idx.
        "unread_notifications": Notification.objects.filter(user=user, read_at=None).count(),
    }
