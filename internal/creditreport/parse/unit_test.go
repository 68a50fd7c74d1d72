package parse

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"testing"

	"creditpocket/internal/pdf"
)

func TestNorm(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"full-width brackets become half-width", "（三）居住信息", "(三)居住信息"},
		{"every dash variant becomes a hyphen", "逾期31—60天 逾期31－60天 逾期31–60天", "逾期31-60天逾期31-60天逾期31-60天"},
		{"stray spaces inside words go", "最近 6 个月平均应还款", "最近6个月平均应还款"},
		{"spaced dates close up", "截至2025 年4 月25 日", "截至2025年4月25日"},
		{"full-width digits and colon are ASCII", "报告编号：１２３", "报告编号:123"},
		{"curly quotes are straight", "个人信用报告“数字解读”", `个人信用报告"数字解读"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := norm(tt.in); got != tt.want {
				t.Errorf("norm(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestClean(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"spaces next to CJK go", "提出了 1 笔异议", "提出了1笔异议"},
		{"a space between ASCII words stays", " 2015.05.05   10:20:30 ", "2015.05.05 10:20:30"},
		{"plain values are untouched", "500,000", "500,000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := clean(tt.in); got != tt.want {
				t.Errorf("clean(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestHeadings(t *testing.T) {
	t.Run("a section heading with a numeral and a known title is recognised", func(t *testing.T) {
		if got, ok := sectionHeading(norm("三 信贷交易信息明细")); !ok || got != "信贷交易信息明细" {
			t.Errorf("got %q, %v", got, ok)
		}
	})
	t.Run("a sentence starting with a numeral is not a section", func(t *testing.T) {
		if _, ok := sectionHeading(norm("一次性还款")); ok {
			t.Error("recognised a sentence as a section")
		}
	})
	t.Run("half-width subsection brackets are recognised", func(t *testing.T) {
		if got, ok := subsectionHeading(norm("(十一)其他非公开信息")); !ok || got != "其他非公开信息" {
			t.Errorf("got %q, %v", got, ok)
		}
	})
	t.Run("the 仅展示 note is not a subsection", func(t *testing.T) {
		if _, ok := subsectionHeading(norm("（由于该类账户的数量过大，本报告中仅展示最新的 20 个账户。）")); ok {
			t.Error("recognised the note as a subsection")
		}
	})
}

func textItem(page int, y float64, text string) item {
	return item{page: page, top: y + 8, base: y, text: text, key: furnitureKey(text)}
}

func TestStripFurniture(t *testing.T) {
	pages := [][]item{
		{textItem(1, 818, "https://x.example/print 个人信用报告"), textItem(1, 700, "一 个人基本信息"), textItem(1, 30, "第 1 页，共 3 页")},
		{textItem(2, 818, "https://x.example/print 个人信用报告"), textItem(2, 600, "账户1"), textItem(2, 30, "第 2 页，共 3 页")},
		{textItem(3, 818, "https://x.example/print 个人信用报告"), textItem(3, 700, "账户2"), textItem(3, 31, "第3页,共3页")},
	}
	var kept []string
	for _, items := range stripFurniture(pages) {
		for _, it := range items {
			kept = append(kept, it.text)
		}
	}
	if want := []string{"一 个人基本信息", "账户1", "账户2"}; !slices.Equal(kept, want) {
		t.Errorf("kept %q, want %q", kept, want)
	}
}

func cellAt(x0, x1 float64, text string) *cell {
	c := &cell{x0: x0, x1: x1}
	if text != "" {
		c.lines = []string{text}
	}
	return c
}

func TestJoinPages(t *testing.T) {
	xs := []float64{40, 140, 300, 550}
	head := row{cellAt(40, 140, "管理机构"), cellAt(140, 300, "账户标识"), cellAt(300, 550, "开立日期")}
	vals := row{cellAt(40, 140, "中国银行股份有限公司"), cellAt(140, 300, "AB12"), cellAt(300, 550, "2015.05.05")}
	t.Run("a continuation with the same columns joins the table", func(t *testing.T) {
		a := &table{page: 1, xs: xs, rows: []row{head}}
		b := &table{page: 2, xs: xs, rows: []row{vals}}
		out := joinPages([][]item{{{page: 1, tbl: a}}, {{page: 2, tbl: b}}})
		if len(out) != 1 || len(out[0].tbl.rows) != 2 {
			t.Fatalf("got %d items, want one table of two rows", len(out))
		}
	})
	t.Run("a row cut by the page break gets its overflow back", func(t *testing.T) {
		a := &table{page: 1, xs: xs, rows: []row{head, vals}}
		frag := row{cellAt(40, 140, "北京分行"), cellAt(140, 300, ""), cellAt(300, 550, "")}
		b := &table{page: 2, xs: xs, rows: []row{frag}}
		out := joinPages([][]item{{{page: 1, tbl: a}}, {{page: 2, tbl: b}}})
		if got := out[0].tbl.rows[1][0].text(); got != "中国银行股份有限公司北京分行" {
			t.Errorf("cut cell = %q", got)
		}
	})
	t.Run("a table with other columns stays apart", func(t *testing.T) {
		a := &table{page: 1, xs: xs, rows: []row{head}}
		b := &table{page: 2, xs: []float64{40, 200, 550}, rows: []row{{cellAt(40, 200, "x"), cellAt(200, 550, "y")}}}
		if out := joinPages([][]item{{{page: 1, tbl: a}}, {{page: 2, tbl: b}}}); len(out) != 2 {
			t.Errorf("got %d items, want 2", len(out))
		}
	})
}

// rect draws the four sides of a cell.
func rect(x0, y0, x1, y1 float64) []pdf.Segment {
	return []pdf.Segment{{X0: x0, Y0: y0, X1: x1, Y1: y0}, {X0: x0, Y0: y1, X1: x1, Y1: y1}, {X0: x0, Y0: y0, X1: x0, Y1: y1}, {X0: x1, Y0: y0, X1: x1, Y1: y1}}
}

func glyphs(text string, x, y float64) []pdf.Glyph {
	var out []pdf.Glyph
	for _, r := range text {
		out = append(out, pdf.Glyph{Text: string(r), X: x, Y: y, W: 7, Size: 7})
		x += 7
	}
	return out
}

func TestGridCells(t *testing.T) {
	// A year cell spanning two rows next to two one-row cells; a wrapped
	// value over two lines in the right cell of the first row.
	p := &pdf.Page{Number: 1, Width: 595, Height: 842}
	p.Lines = append(p.Lines, rect(40, 700, 100, 730)...)
	p.Lines = append(p.Lines, rect(100, 715, 300, 730)...)
	p.Lines = append(p.Lines, rect(100, 700, 300, 715)...)
	p.Lines = append(p.Lines, pdf.Segment{X0: 99.8, Y0: 700, X1: 99.8, Y1: 730}) // a second, offset border
	p.Glyphs = append(p.Glyphs, glyphs("2019", 45, 712)...)
	p.Glyphs = append(p.Glyphs, glyphs("中国银行", 105, 724)...)
	p.Glyphs = append(p.Glyphs, glyphs("北京分行", 105, 717)...)
	p.Glyphs = append(p.Glyphs, glyphs("0", 105, 704)...)
	items, err := layoutPage(p)
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 1 || items[0].tbl == nil {
		t.Fatalf("got %d items, want one table", len(items))
	}
	rows := items[0].tbl.rows
	if len(rows) != 2 || len(rows[0]) != 2 || len(rows[1]) != 1 {
		t.Fatalf("rows %v, want a merged year cell and two one-row cells", rows)
	}
	if got := rows[0][0].text(); got != "2019" {
		t.Errorf("year cell = %q", got)
	}
	if got := rows[0][1].text(); got != "中国银行北京分行" {
		t.Errorf("wrapped cell = %q, want the lines joined without a space", got)
	}
}

func TestWatermarkDropped(t *testing.T) {
	var in []pdf.Glyph
	for i, r := range []rune("仅供授信审批使用") {
		in = append(in, pdf.Glyph{Text: string(r), X: 150 + 32.8*float64(i), Y: 282 + 22.9*float64(i), W: 40, Size: 40})
	}
	in = append(in, glyphs("正常", 50, 100)...)
	got := dropWatermarks(in)
	if len(got) != 2 || got[0].text != "正" {
		t.Errorf("kept %d glyphs, want only the two body glyphs", len(got))
	}
}

func TestReadErrors(t *testing.T) {
	t.Run("garbage is a located error, not a panic", func(t *testing.T) {
		_, err := NewReader(bytes.NewReader([]byte("hello")), 5, Options{}).Read(context.Background())
		var pe *Error
		if !errors.As(err, &pe) {
			t.Fatalf("err = %v, want *Error", err)
		}
	})
	t.Run("a file over the size limit is refused", func(t *testing.T) {
		_, err := NewReader(bytes.NewReader(nil), 100<<20, Options{}).Read(context.Background())
		if !errors.Is(err, ErrTooLarge) {
			t.Fatalf("err = %v, want ErrTooLarge", err)
		}
	})
}
