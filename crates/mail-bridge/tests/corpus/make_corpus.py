#!/usr/bin/env python3
"""Generates the parser corpus: tests/corpus/*.eml and tests/corpus/expected.json.

Each message is built with Python's `email` package (a MIME library independent of the Rust
parser), or — for the malformed cases — written byte by byte on purpose. expected.json holds
what a correct parser must read from each file; tests/parse_corpus.rs checks mail-bridge
against it.

Deterministic: fixed dates, fixed MIME boundaries, fixed pseudo-random data. Run it again
after changing a case:   python3 crates/mail-bridge/tests/corpus/make_corpus.py
"""
import base64
import email.charset
import email.policy
import hashlib
import json
import os
import random
import struct
import zlib
from email.header import Header
from email.message import EmailMessage, Message
from email.mime.application import MIMEApplication
from email.mime.base import MIMEBase
from email.mime.image import MIMEImage
from email.mime.message import MIMEMessage
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import formataddr

HERE = os.path.dirname(os.path.abspath(__file__))
CRLF = email.policy.compat32.clone(linesep="\r\n", max_line_length=78)
CASES = []


def sha(b):
    return hashlib.sha256(b).hexdigest()


def fix_boundaries(msg, name):
    for n, part in enumerate(msg.walk()):
        if part.get_content_maintype() == "multipart":
            part.set_boundary(f"=_{name}_{n}")


def to_bytes(msg, name, policy=CRLF):
    fix_boundaries(msg, name)
    return msg.as_bytes(policy=policy)


