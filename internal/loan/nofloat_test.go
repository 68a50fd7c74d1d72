package loan

import (
	"go/scanner"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Money paths must never touch floating point: no float or complex type
// may appear in this package or in internal/ledger, tests included.
func TestNoFloatingPoint(t *testing.T) {
	banned := map[string]bool{"float32": true, "float64": true, "complex64": true, "complex128": true}
	for _, dir := range []string{".", "../ledger"} {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil || len(files) == 0 {
			t.Fatalf("no Go files in %s: %v", dir, err)
		}
		for _, name := range files {
			src, err := os.ReadFile(name)
			if err != nil {
				t.Fatal(err)
			}
			fset := token.NewFileSet()
			var s scanner.Scanner
			s.Init(fset.AddFile(name, -1, len(src)), src, nil, 0)
			for {
				pos, tok, lit := s.Scan()
				if tok == token.EOF {
					break
				}
				if tok == token.IDENT && banned[lit] || tok == token.FLOAT || tok == token.IMAG {
					t.Errorf("%s: %s %q", fset.Position(pos), strings.ToLower(tok.String()), lit)
				}
			}
		}
	}
}
