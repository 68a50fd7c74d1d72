// Package parse reads the PDF of a PBOC second-generation personal credit
// report (个人信用报告（授信机构版）) into a creditreport.Report.
//
// It works on what any text-based PDF of the report carries, not on one
// producer's habits: glyph positions and ruling lines from internal/pdf.
// The stages are
//
//  1. page furniture out: rotated or oversized glyph runs (watermarks),
//     text lines outside tables that repeat across pages at the same height
//     once digits are masked (footers 第 X 页，共 Y 页, print headers, URLs);
//  2. tables from ruling lines: segments that touch form one table; its
//     distinct x and y positions make a unit grid, and a unit edge that no
//     segment draws joins two units into one cell, which is how merged
//     year cells and column spans come back whole;
//  3. glyphs into cells (a wrapped cell is joined without spaces) and the
//     rest into text lines;
//  4. a table that ends a page and one that starts the next with the same
//     column edges are one table, because the report does not repeat
//     headers on a continuation page;
//  5. a section walker keyed on normalised labels (bracket widths, dash
//     variants and stray spaces removed) fills the model.
//
// Values are the strings as printed, trimmed; see creditreport.Normalize
// for typed values.
package parse
