#!/usr/bin/python3
"""Test SMTP servers for tests/cli/probe.sh, loopback only.

usage: smtpd.py PORT LOGFILE CERTDIR ADDR=KIND...
KIND: tls-ca (certificate from the test CA), tls-self (self-signed),
tls-expired (from the test CA, expired), notls (no STARTTLS), multi
(multi-line greeting), close (closes at once), silent (never answers),
busy (421 greeting), garbage (not SMTP).  A tls-KIND server uses
CERTDIR/tls-KIND.pem and .key.
Every connection is logged as "ADDR KIND connect" in LOGFILE, and
EHLO, MAIL, RCPT (every command on the raw servers) as "ADDR KIND COMMAND",
and a TLS server name the client sent (SNI) as "ADDR KIND SNI NAME".  Runs
until killed.
"""
import asyncio
import ssl
import sys

from aiosmtpd.smtp import SMTP


def log(path, addr, kind, what="connect"):
    with open(path, "a") as f:
        f.write(f"{addr} {kind} {what}\n")


class Handler:
    def __init__(self, logpath, addr, kind):
        self.where = (logpath, addr, kind)

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        log(*self.where, f"EHLO {hostname}")
        session.host_name = hostname
        return responses

    async def handle_MAIL(self, server, session, envelope, address, options):
        log(*self.where, "MAIL")
        return "550 no mail here"

    async def handle_RCPT(self, server, session, envelope, address, options):
        log(*self.where, "RCPT")
        return "550 no mail here"


def make_smtp(logpath, addr, kind, ctx):
    class Logged(SMTP):
        def connection_made(self, transport):
            # called again on the same connection after STARTTLS
            if not getattr(self, "_logged", False):
                log(logpath, addr, kind)
                self._logged = True
            super().connection_made(transport)
    return lambda: Logged(Handler(logpath, addr, kind), hostname="mx1.example.net" if kind == "tls-ca" else f"mx.{kind}.test", ident="ESMTP probe-test",
                          tls_context=ctx, require_starttls=False)


def make_raw(logpath, addr, kind):
    class Raw(asyncio.Protocol):
        def connection_made(self, transport):
            log(logpath, addr, kind)
            self.t = transport
            self.buf = b""
            if kind == "close":
                transport.close()
            elif kind == "multi":
                transport.write(b"220-mx.multi.test ESMTP first line\r\n220-second line\r\n220 third line\r\n")
            elif kind == "busy":
                transport.write(b"421 4.3.2 mx.busy.test too busy, try later\r\n")
            elif kind == "garbage":
                transport.write(b"HTTP/1.1 400 Bad Request\r\nServer: not-smtp\r\n\r\n")

        def data_received(self, data):
            self.buf += data
            while b"\n" in self.buf:
                line, self.buf = self.buf.split(b"\n", 1)
                cmd = line.strip().upper()
                log(logpath, addr, kind, line.strip().decode("ascii", "replace"))
                if cmd.startswith(b"EHLO"):
                    self.t.write(b"250-mx.multi.test hello\r\n250 HELP\r\n")
                elif cmd == b"QUIT":
                    self.t.write(b"221 2.0.0 bye\r\n")
                    self.t.close()
                elif kind != "silent":
                    self.t.write(b"502 5.5.2 not here\r\n")
    return Raw


async def main():
    port, logpath, certdir = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    loop = asyncio.get_running_loop()
    for spec in sys.argv[4:]:
        addr, kind = spec.split("=")
        assert addr.startswith("127."), "loopback only"
        if kind.startswith("tls-") or kind == "notls":
            ctx = None
            if kind != "notls":
                ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
                ctx.load_cert_chain(f"{certdir}/{kind}.pem", f"{certdir}/{kind}.key")

                def sni(sslobj, name, sslctx, where=(logpath, addr, kind)):
                    if name is not None:
                        log(*where, f"SNI {name}")
                ctx.sni_callback = sni
            factory = make_smtp(logpath, addr, kind, ctx)
        else:
            factory = make_raw(logpath, addr, kind)
        await loop.create_server(factory, addr, port)
    print("ready", flush=True)
    await asyncio.Event().wait()


asyncio.run(main())
