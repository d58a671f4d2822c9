#!/usr/bin/python3
"""Writes the PDF fixtures of tests/fixtures/formats/pdf/example-bank/ (see the README there).

Uses only Debian packages: python3-reportlab (PDF) and python3-pil (the scanned-like page).
Run from anywhere: /usr/bin/python3 tests/formats/pdf/make_fixtures.py
The output is byte-for-byte reproducible (reportlab's invariant mode: no dates, fixed ids).
"""
import io
import os

from PIL import Image, ImageDraw
from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'fixtures', 'formats', 'pdf', 'example-bank')
WIDTH, HEIGHT = A4
LEFT, VALUTA, TEXT, AMOUNT, SIGN = 50, 100, 150, 500, 510


def money(cents):
    """German format: 1.234,56 and a separate S (Soll, debit) / H (Haben, credit) column."""
    sign = 'S' if cents < 0 else 'H'
    cents = abs(cents)
    euros = f'{cents // 100:,}'.replace(',', '.')
    return f'{euros},{cents % 100:02d}', sign


class Statement:
    def __init__(self, path, number, period, opening, entries, lines_per_page=40, closing=None):
        self.c = canvas.Canvas(path, pagesize=A4, invariant=1, pageCompression=1)
        self.c.setTitle(f'Kontoauszug {number}')
        self.number, self.period, self.opening, self.entries = number, period, opening, entries
        self.lines_per_page, self.closing = lines_per_page, closing
        self.page, self.y, self.lines = 0, 0, 0

    def header(self, pages):
        c = self.c
        self.page += 1
        c.setFont('Helvetica-Bold', 12)
        c.drawString(LEFT, HEIGHT - 50, 'Example Bank AG')
        c.setFont('Helvetica', 9)
        c.drawRightString(AMOUNT + 20, HEIGHT - 50, f'Kontoauszug Nr. {self.number}')
        c.drawString(LEFT, HEIGHT - 62, 'Musterstraße 1, 10115 Berlin')
        c.drawRightString(AMOUNT + 20, HEIGHT - 62, f'Seite {self.page} von {pages}')
        y = HEIGHT - 90
        if self.page == 1:
            c.drawString(LEFT, y, 'Kontoinhaber: Muster Wohnen GmbH')
            c.drawString(LEFT, y - 12, 'IBAN: DE89 3704 0044 0532 0130 00')
            c.drawString(LEFT + 250, y - 12, 'BIC: COBADEFFXXX')
            c.drawString(LEFT, y - 24, f'Zeitraum: {self.period[0]} - {self.period[1]}')
            y -= 48
        c.setFont('Helvetica-Bold', 9)
        c.drawString(LEFT, y, 'Buchung')
        c.drawString(VALUTA, y, 'Valuta')
        c.drawString(TEXT, y, 'Vorgang')
        c.drawRightString(AMOUNT, y, 'Betrag EUR')
        c.setFont('Helvetica', 9)
        self.y = y - 16
        self.lines = 0

    def row(self, booking, valuta, text, cents=None):
        c = self.c
        if booking:
            c.drawString(LEFT, self.y, booking)
            c.drawString(VALUTA, self.y, valuta)
        c.drawString(TEXT, self.y, text)
        if cents is not None:
            amount, sign = money(cents)
            c.drawRightString(AMOUNT, self.y, amount)
            c.drawString(SIGN, self.y, sign)
        self.y -= 12
        self.lines += 1

    def write(self):
        rows = []
        for e in self.entries:
            rows.append((e[0], e[1], e[2], e[3]))
            rows.extend(('', '', t, None) for t in e[4])
        pages = 1 + max(0, len(rows) - 1) // self.lines_per_page
        balance = self.opening
        self.header(pages)
        self.row('', '', f'Alter Kontostand vom {self.period[2]}', balance)
        for i, r in enumerate(rows):
            if i > 0 and i % self.lines_per_page == 0:
                self.row('', '', f'Übertrag auf Seite {self.page + 1}', balance)
                self.c.setFont('Helvetica', 7)
                self.c.drawString(LEFT, 40, 'Example Bank AG · Sitz Berlin · Amtsgericht Charlottenburg HRB 00000')
                self.c.showPage()
                self.header(pages)
                self.row('', '', f'Übertrag von Seite {self.page - 1}', balance)
            self.row(*r)
            if r[3] is not None:
                balance += r[3]
        closing = balance if self.closing is None else self.closing
        self.row('', '', f'Neuer Kontostand vom {self.period[1]}', closing)
        self.c.setFont('Helvetica', 7)
        self.c.drawString(LEFT, 40, 'Example Bank AG · Sitz Berlin · Amtsgericht Charlottenburg HRB 00000')
        self.c.showPage()
        self.c.save()