def png(width, height, seed):
    """A real PNG 'photo': a gradient with noise (so it does not compress away)."""
    rnd = random.Random(seed)
    rows = []
    for y in range(height):
        row = bytearray([0])
        for x in range(width):
            row += bytes(((x * 255 // width + rnd.randrange(64)) & 255,
                          (y * 255 // height + rnd.randrange(64)) & 255,
                          rnd.randrange(256)))
        rows.append(bytes(row))
    raw = zlib.compress(b"".join(rows), 6)

    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    return (b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", raw) + chunk(b"IEND", b""))


def pdf(seed, size):
    rnd = random.Random(seed)
    body = bytes(rnd.randrange(256) for _ in range(size))
    return b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n" + body + b"\n%%EOF\n"


def att(filename, content_type, data, inline=False, content_id=None):
    return {"filename": filename, "content_type": content_type, "size": len(data),
            "inline": inline, "content_id": content_id, "sha256": sha(data)}


def case(file, raw, **expected):
    with open(os.path.join(HERE, file), "wb") as f:
        f.write(raw)
    exp = {
        "file": file,
        "subject": None, "message_id": None, "in_reply_to": [], "references": [],
        "from": [], "to": [], "cc": [], "reply_to": [],
        "date": None, "fallback_date": None,
        "text_contains": [], "text_none": False, "html_contains": [], "html_none": False,
        "attachments": [], "forwarded": [], "kind": "regular", "flags": [],
    }
    for k, v in expected.items():
        assert k in exp, k
        exp[k] = v
    CASES.append(exp)


GREEK = "Καλημέρα σας, σας στέλνουμε την προσφορά για το καμπαναριό της ενορίας."
SUBJ = "Προσφορά για τον πελάτη: καμπάνες Αγ. Νικολάου"

# --- 01: UTF-8, quoted-printable, every address header, threading -----------------------------
m = EmailMessage(policy=email.policy.default.clone(linesep="\r\n"))
m["From"] = "Γιώργος Παπαδόπουλος <Giorgos.Papadopoulos@Example.GR>"
m["To"] = "crm@example.test, Μαρία Κ. <Maria.K@EXAMPLE.test>"
m["Cc"] = "\"Office, Athens\" <office@bellsystems.gr>"
m["Reply-To"] = "Giorgos <giorgos.reply@example.gr>"
m["Subject"] = SUBJ
m["Date"] = "Tue, 05 Mar 2024 09:07:01 +0200"
m["Message-ID"] = "<utf8-qp-01@example.gr>"
m["In-Reply-To"] = "<parent-1@bellsystems.gr>"
m["References"] = "<root-0@bellsystems.gr> <parent-1@bellsystems.gr>"
m.set_content(GREEK + "\n\nΜε εκτίμηση,\nΓιώργος\n", charset="utf-8", cte="quoted-printable")
case("01-utf8-qp.eml", bytes(m),
     subject=SUBJ, message_id="utf8-qp-01@example.gr",
     in_reply_to=["parent-1@bellsystems.gr"],
     references=["root-0@bellsystems.gr", "parent-1@bellsystems.gr"],
     **{"from": [["Γιώργος Παπαδόπουλος", "Giorgos.Papadopoulos@Example.GR"]]},
     to=[[None, "crm@example.test"], ["Μαρία Κ.", "Maria.K@EXAMPLE.test"]],
     cc=[["Office, Athens", "office@bellsystems.gr"]],
     reply_to=[["Giorgos", "giorgos.reply@example.gr"]],
     date="2024-03-05T09:07:01+02:00",
     text_contains=[GREEK, "Με εκτίμηση"], html_none=True)

# --- 02: ISO-8859-7, subject as Q encoded words, body quoted-printable --------------------------
cs = email.charset.Charset("iso-8859-7")
cs.header_encoding = email.charset.QP
cs.body_encoding = email.charset.QP
m = MIMEText(GREEK + "\nΤιμή: 1.250,00 EUR\n", "plain", cs)
m["From"] = formataddr(("Ενορία Αγίου Νικολάου", "enoria@example.gr"), cs)
m["To"] = "crm@example.test"
m["Subject"] = Header(SUBJ, cs)
m["Date"] = "Wed, 06 Mar 2024 18:30:00 +0200"
m["Message-ID"] = "<iso-q-02@example.gr>"
raw = to_bytes(m, "02")
assert b"=?iso-8859-7?q?" in raw, raw[:400]
case("02-iso8859-7-q.eml", raw,
     subject=SUBJ, message_id="iso-q-02@example.gr",
     **{"from": [["Ενορία Αγίου Νικολάου", "enoria@example.gr"]]},
     to=[[None, "crm@example.test"]], date="2024-03-06T18:30:00+02:00",
     text_contains=[GREEK, "1.250,00 EUR"], html_none=True)

# --- 03: Windows-1253, subject as B encoded words, body base64 ---------------------------------
cs = email.charset.Charset("windows-1253")
cs.header_encoding = email.charset.BASE64
cs.body_encoding = email.charset.BASE64
m = MIMEText("Ά Έ Ή Ί Ό Ύ Ώ — " + GREEK + "\n", "plain", cs)
m["From"] = "tasos@Example.gr"
m["To"] = "crm@example.test"
m["Subject"] = Header("Ά Έ Ή Ί Ό Ύ Ώ: παραγγελία ρολογιού", cs)
m["Date"] = "Thu, 07 Mar 2024 08:00:00 +0000"
m["Message-ID"] = "<cp1253-b-03@example.gr>"
raw = to_bytes(m, "03")
assert b"=?windows-1253?b?" in raw, raw[:400]
case("03-windows-1253-b64.eml", raw,
     subject="Ά Έ Ή Ί Ό Ύ Ώ: παραγγελία ρολογιού", message_id="cp1253-b-03@example.gr",
     **{"from": [[None, "tasos@Example.gr"]]}, to=[[None, "crm@example.test"]],
     date="2024-03-07T08:00:00Z", text_contains=["Ά Έ Ή Ί Ό Ύ Ώ — " + GREEK], html_none=True)

# --- 04: folded subject, three encoded words in three charsets, Q and B mixed ------------------
w1 = Header("Επείγον: ", "utf-8").encode()                       # =?utf-8?b?...?=
c7 = email.charset.Charset("iso-8859-7"); c7.header_encoding = email.charset.QP
w2 = Header("αντικατάσταση γλωττίδας ", c7).encode()            # =?iso-8859-7?q?...?=
c3 = email.charset.Charset("windows-1253"); c3.header_encoding = email.charset.BASE64
w3 = Header("στην καμπάνα Νο 3", c3).encode()                    # =?windows-1253?b?...?=
raw = ("From: Νίκος <nikos@example.gr>\r\n"
       "To: crm@example.test\r\n"
       f"Subject: {w1}\r\n {w2}\r\n\t{w3}\r\n"
       "Date: Fri, 08 Mar 2024 12:00:00 +0200\r\n"
       "Message-ID: <folded-04@example.gr>\r\n"
       "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
       "Content-Transfer-Encoding: 8bit\r\n\r\n"
       "Η γλωττίδα έσπασε.\r\n").encode("utf-8")
case("04-folded-mixed-encoded-words.eml", raw,
     subject="Επείγον: αντικατάσταση γλωττίδας στην καμπάνα Νο 3",
     message_id="folded-04@example.gr", **{"from": [["Νίκος", "nikos@example.gr"]]},
     to=[[None, "crm@example.test"]], date="2024-03-08T12:00:00+02:00",
     text_contains=["Η γλωττίδα έσπασε."], html_none=True)

# --- 05: RFC 2231 file names: UTF-8, continuations, ISO-8859-7; and an RFC 2047 one ------------
m = MIMEMultipart("mixed")
m["From"] = "logistirio@example.gr"
m["To"] = "crm@example.test"
m["Subject"] = "Invoices"
m["Date"] = "Sat, 09 Mar 2024 10:00:00 +0200"
m["Message-ID"] = "<rfc2231-05@example.gr>"
m.attach(MIMEText("Τα τιμολόγια επισυνάπτονται.\n", "plain", "utf-8"))
names = [
    "Τιμολόγιο 2024-031.pdf",
    "Πολύ μεγάλο όνομα αρχείου για το συμβόλαιο συντήρησης του καμπαναριού της ενορίας 2024.pdf",
    "Δελτίο αποστολής.pdf",
    "Παραστατικό.pdf",
]
datas = [pdf(51, 3000), pdf(52, 2000), pdf(53, 1000), pdf(54, 500)]
for i, (name, data) in enumerate(zip(names, datas)):
    part = MIMEApplication(data, "pdf")
    if i == 0:      # filename*=utf-8''... (one parameter)
        part.add_header("Content-Disposition", "attachment", filename=("utf-8", "", name))
    elif i == 1:    # split by hand into RFC 2231 continuations (filename*0*, filename*1*, ...)
        enc = "".join(f"%{b:02X}" for b in name.encode("utf-8"))
        pieces = [enc[j:j + 60] for j in range(0, len(enc), 60)]
        pieces = [p for p in pieces]
        params = "".join(f";\r\n filename*{k}*={'utf-8' + chr(39) * 2 if k == 0 else ''}{p}"
                         for k, p in enumerate(pieces))
        part["Content-Disposition"] = "attachment" + params
    elif i == 2:    # RFC 2231 in ISO-8859-7
        part.add_header("Content-Disposition", "attachment", filename=("iso-8859-7", "el", name))
    else:           # RFC 2047 inside a quoted parameter (not standard, very common)
        part["Content-Disposition"] = f'attachment; filename="{Header(name, "utf-8").encode()}"'
    m.attach(part)
raw = to_bytes(m, "05")
assert b"filename*1*=" in raw and b"filename*=iso-8859-7'el'" in raw, raw
case("05-rfc2231-filenames.eml", raw,
     subject="Invoices", message_id="rfc2231-05@example.gr",
     **{"from": [[None, "logistirio@example.gr"]]}, to=[[None, "crm@example.test"]],
     date="2024-03-09T10:00:00+02:00", text_contains=["Τα τιμολόγια επισυνάπτονται."],
     html_none=True,
     attachments=[att(n, "application/pdf", d) for n, d in zip(names, datas)])

# --- 06: multipart/alternative, text + HTML -----------------------------------------------------
m = MIMEMultipart("alternative")
m["From"] = formataddr(("Ελένη", "eleni@example.gr"))
m["To"] = "crm@example.test"
m["Subject"] = Header("Ερώτηση για ρολόι", "utf-8")
m["Date"] = "Sun, 10 Mar 2024 20:15:00 +0200"
m["Message-ID"] = "<alt-06@example.gr>"
m.attach(MIMEText("Πόσο κοστίζει το ρολόι;\n", "plain", "utf-8"))
m.attach(MIMEText("<html><body><p>Πόσο κοστίζει το <b>ρολόι</b>;</p></body></html>", "html", "utf-8"))
case("06-alternative.eml", to_bytes(m, "06"),
     subject="Ερώτηση για ρολόι", message_id="alt-06@example.gr",
     **{"from": [["Ελένη", "eleni@example.gr"]]}, to=[[None, "crm@example.test"]],
     date="2024-03-10T20:15:00+02:00", text_contains=["Πόσο κοστίζει το ρολόι;"],
     html_contains=["<b>ρολόι</b>"])

# --- 07: mixed[ related[ alternative[text, html], inline image ], pdf ] --------------------------
photo = png(96, 64, 7)
invoice = pdf(71, 5000)
m = MIMEMultipart("mixed")
m["From"] = "studio@example.gr"
m["To"] = "crm@example.test"
m["Subject"] = "Φωτογραφία εγκατάστασης"
m["Date"] = "Mon, 11 Mar 2024 11:11:11 +0200"
m["Message-ID"] = "<related-07@example.gr>"
rel = MIMEMultipart("related")
alt = MIMEMultipart("alternative")
alt.attach(MIMEText("Δείτε τη φωτογραφία.\n", "plain", "utf-8"))
alt.attach(MIMEText('<p>Δείτε τη φωτογραφία: <img src="cid:photo1@example.gr"></p>', "html", "utf-8"))
rel.attach(alt)
img = MIMEImage(photo, "png")
img["Content-ID"] = "<photo1@example.gr>"
img.add_header("Content-Disposition", "inline", filename="egkatastasi.png")
rel.attach(img)
m.attach(rel)
p = MIMEApplication(invoice, "pdf")
p.add_header("Content-Disposition", "attachment", filename="invoice.pdf")
m.attach(p)
case("07-related-inline-image.eml", to_bytes(m, "07"),
     subject="Φωτογραφία εγκατάστασης", message_id="related-07@example.gr",
     **{"from": [[None, "studio@example.gr"]]}, to=[[None, "crm@example.test"]],
     date="2024-03-11T11:11:11+02:00", text_contains=["Δείτε τη φωτογραφία."],
     html_contains=["cid:photo1@example.gr"],
     attachments=[att("egkatastasi.png", "image/png", photo, inline=True,
                      content_id="photo1@example.gr"),
                  att("invoice.pdf", "application/pdf", invoice)])

# --- 08: HTML only, ISO-8859-7: the text comes from the HTML ------------------------------------
m = MIMEText("<html><body><h1>Ευχαριστούμε</h1><p>Η παραγγελία σας εστάλη.</p></body></html>",
             "html", "iso-8859-7")
m["From"] = "shop@example.gr"
m["To"] = "crm@example.test"
m["Subject"] = Header("Αποστολή", "iso-8859-7")
m["Date"] = "Tue, 12 Mar 2024 09:00:00 +0200"
m["Message-ID"] = "<html-only-08@example.gr>"
case("08-html-only-iso8859-7.eml", to_bytes(m, "08"),
     subject="Αποστολή", message_id="html-only-08@example.gr",
     **{"from": [[None, "shop@example.gr"]]}, to=[[None, "crm@example.test"]],
     date="2024-03-12T09:00:00+02:00",
     text_contains=["Ευχαριστούμε", "Η παραγγελία σας εστάλη."],
     html_contains=["<h1>Ευχαριστούμε</h1>"])

# --- 09: a forward as message/rfc822 ------------------------------------------------------------
inner = MIMEText("Το αρχικό μήνυμα του πελάτη.\n", "plain", "iso-8859-7")
inner["From"] = formataddr(("Πελάτης", "Customer@Example.GR"), "iso-8859-7")
inner["To"] = "sales@bellsystems.gr"
inner["Subject"] = Header("Αρχικό αίτημα", "iso-8859-7")
inner["Date"] = "Mon, 04 Mar 2024 07:00:00 +0200"
inner["Message-ID"] = "<original-09@example.gr>"
m = MIMEMultipart("mixed")
m["From"] = "sales@bellsystems.gr"
m["To"] = "crm@example.test"
m["Subject"] = "Fwd: Αρχικό αίτημα"
m["Date"] = "Wed, 13 Mar 2024 13:00:00 +0200"
m["Message-ID"] = "<forward-09@bellsystems.gr>"
m.attach(MIMEText("Δείτε παρακάτω.\n", "plain", "utf-8"))
m.attach(MIMEMessage(inner))
raw = to_bytes(m, "09")
start = raw.index(b"Content-Type: text/plain; charset=\"iso-8859-7\"")
end = raw.index(b"\r\n--=_09_0--")
inner_bytes = raw[start:end]
case("09-forward-rfc822.eml", raw,
     subject="Fwd: Αρχικό αίτημα", message_id="forward-09@bellsystems.gr",
     **{"from": [[None, "sales@bellsystems.gr"]]}, to=[[None, "crm@example.test"]],
     date="2024-03-13T13:00:00+02:00", text_contains=["Δείτε παρακάτω."], html_none=True,
     attachments=[att("Αρχικό αίτημα.eml", "message/rfc822", inner_bytes)],
     forwarded=[{"subject": "Αρχικό αίτημα", "message_id": "original-09@example.gr",
                 "from": [["Πελάτης", "Customer@Example.GR"]],
                 "text_contains": "Το αρχικό μήνυμα του πελάτη.",
                 "attachment": "Αρχικό αίτημα.eml"}])

# --- 10: a bounce (multipart/report; report-type=delivery-status) -------------------------------
m = MIMEMultipart("report", report_type="delivery-status")
m["From"] = "MAILER-DAEMON@mx.example.gr (Mail Delivery System)"
m["To"] = "crm@example.test"
m["Subject"] = "Undelivered Mail Returned to Sender"
m["Date"] = "Thu, 14 Mar 2024 14:00:00 +0200"
m["Message-ID"] = "<bounce-10@mx.example.gr>"
m.attach(MIMEText("I'm sorry to have to inform you that your message could not be delivered.\n"))
ds = Message()
ds["Content-Type"] = "message/delivery-status"
per_message, per_rcpt = Message(), Message()
per_message["Reporting-MTA"] = "dns; mx.example.gr"
per_message["Arrival-Date"] = "Thu, 14 Mar 2024 13:59:00 +0200"
per_rcpt["Final-Recipient"] = "rfc822; nobody@example.gr"
per_rcpt["Original-Recipient"] = "rfc822;nobody@example.gr"
per_rcpt["Action"] = "failed"
per_rcpt["Status"] = "5.1.1"
per_rcpt["Diagnostic-Code"] = ("smtp; 550 5.1.1 <nobody@example.gr>: Recipient address rejected: "
                               "User unknown in virtual mailbox table")
ds.set_payload([per_message, per_rcpt])
m.attach(ds)
hdrs = MIMEBase("text", "rfc822-headers")
hdrs.set_payload("From: crm@example.test\r\nTo: nobody@example.gr\r\nSubject: Offer\r\n"
                 "Message-ID: <sent-by-crm-123@example.test>\r\n")
m.attach(hdrs)
raw = to_bytes(m, "10")


def part_body(raw, content_type, boundary):
    """The bytes of a part's body as they stand in `raw` (no transfer encoding)."""
    start = raw.index(b"\r\n\r\n", raw.index(content_type)) + 4
    return raw[start:raw.index(b"\r\n--" + boundary, start)]


case("10-dsn-bounce.eml", raw,
     subject="Undelivered Mail Returned to Sender", message_id="bounce-10@mx.example.gr",
     **{"from": [["Mail Delivery System", "MAILER-DAEMON@mx.example.gr"]]},
     to=[[None, "crm@example.test"]], date="2024-03-14T14:00:00+02:00",
     text_contains=["could not be delivered"], html_none=True,
     attachments=[
         att("part1.txt", "message/delivery-status",
             part_body(raw, b"Content-Type: message/delivery-status", b"=_10_0")),
         att("part2.txt", "text/rfc822-headers",
             part_body(raw, b"Content-Type: text/rfc822-headers", b"=_10_0"))],
     kind={"delivery_status": {
         "original_message_id": "sent-by-crm-123@example.test",
         "recipients": [{"final_recipient": "nobody@example.gr", "action": "failed",
                         "status": "5.1.1",
                         "diagnostic": "550 5.1.1 <nobody@example.gr>: Recipient address rejected: "
                                       "User unknown in virtual mailbox table"}]}})

# --- 11: a read receipt (report-type=disposition-notification) ----------------------------------
m = MIMEMultipart("report", report_type="disposition-notification")
m["From"] = "Giorgos <giorgos@example.gr>"
m["To"] = "crm@example.test"
m["Subject"] = "Read: Offer"
m["Date"] = "Fri, 15 Mar 2024 15:00:00 +0200"
m["Message-ID"] = "<mdn-11@example.gr>"
m.attach(MIMEText("Your message was read.\n"))
mdn = MIMEBase("message", "disposition-notification")
mdn.set_payload("Reporting-UA: example.gr; Thunderbird\r\nFinal-Recipient: rfc822;giorgos@example.gr\r\n"
                "Original-Message-ID: <sent-by-crm-456@example.test>\r\n"
                "Disposition: manual-action/MDN-sent-manually; displayed\r\n")
m.attach(mdn)
raw = to_bytes(m, "11")
case("11-mdn-read-receipt.eml", raw,
     subject="Read: Offer", message_id="mdn-11@example.gr",
     **{"from": [["Giorgos", "giorgos@example.gr"]]}, to=[[None, "crm@example.test"]],
     date="2024-03-15T15:00:00+02:00", text_contains=["Your message was read."], html_none=True,
     attachments=[att("part1.txt", "message/disposition-notification",
                      part_body(raw, b"Content-Type: message/disposition-notification", b"=_11_0"))],
     kind={"read_receipt": {"original_message_id": "sent-by-crm-456@example.test"}})

# --- 12..14: missing or bad Date, missing Message-ID --------------------------------------------
base = ("From: someone@example.gr\r\nTo: crm@example.test\r\nSubject: hello\r\n{extra}"
        "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nγεια\r\n")
case("12-no-date.eml", base.format(extra="Message-ID: <no-date-12@example.gr>\r\n").encode(),
     subject="hello", message_id="no-date-12@example.gr",
     **{"from": [[None, "someone@example.gr"]]}, to=[[None, "crm@example.test"]],
     fallback_date="2024-03-16T10:00:00Z", date="2024-03-16T10:00:00Z",
     text_contains=["γεια"], html_none=True, flags=["no_date"])
case("13-bad-date.eml",
     base.format(extra="Date: sometime last week\r\nMessage-ID: <bad-date-13@example.gr>\r\n").encode(),
     subject="hello", message_id="bad-date-13@example.gr",
     **{"from": [[None, "someone@example.gr"]]}, to=[[None, "crm@example.test"]],
     fallback_date="2024-03-17T10:00:00+02:00", date="2024-03-17T10:00:00+02:00",
     text_contains=["γεια"], html_none=True, flags=["bad_date"])
case("14-no-message-id.eml", base.format(extra="Date: Mon, 18 Mar 2024 10:00:00 +0200\r\n").encode(),
     subject="hello", **{"from": [[None, "someone@example.gr"]]}, to=[[None, "crm@example.test"]],
     date="2024-03-18T10:00:00+02:00", text_contains=["γεια"], html_none=True,
     flags=["no_message_id"])

# --- 15: truncated: the attachment is cut and the closing boundary never comes ------------------
m = MIMEMultipart("mixed")
m["From"] = "slow@example.gr"
m["To"] = "crm@example.test"
m["Subject"] = "Κομμένο μήνυμα"
m["Date"] = "Tue, 19 Mar 2024 10:00:00 +0200"
m["Message-ID"] = "<truncated-15@example.gr>"
m.attach(MIMEText("Το κείμενο φτάνει ολόκληρο.\n", "plain", "utf-8"))
m.attach(MIMEApplication(pdf(15, 4000), "pdf"))
raw = to_bytes(m, "15")
raw = raw[: raw.index(b"Content-Type: application/pdf") + 1500]
case("15-truncated.eml", raw,
     subject="Κομμένο μήνυμα", message_id="truncated-15@example.gr",
     **{"from": [[None, "slow@example.gr"]]}, to=[[None, "crm@example.test"]],
     date="2024-03-19T10:00:00+02:00", text_contains=["Το κείμενο φτάνει ολόκληρο."],
     html_none=True, flags=["encoding_problem", "truncated"],
     # the cut base64 is kept as it came (the file is broken, but nothing is dropped)
     attachments=[{"filename": "part1.pdf", "content_type": "application/pdf"}])

# --- 16: broken base64 in an attachment ---------------------------------------------------------
raw = ("From: broken@example.gr\r\nTo: crm@example.test\r\nSubject: bad base64\r\n"
       "Date: Wed, 20 Mar 2024 10:00:00 +0200\r\nMessage-ID: <bad-b64-16@example.gr>\r\n"
       "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b16\"\r\n\r\n"
       "--b16\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nΤο κείμενο διαβάζεται.\r\n"
       "--b16\r\nContent-Type: application/octet-stream; name=\"x.bin\"\r\n"
       "Content-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename=\"x.bin\"\r\n\r\n"
       "SGVsbG8g!!!! ***not base64 at all*** ####\r\n--b16--\r\n").encode("utf-8")
case("16-bad-base64.eml", raw,
     subject="bad base64", message_id="bad-b64-16@example.gr",
     **{"from": [[None, "broken@example.gr"]]}, to=[[None, "crm@example.test"]],
     date="2024-03-20T10:00:00+02:00", text_contains=["Το κείμενο διαβάζεται."], html_none=True,
     attachments=[{"filename": "x.bin", "content_type": "application/octet-stream"}],
     flags=["encoding_problem"])

# --- 17: a charset nobody knows -------------------------------------------------------------------
raw = ("From: alien@example.gr\r\nTo: crm@example.test\r\nSubject: unknown charset\r\n"
       "Date: Thu, 21 Mar 2024 10:00:00 +0200\r\nMessage-ID: <charset-17@example.gr>\r\n"
       "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=\"x-klingon\"\r\n"
       "Content-Transfer-Encoding: 8bit\r\n\r\nplain ascii survives\r\n").encode()
case("17-unknown-charset.eml", raw,
     subject="unknown charset", message_id="charset-17@example.gr",
     **{"from": [[None, "alien@example.gr"]]}, to=[[None, "crm@example.test"]],
     date="2024-03-21T10:00:00+02:00", text_contains=["plain ascii survives"], html_none=True,
     flags=["unknown_charset"])

# --- 18: raw ISO-8859-7 bytes in the Subject (no RFC 2047) --------------------------------------
raw = (b"From: old-client@example.gr\r\nTo: crm@example.test\r\nSubject: "
       + "Παραγγελία καμπάνας".encode("iso-8859-7")
       + b"\r\nDate: Fri, 22 Mar 2024 10:00:00 +0200\r\nMessage-ID: <8bit-18@example.gr>\r\n"
       b"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=iso-8859-7\r\n"
       b"Content-Transfer-Encoding: 8bit\r\n\r\n" + "Καλησπέρα.\r\n".encode("iso-8859-7"))
case("18-raw-8bit-subject.eml", raw,
     subject="Παραγγελία καμπάνας", message_id="8bit-18@example.gr",
     **{"from": [[None, "old-client@example.gr"]]}, to=[[None, "crm@example.test"]],
     date="2024-03-22T10:00:00+02:00", text_contains=["Καλησπέρα."], html_none=True,
     flags=["undeclared_8bit"])

# --- 19: bare LF line ends (as some tools save mail) ---------------------------------------------
m = EmailMessage(policy=email.policy.default.clone(linesep="\n"))
m["From"] = "Unix <unix@example.gr>"
m["To"] = "crm@example.test"
m["Subject"] = "Γραμμές LF"
m["Date"] = "Sat, 23 Mar 2024 10:00:00 +0200"
m["Message-ID"] = "<lf-19@example.gr>"
m.set_content("Πρώτη γραμμή\nΔεύτερη γραμμή\n")
m.add_attachment(b"a;b\n1;2\n", maintype="text", subtype="csv", filename="data.csv")
fix_boundaries(m, "19")
raw = bytes(m)
assert b"\r\n" not in raw
case("19-lf-line-ends.eml", raw,
     subject="Γραμμές LF", message_id="lf-19@example.gr",
     **{"from": [["Unix", "unix@example.gr"]]}, to=[[None, "crm@example.test"]],
     date="2024-03-23T10:00:00+02:00", text_contains=["Πρώτη γραμμή\nΔεύτερη γραμμή"],
     html_none=True, attachments=[att("data.csv", "text/csv", b"a;b\n1;2\n")])

# --- 20, 21: not a mail at all --------------------------------------------------------------------
case("20-binary-garbage.eml", bytes(random.Random(20).randrange(256) for _ in range(3000)),
     fallback_date="2024-03-24T10:00:00Z", date="2024-03-24T10:00:00Z",
     html_none=True, flags=["not_rfc5322", "no_message_id", "no_from", "no_date"],
     text_contains=[])
case("21-empty.eml", b"", text_none=True, html_none=True,
     flags=["not_rfc5322", "no_message_id", "no_from", "no_date"])

# --- 22: address groups, and an empty one ---------------------------------------------------------
raw = ("From: Σύλλογος <syllogos@example.gr>\r\nTo: undisclosed-recipients:;\r\n"
       "Cc: Επιτροπή: Anna@Example.gr, \"Β. Βασιλείου\" <vasiliou@example.gr>;\r\n"
       "Subject: groups\r\nDate: Sun, 24 Mar 2024 10:00:00 +0200\r\n"
       "Message-ID: <groups-22@example.gr>\r\nMIME-Version: 1.0\r\n"
       "Content-Type: text/plain; charset=utf-8\r\n\r\nok\r\n").encode("utf-8")
case("22-address-groups.eml", raw,
     subject="groups", message_id="groups-22@example.gr",
     **{"from": [["Σύλλογος", "syllogos@example.gr"]]},
     cc=[[None, "Anna@Example.gr"], ["Β. Βασιλείου", "vasiliou@example.gr"]],
     date="2024-03-24T10:00:00+02:00", text_contains=["ok"], html_none=True)

# --- 23: something that is not an address in From -------------------------------------------------
raw = ("From: Mail System\r\nTo: crm@example.test\r\nSubject: no address\r\n"
       "Date: Mon, 25 Mar 2024 10:00:00 +0200\r\nMessage-ID: <bad-from-23@example.gr>\r\n"
       "\r\nbody\r\n").encode()
case("23-bad-from.eml", raw,
     subject="no address", message_id="bad-from-23@example.gr",
     to=[[None, "crm@example.test"]], date="2024-03-25T10:00:00+02:00",
     text_contains=["body"], html_none=True, flags=["bad_address"])

# --- 24: the SMTP test's message: Greek ISO-8859-7 subject + a photo ----------------------------
photo24 = png(320, 240, 24)
cs = email.charset.Charset("iso-8859-7")
cs.header_encoding = email.charset.BASE64
m = MIMEMultipart("mixed")
m["From"] = formataddr(("Πελάτης Φωτογραφίας", "Photo.Customer@Example.test"), "iso-8859-7")
m["To"] = "crm@example.test"
m["Subject"] = Header("Φωτογραφία από το καμπαναριό", cs)
m["Date"] = "Tue, 26 Mar 2024 10:00:00 +0200"
m["Message-ID"] = "<photo-24@example.test>"
m.attach(MIMEText("Σας στέλνω φωτογραφία του καμπαναριού.\n", "plain", "iso-8859-7"))
img = MIMEImage(photo24, "png")
img.add_header("Content-Disposition", "attachment", filename=("utf-8", "", "καμπαναριό.png"))
m.attach(img)
raw = to_bytes(m, "24")
assert b"=?iso-8859-7?b?" in raw
case("24-iso8859-7-photo.eml", raw,
     subject="Φωτογραφία από το καμπαναριό", message_id="photo-24@example.test",
     **{"from": [["Πελάτης Φωτογραφίας", "Photo.Customer@Example.test"]]},
     to=[[None, "crm@example.test"]], date="2024-03-26T10:00:00+02:00",
     text_contains=["Σας στέλνω φωτογραφία του καμπαναριού."], html_none=True,
     attachments=[att("καμπαναριό.png", "image/png", photo24)])

# --- 25: Windows-1253 HTML (QP) with a Windows-1253 CSV attachment -------------------------------
csv_text = "Προϊόν;Τιμή\nΚαμπάνα;1200\n"
cs = email.charset.Charset("windows-1253"); cs.body_encoding = email.charset.QP
m = MIMEMultipart("mixed")
m["From"] = "erp@example.gr"
m["To"] = "crm@example.test"
m["Subject"] = Header("Τιμοκατάλογος", "windows-1253")
m["Date"] = "Wed, 27 Mar 2024 10:00:00 +0200"
m["Message-ID"] = "<cp1253-html-25@example.gr>"
h = MIMEText("<p>Νέος τιμοκατάλογος</p>", "html", cs)
m.attach(h)
c = MIMEText(csv_text, "csv", cs)
c.add_header("Content-Disposition", "attachment", filename="times.csv")
m.attach(c)
case("25-windows-1253-html-csv.eml", to_bytes(m, "25"),
     subject="Τιμοκατάλογος", message_id="cp1253-html-25@example.gr",
     **{"from": [[None, "erp@example.gr"]]}, to=[[None, "crm@example.test"]],
     date="2024-03-27T10:00:00+02:00", text_contains=["Νέος τιμοκατάλογος"],
     html_contains=["<p>Νέος τιμοκατάλογος</p>"],
     # quoted-printable carries the line ends as CRLF; the CSV comes back as UTF-8
     attachments=[att("times.csv", "text/csv", csv_text.replace("\n", "\r\n").encode("utf-8"))])

with open(os.path.join(HERE, "expected.json"), "w", encoding="utf-8") as f:
    json.dump(CASES, f, ensure_ascii=False, indent=1)
    f.write("\n")
print(f"wrote {len(CASES)} messages and expected.json to {HERE}")
