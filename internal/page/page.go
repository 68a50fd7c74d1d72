// Package page holds the paging request shared by every list endpoint:
// the app sends pageNum (1-based) and pageSize.
package page

// MaxSize caps a page so one request cannot ask for the whole table.
const MaxSize = 100

// DefaultSize is used when the client sends no pageSize.
const DefaultSize = 10

// Request is a validated page request.
type Request struct {
	Num  int // 1-based
	Size int
}

// Offset is the number of rows to skip.
func (r Request) Offset() int { return (r.Num - 1) * r.Size }

// Limit is the number of rows to return.
func (r Request) Limit() int { return r.Size }

// Result is one page of items and the total count.
type Result[T any] struct {
	Items []T
	Total int64
}
