package store

import (
	"strconv"
	"strings"
)

// forUpdate locks the rows a read returns on PostgreSQL (and CockroachDB);
// SQLite has one writer, so its write transactions are serial already.
func (t *Tx) forUpdate() string {
	if t.db.Engine == Postgres {
		return " FOR UPDATE"
	}
	return ""
}

// valuesList appends "($1, $2…), (…)" for rows to prefix.
func valuesList(prefix string, rows [][]any) (string, []any) {
	var b strings.Builder
	b.WriteString(prefix)
	args := make([]any, 0, len(rows)*len(rows[0]))
	for i, row := range rows {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('(')
		for j, v := range row {
			if j > 0 {
				b.WriteString(", ")
			}
			args = append(args, v)
			b.WriteString("$" + strconv.Itoa(len(args)))
		}
		b.WriteByte(')')
	}
	return b.String(), args
}
