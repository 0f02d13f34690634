"""A real SMTP server on loopback for the mail tests (Debian's python3-aiosmtpd).

Every accepted letter is logged as "<Message-ID>\t<recipient>" (one line, flushed, per letter) and, unless
--no-files, written to DIR/NNNNNN.eml. Recipients whose local part starts with "reject" get 550, with "busy" get
451 the first --busy-times times, and with "drop" have the connection closed once mid-conversation.
"""
import argparse, asyncio, os, re, sys, threading, time
from collections import Counter
from aiosmtpd.controller import Controller

parser = argparse.ArgumentParser()
parser.add_argument("--port", type=int, required=True)
parser.add_argument("--dir", required=True)
parser.add_argument("--no-files", action="store_true")
parser.add_argument("--busy-times", type=int, default=1)
parser.add_argument("--delay-ms", type=float, default=0)
args = parser.parse_args()
os.makedirs(args.dir, exist_ok=True)
log = open(os.path.join(args.dir, "accepted.log"), "a", buffering=1)
lock = threading.Lock()
busy = Counter()
dropped = set()
count = 0
MID = re.compile(rb"^Message-ID:\s*<([^>]+)>", re.I | re.M)


class Handler:
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        local = address.split("@")[0].lower()
        if local.startswith("reject"):
            return "550 5.1.1 <%s>: mailbox unavailable" % address
        if local.startswith("busy"):
            busy[address] += 1
            if busy[address] <= args.busy_times:
                return "451 4.3.0 Mailbox busy, try again later"
        if local.startswith("drop") and address not in dropped:
            dropped.add(address)
            asyncio.get_running_loop().call_later(0.01, server.transport.close)
            return "421 4.4.2 Closing connection"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        global count
        if args.delay_ms:
            await asyncio.sleep(args.delay_ms / 1000)
        data = envelope.original_content or envelope.content
        m = MID.search(data)
        mid = m.group(1).decode() if m else "?"
        with lock:
            count += 1
            n = count
            for rcpt in envelope.rcpt_tos:
                log.write("%s\t%s\n" % (mid, rcpt))
        if not args.no_files:
            with open(os.path.join(args.dir, "%06d.eml" % n), "wb") as f:
                f.write(data)
        return "250 2.0.0 Accepted"


controller = Controller(Handler(), hostname="127.0.0.1", port=args.port, decode_data=False, data_size_limit=10 * 1024 * 1024)
controller.start()
print("READY", flush=True)
try:
    while True:
        time.sleep(3600)
except KeyboardInterrupt:
    pass
finally:
    controller.stop()
