//! The spreadsheet an agency works in (`--format xlsx`, rust_xlsxwriter): a sheet of findings
//! (one row per item, the CSV's columns), the rectification plan (with the plan file's owners,
//! due dates and statuses) and the assessment boundary, each with its header row frozen and
//! filterable. Every cell is a string cell (never a formula, whatever a resource is called).
//!
//! Byte-stable: the workbook's creation time is the report's `assessed_at` (the library's
//! default would be the clock), and the zip entries carry the library's fixed timestamp.

use cloudcap_engine::Report;
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook, Worksheet, XlsxError};

use crate::text::{l, result};
use crate::{Error, Lang};

/// Column widths in whole characters: wide enough to read, capped so a long reason wraps.
fn width(cells: &[&str]) -> u32 {
    let widest = cells.iter().map(|c| c.chars().count()).max().unwrap_or(8);
    u32::try_from(widest.clamp(6, 60)).unwrap_or(60) + 2
}

fn sheet(
    ws: &mut Worksheet,
    name: &str,
    head: &[String],
    rows: &[Vec<String>],
) -> Result<(), XlsxError> {
    ws.set_name(name)?;
    let bold = Format::new().set_bold();
    let wrap = Format::new().set_text_wrap();
    for (c, h) in head.iter().enumerate() {
        let col = u16::try_from(c).unwrap_or(u16::MAX);
        ws.write_string_with_format(0, col, h, &bold)?;
        let mut column: Vec<&str> = rows
            .iter()
            .map(|r| r.get(c).map_or("", String::as_str))
            .collect();
        column.push(h);
        ws.set_column_width(col, width(&column))?;
    }
    for (r, row) in rows.iter().enumerate() {
        let line = u32::try_from(r + 1).unwrap_or(u32::MAX);
        for (c, v) in row.iter().enumerate() {
            ws.write_string_with_format(line, u16::try_from(c).unwrap_or(u16::MAX), v, &wrap)?;
        }
    }
    ws.set_freeze_panes(1, 0)?;
    if !head.is_empty() {
        let last_row = u32::try_from(rows.len()).unwrap_or(u32::MAX);
        let last_col = u16::try_from(head.len() - 1).unwrap_or(u16::MAX);
        ws.autofilter(0, 0, last_row, last_col)?;
    }
    Ok(())
}

/// The boundary section as rows of one sheet: headings, sentences and tables one under the
/// other, in the first columns.
fn boundary_rows(report: &Report, lang: Lang) -> Vec<Vec<String>> {
    use crate::boundary::Block as B;
    let mut rows = Vec::new();
    for b in crate::boundary::blocks(&report.boundary, lang, false)
        .into_iter()
        .chain(crate::accounts::blocks(report, lang))
    {
        match b {
            B::Heading(h) => rows.push(vec![h]),
            B::Para(p) => rows.push(vec![p]),
            B::Table { head, rows: body } => {
                rows.push(head);
                rows.extend(body);
            }
        }
        rows.push(Vec::new());
    }
    rows
}

fn workbook(report: &Report, lang: Lang, plan: &crate::Plan) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let created = ExcelDateTime::parse_from_str(&report.assessed_at)?;
    wb.set_properties(
        &DocProperties::new()
            .set_title(l(
                lang,
                "Cloud service security capability assessment: findings",
                "云计算服务安全能力评估结果",
            ))
            .set_creation_datetime(&created),
    );
    let (head, rows) = crate::csv::findings(report, lang);
    sheet(
        wb.add_worksheet(),
        l(lang, "Findings", "测评结果"),
        &head,
        &rows,
    )?;
    let (head, plan_rows) = crate::document::plan_table(report, plan, lang);
    let rows: Vec<Vec<String>> = plan_rows
        .into_iter()
        .map(|r| {
            let mut row = vec![
                r.number,
                format!("{} {}", r.control, r.title),
                r.item,
                r.tier,
                result(r.result, lang).to_owned(),
                r.blocks,
                r.reason,
                r.resources,
                r.remediation,
            ];
            row.extend(r.plan);
            row
        })
        .collect();
    sheet(
        wb.add_worksheet(),
        l(lang, "Rectification plan", "整改计划"),
        &head,
        &rows,
    )?;
    let rows = boundary_rows(report, lang);
    let ws = wb.add_worksheet();
    ws.set_name(l(lang, "Boundary", "评估边界"))?;
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            ws.write_string(
                u32::try_from(r).unwrap_or(u32::MAX),
                u16::try_from(c).unwrap_or(u16::MAX),
                v,
            )?;
        }
    }
    ws.set_column_width(0, 40)?;
    wb.save_to_buffer()
}

/// The workbook's bytes.
pub(crate) fn render(report: &Report, lang: Lang, plan: &crate::Plan) -> Result<Vec<u8>, Error> {
    workbook(report, lang, plan).map_err(|e| Error::Xlsx(e.to_string()))
}
