// Package pdf reads text-based PDF files and turns each page into positioned
// glyphs and ruling lines, the raw material a layout parser needs to rebuild
// lines, words and table cells.
//
// It is written for machine-generated documents such as PBOC credit reports:
// CJK text in Type0/CID fonts with ToUnicode maps, simple TrueType/Type1 fonts,
// and tables drawn with stroked lines or thin filled rectangles. It does not
// render, decrypt or decode images.
//
// # Usage
//
//	doc, err := pdf.Open(r, size, pdf.DefaultLimits())
//	if err != nil { ... }
//	for n := 1; n <= doc.NumPages(); n++ {
//		page, err := doc.Page(n)
//		...
//		for _, g := range page.Glyphs { ... } // g.Text at (g.X, g.Y), advance g.W
//		for _, s := range page.Lines { ... }  // axis-aligned ruling segments
//	}
//
// # Coordinates
//
// Glyph and segment coordinates are PDF user space units (1/72 inch) after the
// current transformation matrix and the text matrix have been applied, shifted
// so that the lower-left corner of the page's MediaBox is the origin. Y grows
// upwards. A glyph's (X, Y) is the origin of the glyph on the baseline, W its
// advance width and Size the effective font size, all in the same units. The
// page's /Rotate is reported in Page.Rotate but not applied.
//
// Glyphs come in content-stream order, spaces included; grouping them into
// words, lines and cells is the caller's job (Page.Text is a simple
// line-by-line rendering for tests and debugging). Segments are the
// axis-aligned pieces of stroked paths and the centre lines of thin filled
// rectangles (at most 3 units thick), one per drawn edge: they are not merged,
// so a grid drawn cell by cell yields many short collinear segments.
//
// # Fonts
//
// Type0 fonts (CIDFontType0/2) with Identity-H/V, embedded encoding CMaps or
// the predefined UCS2/UTF16 and GBK CMaps; /W and /DW widths. Simple fonts
// (TrueType, Type1, Type3) with Standard, WinAnsi or MacRoman base encodings,
// /Differences mapped through a glyph list (plus uniXXXX, uXXXXX and gXX
// names) and /Widths, falling back to built-in metrics of the standard 14
// fonts. A ToUnicode CMap, when present, always wins. Codes with no known
// text come out as U+FFFD so that their position is not lost.
//
// # Object layer
//
// Open reads the whole file (bounded by Limits.MaxFileSize) and its
// cross-reference data: classic xref tables, cross-reference streams, hybrid
// files, incremental updates (/Prev chains) and object streams. When the
// cross-reference data is missing or broken the table is rebuilt by scanning the
// file for "N G obj" headers. Objects are parsed lazily, on first use, and cached.
// Supported filters: FlateDecode (with PNG and TIFF predictors), LZWDecode,
// ASCIIHexDecode, ASCII85Decode and RunLengthDecode.
//
// # Hostile input
//
// Every resource an input can make us spend is capped by Limits: file size,
// object count, decompressed bytes per stream and per document, nesting depth of
// arrays, dictionaries, references and Form XObjects, page count, content
// operators and glyphs per page. Exceeding a cap returns an error wrapping
// ErrLimit. Limits.Memory lets a caller charge what the reader allocates
// (the file, decoded buffers, glyphs) to a budget of its own, and stop it.
// A panic (a bug) is recovered as a *PanicError matching ErrInternal.
// Encrypted files return ErrEncrypted, non-PDF input ErrNotPDF. Errors are
// *Error values that say where the problem is (page, object, offset, operation).
// No input makes the package panic; a recover at the API boundary converts any
// remaining bug into an error as a last resort.
//
// # Not supported
//
// Decryption (even with an empty user password), annotation and form-field
// appearance streams, text drawn by Type3 glyph procedures, fonts selected
// through an ExtGState, and exact glyph origins in vertical writing.
//
// A Document is safe for concurrent use; pages are decoded under a lock.
package pdf
