"""The file broker of the embedded default (no REDIS_URL): kombu's filesystem transport, with each message
written under a name the consumer skips and then renamed into the queue folder.

kombu creates the message file under its final name and writes it afterwards, so a worker polling the folder
can take a file that is still empty and die on it (`Unrecoverable error: JSONDecodeError`, the message lost —
seen with `make run` under load; kombu issue 1551). A rename within one folder is atomic: the consumer sees
the whole message or nothing.
"""

import os
import uuid
from time import monotonic

from kombu.transport import TRANSPORT_ALIASES, filesystem
from kombu.utils.encoding import str_to_bytes
from kombu.utils.json import dumps


class Channel(filesystem.Channel):
    def _put(self, queue, payload, **kwargs):
        name = f"{round(monotonic() * 1000)}_{uuid.uuid4()}.{queue}.msg"
        # The consumer takes only names whose part after the first dot is "<queue>.msg": a leading dot hides it.
        partial = os.path.join(self.data_folder_out, f".{name}.part")
        try:
            with open(partial, "wb") as f:
                f.write(str_to_bytes(dumps(payload)))
            os.replace(partial, os.path.join(self.data_folder_out, name))
        except OSError as exc:
            raise filesystem.ChannelError(f"Cannot add file {name!r} to directory") from exc


class Transport(filesystem.Transport):
    Channel = Channel


TRANSPORT_ALIASES["cur-filesystem"] = "cur.broker:Transport"
