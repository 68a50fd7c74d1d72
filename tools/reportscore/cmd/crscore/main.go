// Command crscore scores an extracted credit-report JSON against the
// expected JSON of a fixture and prints precision, recall, F1 and the first
// differing fields.
//
// Usage:
//
//	crscore [-n 20] [-min-f1 0.99] expected.json got.json
package main

import (
	"flag"
	"fmt"
	"os"

	"creditpocket/tools/reportscore"
)

func main() {
	n := flag.Int("n", 20, "number of differences to print")
	minF1 := flag.Float64("min-f1", 0, "exit with status 1 when F1 is below this")
	flag.Usage = func() {
		fmt.Fprintln(flag.CommandLine.Output(), "usage: crscore [-n 20] [-min-f1 0.99] expected.json got.json")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 2 {
		flag.Usage()
		os.Exit(2)
	}
	expected, err := os.ReadFile(flag.Arg(0))
	if err != nil {
		fmt.Fprintln(os.Stderr, "crscore:", err)
		os.Exit(2)
	}
	got, err := os.ReadFile(flag.Arg(1))
	if err != nil {
		fmt.Fprintln(os.Stderr, "crscore:", err)
		os.Exit(2)
	}
	r, err := reportscore.Score(expected, got)
	if err != nil {
		fmt.Fprintln(os.Stderr, "crscore:", err)
		os.Exit(2)
	}
	fmt.Print(r.Format(*n))
	if r.F1 < *minF1 {
		os.Exit(1)
	}
}