MARCH = [
    ('01.03.', '01.03.', 'SEPA-Gutschrift', 119000, ['Hans Beispiel', 'Rechnung INV-2024-0815 Kd 4711']),
    ('04.03.', '04.03.', 'SEPA-Lastschrift', -8990,
     ['Stadtwerke Musterstadt GmbH', 'Abschlag März Vertrag 123456', 'EREF+ABC123 MREF+M-778']),
    ('15.03.', '15.03.', 'Überweisung', -123456, ['Möbelhaus Sönke Jürgens e.K.', 'RE 2024-0311']),
    ('28.03.', '31.03.', 'Entgelt', -990, ['Kontoführung März']),
]


def many_entries():
    """A statement long enough for three pages; one purpose runs across a page break."""
    out = []
    for day in range(1, 29):
        out.append((f'{day:02d}.02.', f'{day:02d}.02.', 'Kartenzahlung', -(1000 + day * 37),
                    [f'Filiale {day:03d} Musterstadt', f'Beleg {20240200 + day}']))
        out.append((f'{day:02d}.02.', f'{day:02d}.02.', 'SEPA-Gutschrift', 25000 + day * 11,
                    [f'Kunde {day} GmbH', f'Rechnung 2024-{day:04d}']))
    return out


def scanned(path):
    """An image-only page, as a scanner makes it: the statement is pixels, there is no text layer."""
    img = Image.new('L', (1240, 1754), 255)
    draw = ImageDraw.Draw(img)
    draw.text((100, 100), 'Example Bank AG   Kontoauszug Nr. 3/2024', fill=0)
    for i in range(30):
        draw.line((100, 200 + i * 40, 1100, 200 + i * 40), fill=180)
        draw.text((100, 210 + i * 40), f'{i + 1:02d}.03.  {i + 1:02d}.03.  SEPA-Lastschrift   12,34 S', fill=0)
    buf = io.BytesIO()
    img.save(buf, format='PNG', optimize=True)
    c = canvas.Canvas(path, pagesize=A4, invariant=1)
    c.drawImage(ImageReader(io.BytesIO(buf.getvalue())), 0, 0, WIDTH, HEIGHT)
    c.showPage()
    c.save()


def other_bank(path):
    c = canvas.Canvas(path, pagesize=A4, invariant=1)
    c.setFont('Helvetica', 10)
    c.drawString(50, 780, 'Other Savings Bank plc')
    c.drawString(50, 760, 'Statement of account 12345678')
    c.drawString(50, 740, '01/03/2024  Card payment  12.00 DR')
    c.showPage()
    c.save()


def main():
    os.makedirs(OUT, exist_ok=True)
    Statement(os.path.join(OUT, 'march-2024.pdf'), '3/2024', ('01.03.2024', '31.03.2024', '29.02.2024'),
              1050000, MARCH).write()
    Statement(os.path.join(OUT, 'february-2024-multipage.pdf'), '2/2024', ('01.02.2024', '29.02.2024', '31.01.2024'),
              250000, many_entries(), lines_per_page=47).write()
    Statement(os.path.join(OUT, 'balance-mismatch.pdf'), '3/2024', ('01.03.2024', '31.03.2024', '29.02.2024'),
              1050000, MARCH, closing=1100000).write()
    scanned(os.path.join(OUT, 'scanned.pdf'))
    other_bank(os.path.join(OUT, 'other-bank.pdf'))


if __name__ == '__main__':
    main()
