package pdf

// Limits caps the resources a single document may consume. A zero field means
// "use the default"; use a large value to effectively disable a cap.
type Limits struct {
	MaxFileSize    int64 // bytes of input read into memory
	MaxObjects     int   // entries in the cross-reference table
	MaxStreamBytes int64 // decompressed bytes per stream
	MaxTotalBytes  int64 // decompressed bytes for the whole document (all pages)
	MaxDepth       int   // nesting of arrays/dicts, reference chains, page tree and Form XObjects
	MaxPages       int   // pages in the page tree
	MaxOpsPerPage  int   // content-stream operators executed per page, XObjects included
	// MaxGlyphsPerPage caps the glyphs one page may show: one operator can
	// show a string as long as its stream, a glyph costs ~64 bytes.
	MaxGlyphsPerPage int
	// Memory, when set, is asked for n bytes before the reader allocates
	// them: the file's copy in memory (and the objects parsed from it),
	// every buffer a decoded stream grows into, and the glyphs of a page.
	// An error stops the work and is returned wrapped; it is how a
	// process-wide memory budget holds a document to its share. A negative
	// n gives back bytes no longer referenced (a page's decoded content
	// once the page is extracted, a buffer outgrown); its error is
	// ignored. What the document keeps (the file, parsed and cached
	// objects) stays charged while the document lives; a Page's glyphs
	// stay charged until the caller gives back Page.Bytes.
	Memory func(n int64) error
}

// DefaultLimits returns caps generous enough for any real credit report (a few
// MB, 40 pages) yet small enough to stop decompression bombs and endless
// streams quickly.
func DefaultLimits() Limits {
	return Limits{
		MaxFileSize:    64 << 20,
		MaxObjects:     1 << 20,
		MaxStreamBytes: 32 << 20,
		MaxTotalBytes:  256 << 20,
		MaxDepth:       64,
		MaxPages:       2000,
		MaxOpsPerPage:  2_000_000,
		// A dense real page shows a few thousand glyphs.
		MaxGlyphsPerPage: 500_000,
	}
}

// withDefaults fills zero fields from DefaultLimits.
func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	if l.MaxFileSize <= 0 {
		l.MaxFileSize = d.MaxFileSize
	}
	if l.MaxObjects <= 0 {
		l.MaxObjects = d.MaxObjects
	}
	if l.MaxStreamBytes <= 0 {
		l.MaxStreamBytes = d.MaxStreamBytes
	}
	if l.MaxTotalBytes <= 0 {
		l.MaxTotalBytes = d.MaxTotalBytes
	}
	if l.MaxDepth <= 0 {
		l.MaxDepth = d.MaxDepth
	}
	if l.MaxPages <= 0 {
		l.MaxPages = d.MaxPages
	}
	if l.MaxOpsPerPage <= 0 {
		l.MaxOpsPerPage = d.MaxOpsPerPage
	}
	if l.MaxGlyphsPerPage <= 0 {
		l.MaxGlyphsPerPage = d.MaxGlyphsPerPage
	}
	return l
}
