"""A throwaway certificate authority and a server certificate for 127.0.0.1 and localhost (trustme).

The CA is written to a private temp file so clients can trust it (`SSL_CERT_FILE`, `NODE_EXTRA_CA_CERTS`);
the key material lives only in memory.
"""

from __future__ import annotations

import os
import ssl
import tempfile
from dataclasses import dataclass


@dataclass
class ServerTls:
    context: ssl.SSLContext
    ca_file: str

    def cleanup(self) -> None:
        try:
            os.unlink(self.ca_file)
        except FileNotFoundError:
            pass


def make_server_tls() -> ServerTls:
    import trustme

    ca = trustme.CA(organization_name="rt-tui emulator")
    cert = ca.issue_cert("127.0.0.1", "localhost", "::1")
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(context)
    fd, path = tempfile.mkstemp(prefix="rt-tui-emulator-ca-", suffix=".pem")
    with os.fdopen(fd, "wb") as handle:
        handle.write(ca.cert_pem.bytes())
    return ServerTls(context, path)
