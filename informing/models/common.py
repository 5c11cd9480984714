"""Choices shared by the models of ИНФОЦУР (and by the moderation center, which imports them)."""

from django.db import models


class Network(models.TextChoices):
    """Where a post, an article or a page lives."""

    VK = "vk", "ВКонтакте"
    OK = "ok", "Одноклассники"
    TELEGRAM = "telegram", "Telegram"
    MAX = "max", "MAX"
    DZEN = "dzen", "Дзен"
    RUTUBE = "rutube", "RUTUBE"
    MEDIA = "media", "СМИ"
    WEBSITE = "website", "Сайт"
    OTHER = "other", "Другое"


# Networks that are messengers: a message from them becomes an appeal of the messenger channel.
MESSENGER_NETWORKS = frozenset({Network.TELEGRAM, Network.MAX})


class Priority(models.TextChoices):
    LOW = "low", "Низкий"
    MEDIUM = "medium", "Средний"
    HIGH = "high", "Высокий"
    CRITICAL = "critical", "Критический"


class Channel(models.TextChoices):
    """The channel of an information activity or of a recommendation."""

    OFFICIAL_PAGE = "official_page", "Официальная страница (госпаблик)"
    SOCIAL = "social", "Социальная сеть"
    MESSENGER = "messenger", "Мессенджер"
    MEDIA = "media", "СМИ"
    MAILING = "mailing", "Рассылка"


class Format(models.TextChoices):
    POST = "post", "Пост"
    ARTICLE = "article", "Статья"
    VIDEO = "video", "Видео"
    INFOGRAPHIC = "infographic", "Инфографика"
    CARDS = "cards", "Карточки"
    LIVE = "live", "Прямой эфир"
    INTERVIEW = "interview", "Интервью, комментарий"
    PRESS_RELEASE = "press_release", "Пресс-релиз"
    MEMO = "memo", "Памятка"
    MESSAGE = "message", "Сообщение рассылки"
    OTHER = "other", "Другое"


class AudienceGroup(models.TextChoices):
    """Target audience groups of an activity or an adapted material (besides territories)."""

    ALL = "all", "Все жители"
    YOUTH = "youth", "Молодёжь"
    STUDENTS = "students", "Школьники и студенты"
    PARENTS = "parents", "Родители"
    WORKING_AGE = "working_age", "Трудоспособное население"
    PENSIONERS = "pensioners", "Пенсионеры"
    RURAL = "rural", "Сельские жители"
    ENTREPRENEURS = "entrepreneurs", "Предприниматели"
    SVO = "svo", "Участники СВО и их семьи"
    DISABLED = "disabled", "Люди с инвалидностью"
    MEDICS = "medics", "Медицинские работники"
    TEACHERS = "teachers", "Педагоги"


def audience_labels(codes) -> list[str]:
    """Russian labels of stored audience group codes (unknown codes are shown as they are)."""
    labels = dict(AudienceGroup.choices)
    return [labels.get(code, code) for code in codes or ()]
