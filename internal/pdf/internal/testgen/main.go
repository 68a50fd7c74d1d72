// Command testgen regenerates the PDF fixtures in internal/pdf/testdata from
// a synthetic credit report, using three producers: gopdf (CID fonts written
// by Go), LibreOffice (one-byte TrueType subsets) and Chromium (Skia). It
// needs the WenQuanYi Micro Hei font (Debian fonts-wqy-microhei) and, for the
// last two, soffice and chromium on PATH. Tests never run it.
//
//	go run ./internal/pdf/internal/testgen -out internal/pdf/testdata
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/signintech/gopdf"
)

func main() {
	ttc := flag.String("font", "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", "WenQuanYi Micro Hei collection")
	out := flag.String("out", "internal/pdf/testdata", "output directory")
	only := flag.String("only", "", "generate only this producer (gopdf, libreoffice, chromium)")
	flag.Parse()
	if err := run(*ttc, *out, *only); err != nil {
		log.Fatal(err)
	}
}

func run(ttcPath, out, only string) error {
	tmp, err := os.MkdirTemp("", "testgen")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	if only == "" || only == "gopdf" {
		raw, err := os.ReadFile(ttcPath)
		if err != nil {
			return err
		}
		ttf, err := splitTTC(raw, 0)
		if err != nil {
			return fmt.Errorf("split %s: %w", ttcPath, err)
		}
		fontPath := filepath.Join(tmp, "wqy.ttf")
		if err := os.WriteFile(fontPath, ttf, 0o644); err != nil {
			return err
		}
		if err := gopdfReport(fontPath, filepath.Join(out, "gopdf-report.pdf"), 5, 2); err != nil {
			return err
		}
		if err := gopdfReport(fontPath, filepath.Join(out, "gopdf-report-30.pdf"), 400, 30); err != nil {
			return err
		}
	}
	htmlPath := filepath.Join(tmp, "report.html")
	if err := os.WriteFile(htmlPath, []byte(html(reportBlocks(6))), 0o644); err != nil {
		return err
	}
	if only == "" || only == "libreoffice" {
		cmd := exec.Command("soffice", "--headless", "--convert-to", "pdf", "--outdir", tmp, htmlPath)
		cmd.Env = append(os.Environ(), "HOME="+tmp)
		if b, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("soffice: %v: %s", err, b)
		}
		if err := os.Rename(filepath.Join(tmp, "report.pdf"), filepath.Join(out, "libreoffice-report.pdf")); err != nil {
			return err
		}
	}
	if only == "" || only == "chromium" {
		profile := filepath.Join(tmp, "profile")
		cmd := exec.Command("chromium", "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
			"--disable-background-networking", "--disable-component-update", "--disable-sync",
			"--user-data-dir="+profile, "--no-pdf-header-footer",
			"--print-to-pdf="+filepath.Join(out, "chromium-report.pdf"), "file://"+htmlPath)
		if b, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("chromium: %v: %s", err, b)
		}
	}
	return nil
}

// gopdfReport lays the report out on A4 pages with ruled tables: lines for
// the grid, a thin filled rectangle under each table header (another way
// producers draw borders) and a page footer.
func gopdfReport(fontPath, out string, accounts, maxPages int) error {
	pdf := gopdf.GoPdf{}
	pdf.Start(gopdf.Config{PageSize: *gopdf.PageSizeA4})
	pdf.SetInfo(gopdf.PdfInfo{Title: "个人信用报告", Creator: "creditpocket testgen", Producer: "gopdf", CreationDate: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)})
	if err := pdf.AddTTFFont("wqy", fontPath); err != nil {
		return err
	}
	const left, width, rowH, bottom = 40.0, 515.0, 18.0, 790.0
	blocks := reportBlocks(accounts)
	// Lay out first to count pages for the "第 X 页，共 Y 页" footer.
	type placed struct {
		page int
		y    float64
		b    block
	}
	var items []placed
	page, y := 1, 100.0
	for _, b := range blocks {
		h := rowH
		if b.rows != nil {
			h = rowH*float64(len(b.rows)) + 6
		}
		if y+h > bottom {
			if page == maxPages {
				break
			}
			page, y = page+1, 50
		}
		items = append(items, placed{page, y, b})
		y += h
	}
	pages := page
	for p := 1; p <= pages; p++ {
		pdf.AddPage()
		if p == 1 {
			_ = pdf.SetFont("wqy", "", 18)
			pdf.SetXY(240, 40)
			_ = pdf.Cell(nil, "个人信用报告")
			_ = pdf.SetFont("wqy", "", 11)
			pdf.SetXY(250, 66)
			_ = pdf.Cell(nil, "（授信机构版）")
		}
		for _, it := range items {
			if it.page != p {
				continue
			}
			if it.b.rows == nil {
				_ = pdf.SetFont("wqy", "", 10)
				pdf.SetXY(left, it.y+3)
				_ = pdf.Cell(nil, it.b.heading)
				continue
			}
			drawTable(&pdf, left, it.y, width, rowH, it.b.rows)
		}
		_ = pdf.SetFont("wqy", "", 8)
		pdf.SetXY(270, 810)
		_ = pdf.Cell(nil, fmt.Sprintf("第 %d 页，共 %d 页", p, pages))
	}
	return pdf.WritePdf(out)
}

func drawTable(pdf *gopdf.GoPdf, x, y, w, rowH float64, rows [][]string) {
	cols := len(rows[0])
	colW := w / float64(cols)
	h := rowH * float64(len(rows))
	pdf.SetLineWidth(0.5)
	// Top border as a thin filled rectangle, the rest as stroked lines.
	pdf.RectFromUpperLeftWithStyle(x, y-0.4, w, 0.8, "F")
	for r := 1; r <= len(rows); r++ {
		pdf.Line(x, y+rowH*float64(r), x+w, y+rowH*float64(r))
	}
	for c := 0; c <= cols; c++ {
		pdf.Line(x+colW*float64(c), y, x+colW*float64(c), y+h)
	}
	_ = pdf.SetFont("wqy", "", 9)
	for r, row := range rows {
		for c, cell := range row {
			pdf.SetXY(x+colW*float64(c)+3, y+rowH*float64(r)+4)
			_ = pdf.Cell(nil, cell)
		}
	}
}
