// Package reportcmd is the "creditpocket report parse" command: credit-report
// PDFs to the contract JSON, one to stdout or many in parallel into a folder.
package reportcmd

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"

	"creditpocket/internal/creditreport"
	"creditpocket/internal/creditreport/parse"
)

const reportUsage = `usage: creditpocket report parse FILE|DIR... [--out DIR] [--normalize]

Parses credit-report PDFs into the contract JSON. One file prints its JSON
to stdout; several files (or a directory of PDFs) write NAME.json each into
--out, in parallel on every core, with progress on stderr and a summary of
failures. --normalize prints typed values (amounts in fen, ISO dates).
`

// Run runs "creditpocket report args…".
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "parse" {
		fmt.Fprint(stderr, reportUsage)
		return errors.New("report: expected the sub-command parse")
	}
	fs := flag.NewFlagSet("report parse", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, reportUsage) }
	out := fs.String("out", "", "directory for the JSON files when parsing several PDFs")
	normalize := fs.Bool("normalize", false, "typed values: amounts as integer fen, ISO-8601 dates, null for --")
	// Flags may follow the files: parse, take a positional, parse again.
	var inputs []string
	rest := args[1:]
	for {
		if err := fs.Parse(rest); err != nil {
			return err
		}
		if fs.NArg() == 0 {
			break
		}
		inputs = append(inputs, fs.Arg(0))
		rest = fs.Args()[1:]
	}
	files, err := reportInputs(inputs)
	if err != nil {
		return err
	}
	if len(files) == 0 {
		fmt.Fprint(stderr, reportUsage)
		return errors.New("report parse: no PDF given")
	}
	render := func(path string) ([]byte, error) {
		rep, err := parse.FileContext(ctx, path, parse.Options{AutoClassify: true})
		if err != nil {
			return nil, err
		}
		if !*normalize {
			return creditreport.Marshal(rep)
		}
		typed, err := creditreport.Normalize(rep)
		if err != nil {
			return nil, err
		}
		data, err := json.MarshalIndent(typed, "", "  ")
		return append(data, '\n'), err
	}
	if len(files) == 1 && *out == "" {
		data, err := render(files[0])
		if err != nil {
			return fmt.Errorf("%s: %w", files[0], err)
		}
		_, err = stdout.Write(data)
		return err
	}
	if *out == "" {
		return errors.New("report parse: several PDFs need --out DIR")
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return fmt.Errorf("report parse: %w", err)
	}
	return parseBatch(ctx, files, *out, render, stderr)
}

// reportInputs expands directories to the PDFs directly inside them.
func reportInputs(args []string) ([]string, error) {
	var files []string
	for _, a := range args {
		st, err := os.Stat(a)
		if err != nil {
			return nil, fmt.Errorf("report parse: %w", err)
		}
		if !st.IsDir() {
			files = append(files, a)
			continue
		}
		matches, err := filepath.Glob(filepath.Join(a, "*.pdf"))
		if err != nil {
			return nil, fmt.Errorf("report parse: %w", err)
		}
		sort.Strings(matches)
		files = append(files, matches...)
	}
	return files, nil
}

// parseBatch parses files on runtime.NumCPU() workers, writing DIR/NAME.json
// for each and a progress line to stderr; it fails if any file failed.
func parseBatch(ctx context.Context, files []string, dir string, render func(string) ([]byte, error), stderr io.Writer) error {
	jobs := make(chan string)
	var mu sync.Mutex
	var failed []string
	done := 0
	var wg sync.WaitGroup
	for range min(runtime.NumCPU(), len(files)) {
		wg.Go(func() {
			for path := range jobs {
				data, err := render(path)
				if err == nil {
					name := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path)) + ".json"
					err = os.WriteFile(filepath.Join(dir, name), data, 0o644)
				}
				mu.Lock()
				done++
				if err != nil {
					failed = append(failed, fmt.Sprintf("%s: %v", path, err))
				}
				fmt.Fprintf(stderr, "\rparsed %d/%d, %d failed", done, len(files), len(failed))
				mu.Unlock()
			}
		})
	}
	for _, f := range files {
		if ctx.Err() != nil {
			break
		}
		jobs <- f
	}
	close(jobs)
	wg.Wait()
	fmt.Fprintln(stderr)
	if err := ctx.Err(); err != nil {
		return err
	}
	if len(failed) > 0 {
		sort.Strings(failed)
		for _, f := range failed {
			fmt.Fprintln(stderr, "failed:", f)
		}
		return fmt.Errorf("report parse: %d of %d files failed", len(failed), len(files))
	}
	return nil
}
