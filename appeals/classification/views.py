"""The classifier page for administrators: trained versions with their metrics, the active one
marked, activation and rollback (appeals.classification.activate_version), and «Переобучить»,
which queues the retraining task (appeals.classification.pipeline.retrain: activates only if not worse)."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.views import View
from django.views.generic import TemplateView

from cur.errors import DomainError
from cur.permissions import HasCapability
from cur.queue import send

from ..models import Appeal, ClassifierVersion
from . import pipeline

SHOWN_VERSIONS = 50
BACKLOG_CAP = 10_000  # «10 000+»: no exact COUNT(*) over a long backlog on every page view


class ClassifierMixin(HasCapability):
    capability = "classifier.manage"


class ClassifierView(ClassifierMixin, TemplateView):
    template_name = "appeals/classifier.html"

    def get_context_data(self, **kwargs):
        versions = list(
            ClassifierVersion.objects.defer("payload")
            .select_related("created_by")
            .order_by("-created_at", "-id")[:SHOWN_VERSIONS]
        )
        active = next((v for v in versions if v.is_active), None)
        if active is None:
            active = ClassifierVersion.objects.defer("payload").filter(is_active=True).first()
        rows = []
        for version in versions:
            metrics = version.metrics or {}
            rows.append(
                {
                    "version": version,
                    "sector_f1": metrics.get("sector_macro_f1"),
                    "topic_f1": metrics.get("topic_macro_f1"),
                    "accuracy": metrics.get("sector_accuracy"),
                    "comparison": metrics.get("comparison") or {},
                    # Activating an older version than the active one is a rollback.
                    "is_rollback": active is not None and version.created_at < active.created_at,
                }
            )
        # appeal_unclassified_idx (registered_at) WHERE classified_at IS NULL
        backlog = Appeal.objects.filter(classified_at=None).values("pk")[: BACKLOG_CAP + 1].count()
        return super().get_context_data(
            rows=rows,
            active=active,
            threshold=pipeline.auto_route_threshold(),
            backlog=min(backlog, BACKLOG_CAP),
            backlog_capped=backlog > BACKLOG_CAP,
            **kwargs,
        )


class ActivateView(ClassifierMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk: int):
        from . import activate_version

        version = get_object_or_404(ClassifierVersion.objects.defer("payload"), pk=pk)
        if version.is_active:
            messages.info(request, f"Версия {version.version} уже активна.")
            return redirect("appeals:classifier")
        try:
            activate_version(version, by=request.user)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"Активирована версия {version.version}: новые обращения классифицирует она.")
        return redirect("appeals:classifier")


class RetrainView(ClassifierMixin, View):
    http_method_names = ["post"]

    def post(self, request):
        if send("appeals.tasks.retrain_classifier", request.user.pk):
            messages.success(
                request,
                "Переобучение поставлено в очередь. Новая версия появится в списке через несколько минут; "
                "она будет активирована, только если не хуже действующей.",
            )
        else:
            messages.error(request, "Очередь задач недоступна: попробуйте позже.")
        return redirect("appeals:classifier")
