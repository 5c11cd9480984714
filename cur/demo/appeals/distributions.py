"""How the demo region's appeals are spread: by channel, topic group, season, month, weekday and hour,
their final status by age, and the few appeals that make sure every status shows even in a small demo."""

from appeals.models import Appeal
from cur.roles import Role

S = Appeal.Status

EXTERNAL_PREFIX = "demo-"
MODEL_VERSION = "demo-tfidf-2025.1"
AUTO_ROUTE_CONFIDENCE = 0.8  # above it the classifier's suggestion is routed without an operator
HISTORY_DAYS = 548  # 18 months
REGION_OKTMO, RYAZAN_OKTMO, RYAZAN_DISTRICT_OKTMO = "61000000", "61701000", "61634000"
# Mirrors the sweep's defaults (appeals.workflow.sweep): reminders 3 and 1 days before the due date;
# escalation to level 1 when overdue, to level 2 three days later.
REMINDER_DAYS = (3, 1)
ESCALATION_AFTER_DAYS = {1: 0, 2: 3}
ESCALATION_ROLE = {1: Role.BLOCK_HEAD, 2: Role.BLOCK_RESPONSIBLE}

CHANNEL_WEIGHTS = {
    Appeal.Channel.POS: 38,
    Appeal.Channel.SOCIAL: 17,
    Appeal.Channel.PHONE: 14,
    Appeal.Channel.EMAIL: 8,
    Appeal.Channel.MESSENGER: 8,
    Appeal.Channel.WEB: 7,
    Appeal.Channel.LETTER: 5,
    Appeal.Channel.RECEPTION: 3,
}
# Channels an operator types in (registered_by is set); the others arrive through integrations.
OPERATOR_CHANNELS = {Appeal.Channel.PHONE, Appeal.Channel.EMAIL, Appeal.Channel.LETTER, Appeal.Channel.RECEPTION}
# How often citizens write about each topic group (relative); topics with their own texts weigh more.
GROUP_WEIGHTS = {
    "zhkh": 24,
    "dorogi": 16,
    "blagoustroystvo": 16,
    "musor-svalki-tko": 10,
    "zdravoohranenie-meditsina": 9,
    "obschestvennyy-transport": 5,
    "obrazovanie": 5,
    "sotsialnoe-obsluzhivanie-i-zaschita": 3,
    "elektrosnabzhenie": 2,
    "gaz-i-toplivo": 2,
    "bezopasnost": 2,
    "trud-i-zanyatost": 1,
    "ekologiya": 1,
    "kultura": 1,
    "torgovlya": 0.6,
    "fizicheskaya-kultura-i-sport": 0.6,
    "rospotrebnadzor": 0.6,
    "svyaz-i-televidenie": 0.6,
    "stroitelstvo-i-arhitektura": 0.5,
    "pogrebenie-i-pohoronnoe-delo": 0.4,
    "mfts-moi-dokumenty": 0.4,
    "ekonomika-i-biznes": 0.3,
    "pamyatniki-i-obekty-kulturnogo-naslediya": 0.3,
    "mobilizatsiya": 0.2,
    "gosudarstvennaya-sobstvennost": 0.1,
    "spetsproekty": 0.1,
    "koronavirus": 0.05,
}
WINTER, SUMMER = {11, 12, 1, 2, 3}, {6, 7, 8}
HEATING_SEASON = {10, 11, 12, 1, 2, 3, 4}
# Topic code → months when it is written about (outside them: rare or never).
SEASONS: dict[str, tuple[set[int], float]] = {
    "nenadlezhaschee-kachestvo-ili-otsutstvie-otopleniya": (HEATING_SEASON, 0.05),
    "problemy-s-otopleniem-detskih-sadov-i-shkol": (HEATING_SEASON, 0.0),
    "narushenie-pravil-ochistki-dorog-ot-snega-i-naledi-obraschen": (WINTER, 0.0),
    "narushenie-pravil-uborki-ot-snega-i-naledi-vnutridvorovogo-p": (WINTER, 0.0),
    "narushenie-pravil-uborki-ot-snega-i-naledi-territorii-parka": (WINTER, 0.0),
    "narushenie-pravil-uborki-ot-snega-i-naledi-detskoy-igrovoy-i": (WINTER, 0.0),
    "naled-i-sosulki-na-krovle": ({12, 1, 2, 3}, 0.0),
    "otsutstvie-goryachey-vody": ({5, 6, 7, 8}, 0.4),
    "yamy-i-vyboiny-na-doroge": ({3, 4, 5}, 0.6),
    "borschevik-sosnovskogo": ({6, 7, 8}, 0.0),
    "nenadlezhaschee-soderzhanie-zelenyh-nasazhdeniy-gazonov-dere": ({5, 6, 7, 8, 9}, 0.2),
    "podtoplenie-territorii": ({3, 4, 10}, 0.3),
    "podtoplenie-avtomobilnyh-dorog": ({3, 4}, 0.2),
    "detskie-ozdorovitelnye-lagerya": ({4, 5, 6, 7}, 0.0),
    "ege-oge": ({5, 6}, 0.0),
    "bezopasnost-obrazovatelnogo-protsessa": ({9, 10, 11, 12, 1, 2, 3, 4, 5}, 0.1),
}
# Relative volume of appeals by month (more in the heating season and the spring thaw).
MONTH_VOLUME = {
    1: 1.15,
    2: 1.1,
    3: 1.15,
    4: 1.1,
    5: 0.95,
    6: 0.85,
    7: 0.85,
    8: 0.9,
    9: 0.95,
    10: 1.05,
    11: 1.1,
    12: 1.1,
}
WEEKDAY_VOLUME = (1.0, 1.0, 0.95, 0.95, 0.9, 0.6, 0.55)
# By hour of the day (Moscow), 0–23.
HOUR_WEIGHTS = (1, 1, 0.5, 0.5, 0.5, 1, 2, 4, 7, 9, 10, 10, 9, 9, 9, 9, 9, 8, 8, 8, 7, 6, 4, 2)
# Final status by the appeal's age in days: (upper bound of age, {status: weight}).
STATUS_BY_AGE = (
    (1, {S.NEW: 60, S.ASSIGNED: 30, S.REJECTED: 10}),
    (3, {S.NEW: 25, S.ASSIGNED: 35, S.IN_PROGRESS: 25, S.INFO_REQUESTED: 5, S.ANSWERED: 5, S.REJECTED: 5}),
    (
        10,
        {
            S.NEW: 5,
            S.ASSIGNED: 12,
            S.IN_PROGRESS: 38,
            S.INFO_REQUESTED: 8,
            S.ANSWERED: 17,
            S.RETURNED: 4,
            S.CLOSED: 10,
            S.REJECTED: 6,
        },
    ),
    (
        30,
        {
            S.NEW: 2,
            S.ASSIGNED: 4,
            S.IN_PROGRESS: 25,
            S.INFO_REQUESTED: 6,
            S.ANSWERED: 13,
            S.RETURNED: 5,
            S.CLOSED: 37,
            S.REJECTED: 5,
            S.REOPENED: 3,
        },
    ),
    (
        90,
        {
            S.ASSIGNED: 2,
            S.IN_PROGRESS: 6,
            S.INFO_REQUESTED: 1,
            S.ANSWERED: 4,
            S.RETURNED: 1,
            S.REOPENED: 4,
            S.CLOSED: 76,
            S.REJECTED: 6,
        },
    ),
    (HISTORY_DAYS + 1, {S.IN_PROGRESS: 1, S.REOPENED: 2, S.ANSWERED: 1, S.CLOSED: 89, S.REJECTED: 7}),
)
# One appeal per status (at a fitting age in days) so that even a small demo shows every state,
# plus an overdue one and one answered late.
COVERAGE = (
    (S.NEW, 0.4),
    (S.ASSIGNED, 2),
    (S.IN_PROGRESS, 8),
    (S.INFO_REQUESTED, 12),
    (S.ANSWERED, 15),
    (S.RETURNED, 18),
    (S.REOPENED, 40),
    (S.CLOSED, 60),
    (S.REJECTED, 20),
    (S.IN_PROGRESS, 50),
    (S.CLOSED, 120),
)
OVERDUE_COVERAGE, LATE_COVERAGE = 9, 10  # indexes in COVERAGE
