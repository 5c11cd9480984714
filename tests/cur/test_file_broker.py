"""The embedded default's file broker (cur/broker.py): a consumer polling the queue folder while producers
write never takes a message that is still being written (kombu's own transport let it read an empty file
and the worker died on a JSONDecodeError)."""

import threading

import pytest
from kombu import Connection

import cur.broker  # noqa: F401 — registers cur-filesystem://

MESSAGES = 300
BODY = "обращение " * 20_000  # ≈ 200 KB: a write takes long enough for a poll to meet it half-done


def connection(folder, transport: str) -> Connection:
    options = {"data_folder_in": str(folder), "data_folder_out": str(folder), "control_folder": str(folder),
               "polling_interval": 0}  # fmt: skip
    return Connection(f"{transport}://", transport_options=options)


def exchange(folder, transport: str) -> list:
    """Two producer threads send MESSAGES in all while this thread consumes them as they come."""
    received, errors = [], []
    name = f"probe-{folder.name}"  # kombu remembers declared queues per process, not per folder

    def produce(start: int):
        with connection(folder, transport) as conn:
            queue = conn.SimpleQueue(name)
            for n in range(start, MESSAGES, 2):
                queue.put({"n": n, "body": BODY})
            queue.close()

    with connection(folder, transport) as conn:
        queue = conn.SimpleQueue(name)
        producers = [threading.Thread(target=produce, args=(i,)) for i in (0, 1)]
        for thread in producers:
            thread.start()
        while len(received) + len(errors) < MESSAGES:
            try:
                message = queue.get(timeout=30)
            except queue.Empty:
                break
            except ValueError as error:  # a half-written file: JSONDecodeError
                errors.append(error)
                continue
            received.append(message.payload)
            message.ack()
        for thread in producers:
            thread.join()
        queue.close()
    assert not errors, f"{len(errors)} сообщений прочитаны недописанными"
    return received


@pytest.mark.parametrize("run", range(2))
def test_every_message_arrives_whole_while_producers_write(tmp_path, run):
    received = exchange(tmp_path, "cur-filesystem")

    assert sorted(m["n"] for m in received) == list(range(MESSAGES))
    assert all(m["body"] == BODY for m in received)
