"""Accounts for the load test: `python -m bench.load.prepare OUT.json [--operators 200]`.

Creates (or resets the password of) operators bench-load-001…, gives the integration source «Нагрузочный
тест» a fresh key, makes sure a working classifier is active (the one seed_demo trains), and writes what the
locustfile needs to OUT.json: the password, the key, territory ids for the filters.
"""

import argparse
import json
import secrets
from pathlib import Path

from bench import require_postgresql, setup

SOURCE_NAME = "Нагрузочный тест"


def _active_model_works() -> bool:
    """Whether the active classifier still predicts with this code (a model pickled by an older
    release may load and then fail in predict(): every classification task would fail)."""
    from appeals.classification import registry

    try:
        registry.load_model(registry.active_version()).predict(["Во дворе не вывозят мусор."])
    except Exception:
        return False
    return True


def prepare(operators: int) -> dict:
    from django.contrib.auth.hashers import make_password

    from appeals.classification import seed_examples, train_version
    from appeals.intake.integration import hash_key
    from appeals.models import Appeal, IntegrationSource
    from cur.management.commands.seed_demo import seed_classifier
    from cur.models import User
    from cur.roles import Role
    from sectors.models import Territory

    password = secrets.token_urlsafe(12)
    encoded = make_password(password)  # one hash for all: the logins still pay the full hasher each
    names = [f"bench-load-{i:03d}" for i in range(1, operators + 1)]
    User.objects.bulk_create(
        [User(username=name, role=Role.OPERATOR, last_name="Нагрузка", first_name=name) for name in names],
        ignore_conflicts=True,
    )
    User.objects.filter(username__in=names).update(password=encoded, is_active=True)
    key = secrets.token_urlsafe(32)
    IntegrationSource.objects.update_or_create(
        name=SOURCE_NAME, defaults={"channel": Appeal.Channel.POS, "key_hash": hash_key(key), "is_active": True}
    )
    if seed_classifier() is None and not _active_model_works():
        train_version(seed_examples(), source="seed", activate=True)
    territories = list(Territory.objects.exclude(kind=Territory.Kind.REGION).values_list("pk", flat=True))
    last_id = Appeal.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    return {"usernames": names, "password": password, "key": key, "territories": territories, "last_id": last_id}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.load.prepare", description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--operators", type=int, default=200)
    args = parser.parse_args(argv)
    setup()
    require_postgresql()
    args.out.write_text(json.dumps(prepare(args.operators)))
    print(f"Операторов: {args.operators}; источник «{SOURCE_NAME}» с новым ключом; {args.out}")


if __name__ == "__main__":
    main()
