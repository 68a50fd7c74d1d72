package main

import (
	"fmt"
	"strings"
)

// block is one piece of the synthetic credit report: a heading line or a
// ruled table. The same blocks feed every producer so fixtures are comparable.
type block struct {
	heading string
	rows    [][]string // first row is the header
}

// reportBlocks builds a synthetic PBOC-style report with the given number of
// account blocks. Content is deterministic so regenerated files match goldens.
func reportBlocks(accounts int) []block {
	b := []block{
		{heading: "报告编号：2015050500001234567890  报告时间：2015.05.05 10:20:30"},
		{rows: [][]string{
			{"被查询者姓名", "被查询者证件类型", "被查询者证件号码", "查询机构", "查询原因"},
			{"张三", "身份证", "110101199001011234", "某某银行股份有限公司", "贷款审批"},
		}},
		{heading: "一 个人基本信息"},
		{heading: "（一）身份信息"},
		{rows: [][]string{
			{"性别", "出生日期", "婚姻状况", "学历", "学位", "就业状况"},
			{"男", "1990.01.01", "已婚", "大学本科", "学士", "在职"},
		}},
		{heading: "二 信息概要"},
		{rows: [][]string{
			{"业务类型", "账户数", "首笔业务发放月份"},
			{"个人住房贷款", "1", "2012.03"},
			{"贷记卡", "3", "2010.07"},
			{"合计", "4", "--"},
		}},
		{heading: "三 信贷交易信息明细"},
	}
	for i := 1; i <= accounts; i++ {
		b = append(b,
			block{heading: fmt.Sprintf("账户%d（授信协议标识：A%08d）", i, 1000+i)},
			block{rows: [][]string{
				{"管理机构", "账户标识", "开立日期", "到期日期", "借款金额", "账户币种"},
				{"某某银行", fmt.Sprintf("L%06d", 500+i), fmt.Sprintf("2014.%02d.15", i%12+1), "2034.03.15", fmt.Sprintf("%d,000", 100+i*7), "人民币元"},
			}},
			block{rows: [][]string{
				{"账户状态", "五级分类", "余额", "本月应还款", "应还款日", "最近一次还款日期"},
				{"正常", "正常", fmt.Sprintf("%d,%03d", 80+i, (i*37)%1000), fmt.Sprintf("%d", 1200+i), "15", "2015.04.15"},
			}},
		)
	}
	return b
}

// html renders the blocks for LibreOffice and Chromium.
func html(blocks []block) string {
	var s strings.Builder
	s.WriteString(`<!DOCTYPE html><html><head><meta charset="utf-8"><title>个人信用报告</title>
<style>
body { font-family: "WenQuanYi Micro Hei"; font-size: 10pt; }
table { border-collapse: collapse; width: 100%; margin-bottom: 6pt; }
td, th { border: 1px solid black; padding: 2pt; font-weight: normal; }
</style></head><body>
<p align="center"><font size="5">个人信用报告</font></p><p align="center">（授信机构版）</p>
`)
	for _, b := range blocks {
		if b.heading != "" {
			fmt.Fprintf(&s, "<p>%s</p>\n", b.heading)
			continue
		}
		s.WriteString(`<table border="1" cellspacing="0" cellpadding="3" width="100%">` + "\n")
		for _, r := range b.rows {
			s.WriteString("<tr>")
			for _, c := range r {
				fmt.Fprintf(&s, "<td>%s</td>", c)
			}
			s.WriteString("</tr>\n")
		}
		s.WriteString("</table>\n")
	}
	s.WriteString("</body></html>\n")
	return s.String()
}
