package pdf

import (
	"errors"
	"fmt"
	"runtime/debug"
	"strconv"
	"strings"
)

// Sentinel errors, usable with errors.Is on any error this package returns.
var (
	// ErrNotPDF means the input does not start with a %PDF- header.
	ErrNotPDF = errors.New("not a PDF file")
	// ErrEncrypted means the file has an /Encrypt dictionary; decryption is not supported.
	ErrEncrypted = errors.New("encrypted PDF files are not supported")
	// ErrLimit means the input exceeded one of the caps in Limits.
	ErrLimit = errors.New("limit exceeded")
	// ErrMalformed means the file structure is broken beyond repair.
	ErrMalformed = errors.New("malformed PDF")
	// ErrUnsupported means the file uses a feature this package does not implement,
	// such as an image-only filter on a content stream.
	ErrUnsupported = errors.New("unsupported PDF feature")
	// ErrPageRange means a page number outside 1..NumPages was requested.
	ErrPageRange = errors.New("page number out of range")
	// ErrInternal means a bug: a panic recovered as a *PanicError.
	ErrInternal = errors.New("internal error")
)

// Specific structural problems; all of them match ErrMalformed.
var (
	errEOF      = malformed("unexpected end of data")
	errCycle    = malformed("reference cycle")
	errNotFound = malformed("object not found")
)

// Error is an error located in the input file. Zero fields are unknown and omitted
// from the message.
type Error struct {
	Page   int    // 1-based page number, 0 if not page-specific
	Object int    // object number, 0 if unknown
	Offset int64  // byte offset in the file (or in the decoded stream for content errors), -1 if unknown
	Op     string // what was being done, e.g. "parse xref" or content operator "Tf"
	Err    error
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("pdf: ")
	if e.Page > 0 {
		b.WriteString("page ")
		b.WriteString(strconv.Itoa(e.Page))
		b.WriteString(": ")
	}
	if e.Object > 0 {
		b.WriteString("object ")
		b.WriteString(strconv.Itoa(e.Object))
		b.WriteString(": ")
	}
	if e.Op != "" {
		b.WriteString(e.Op)
		if e.Offset >= 0 {
			b.WriteString(" at offset ")
			b.WriteString(strconv.FormatInt(e.Offset, 10))
		}
		b.WriteString(": ")
	} else if e.Offset >= 0 {
		b.WriteString("offset ")
		b.WriteString(strconv.FormatInt(e.Offset, 10))
		b.WriteString(": ")
	}
	if e.Err != nil {
		b.WriteString(e.Err.Error())
	} else {
		b.WriteString("unknown error")
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// errorf builds a located error. Callers higher up fill in Page/Object when
// they know them (see locate).
func errorf(op string, off int64, err error) *Error {
	return &Error{Offset: off, Op: op, Err: err}
}

// locate adds page and object context to err without losing the innermost
// location: if err already is an *Error, missing fields are filled in.
func locate(err error, page, obj int) error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		if e.Page == 0 {
			e.Page = page
		}
		if e.Object == 0 {
			e.Object = obj
		}
		return err
	}
	return &Error{Page: page, Object: obj, Offset: -1, Err: err}
}

// LimitError is the error of a cap a caller enforces through a hook (the
// memory hook of Limits.Memory, say): it matches ErrLimit, so the file is
// refused as one that exceeds the reader's caps.
func LimitError(what string, limit int64) error { return limitErr(what, limit) }

// limitErr reports that the named limit was exceeded.
func limitErr(what string, limit int64) error {
	return &limitError{what: what, limit: limit}
}

type limitError struct {
	what  string
	limit int64
}

func (e *limitError) Error() string {
	return e.what + " exceeds limit of " + strconv.FormatInt(e.limit, 10)
}

func (e *limitError) Is(target error) bool { return target == ErrLimit }

// malformed wraps ErrMalformed with a description.
func malformed(msg string) error { return &wrapped{msg: msg, err: ErrMalformed} }

func unsupported(msg string) error { return &wrapped{msg: msg, err: ErrUnsupported} }

type wrapped struct {
	msg string
	err error
}

func (e *wrapped) Error() string { return e.msg }
func (e *wrapped) Unwrap() error { return e.err }

// PanicError is a recovered panic: a bug (here, or in a memory hook),
// reported as an error so that one bad file cannot crash the caller. It
// matches ErrInternal, never a client's mistake such as ErrMalformed: the
// caller should log it with Stack and answer "internal error", never the
// panic's text.
type PanicError struct {
	Value any
	stack []byte
}

// NewPanicError records a recovered panic value with the current stack;
// call it in the deferred function that recovered.
func NewPanicError(v any) *PanicError {
	return &PanicError{Value: v, stack: debug.Stack()}
}

func (e *PanicError) Error() string        { return fmt.Sprintf("internal error: panic: %v", e.Value) }
func (e *PanicError) Is(target error) bool { return target == ErrInternal }

// Stack is the goroutine's stack where the panic was recovered.
func (e *PanicError) Stack() []byte { return e.stack }
