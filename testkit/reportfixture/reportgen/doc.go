// Package reportgen makes synthetic PBOC personal credit reports: from a
// profile (Thin, Typical, Thick, EveryState) and a random seed, Generate
// builds a creditreport.Report — people, accounts, 24/60-month repayment
// grids, public records, queries — whose summary sections are computed
// from its details, so they always agree. The same profile and seed give
// the same report. Package reportfixture prints it as a PDF.
package reportgen
