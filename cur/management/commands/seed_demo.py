from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from appeals.models import ClassifierVersion
from cur.demo.appeals import seed_appeals_demo
from cur.demo.heatmap import seed_heatmap_demo
from cur.demo.moderation import seed_informing_demo
from cur.demo.portal import seed_portal_demo
from cur.demo.ratings import seed_ratings_demo
from cur.demo.sectors import seed_sectors_demo
from cur.demo.users import demo_credentials, demo_seeded_at, mark_demo_seeded, seed_demo_users
from cur.models import User
from sectors.models import Organisation, ResponsiblePerson, Territory


def seed_classifier():
    """A fresh install classifies too: train the first model on the shipped seed corpus."""
    from appeals.classification import seed_examples, train_version  # scikit-learn: only when seeding

    if ClassifierVersion.objects.filter(is_active=True).exists():
        return None
    return train_version(seed_examples(), source="seed", activate=True)


class Command(BaseCommand):
    help = (
        "Заполняет базу демонстрационной Рязанской областью: территории, органы и организации, "
        "ответственные лица, по одному пользователю на роль. Повторный запуск ничего не дублирует."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="запустить и при DEBUG=0 (тестовый стенд): команда создаёт пользователей с известными паролями",
        )
        parser.add_argument("--appeals", type=int, default=3000, help="сколько демо-обращений создать (3000)")
        parser.add_argument(
            "--once",
            action="store_true",
            help="ничего не делать, если демо-данные уже загружены в эту базу (так запускает make run)",
        )

    def handle(self, *args, force=False, once=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_demo создаёт пользователей с известными паролями и в рабочей установке не запускается. "
                "Для разработки задайте DEBUG=1; на тестовом стенде добавьте --force."
            )
        seeded_at = demo_seeded_at() if once else None
        if seeded_at is not None:
            moment = timezone.localtime(seeded_at).strftime("%d.%m.%Y %H:%M")
            self.stdout.write(
                f"Демо-данные уже загружены в эту базу {moment}; повторная загрузка — manage.py seed_demo."
            )
            self.write_credentials(demo_credentials())
            return
        with transaction.atomic():
            counts = seed_sectors_demo(stdout=self.stdout)
            credentials = seed_demo_users()
            appeal_counts = seed_appeals_demo(count=options["appeals"], stdout=self.stdout)
            classifier = seed_classifier()
            seed_ratings_demo(stdout=self.stdout)
            seed_heatmap_demo(stdout=self.stdout)
            seed_informing_demo(stdout=self.stdout)
            seed_portal_demo(stdout=self.stdout)
            mark_demo_seeded({"appeals": appeal_counts["appeals"], "incidents": appeal_counts["incidents"]})

        self.stdout.write(self.style.SUCCESS("Демо-данные Рязанской области готовы."))
        rows = [
            ("Территории", Territory.objects.count(), counts["territories_created"], counts["territories_updated"]),
            (
                "Органы и организации",
                Organisation.objects.count(),
                counts["organisations_created"],
                counts["organisations_updated"],
            ),
        ]
        for label, total, created, updated in rows:
            self.stdout.write(f"  {label}: {total} (создано {created}, обновлено {updated})")
        persons = ResponsiblePerson.objects
        self.stdout.write(
            f"  Ответственные лица: {persons.count()}, из них действующих {persons.filter(until__isnull=True).count()}"
            f" (назначено сейчас {counts['appointments_created']})"
        )
        self.stdout.write(f"  Обращения: создано {appeal_counts['appeals']}, инцидентов {appeal_counts['incidents']}")
        if classifier is not None:
            f1 = classifier.metrics.get("sector_macro_f1")
            self.stdout.write(
                f"  Классификатор: обучена версия {classifier.version} на корпусе-затравке (macro-F1 {f1})"
            )
        self.stdout.write(f"  Пользователи: {User.objects.count()}, из них демо-пользователей {len(credentials)}")
        self.write_credentials(credentials)

    def write_credentials(self, credentials: list[tuple[str, str, str]]) -> None:
        self.stdout.write("")
        self.stdout.write("Демо-пользователи (пароли печатаются для разработки):")
        width = max(len(username) for username, _, _ in credentials)
        pwidth = max(len(password) for _, password, _ in credentials)
        self.stdout.write(f"  {'логин':<{width}}  {'пароль':<{pwidth}}  роль")
        for username, password, label in credentials:
            self.stdout.write(f"  {username:<{width}}  {password:<{pwidth}}  {label}")
        self.stdout.write("Пароль задаётся только при создании пользователя; повторный запуск его не меняет.")
