package parse

import (
	"regexp"
	"strings"

	cr "creditpocket/internal/creditreport"
)

var (
	reportNo   = regexp.MustCompile(`报告编号:?(\d{10,})`)
	reportTime = regexp.MustCompile(`报告时间:?(\d{4}\.\d{1,2}\.\d{1,2})(\d{1,2}:\d{2}:\d{2})`)
	telephone  = regexp.MustCompile(`联系电话:?([0-9+\-]+)`)
)

// header reads everything before 一 个人基本信息.
func (w *walker) header(items []item) error {
	h := &w.r.CreditHeader
	for _, n := range texts(items) {
		if m := reportNo.FindStringSubmatch(n); m != nil && h.SerialNo == "" {
			h.SerialNo = m[1]
		}
		if m := reportTime.FindStringSubmatch(n); m != nil && h.ReportTime == "" {
			h.ReportTime = m[1] + " " + m[2]
		}
	}
	// Some producers print 报告编号 and 报告时间 in a borderless table; a ruled
	// one would come back as cells.
	for _, t := range tables(items) {
		for _, r := range t.rows {
			for _, c := range r {
				n := norm(c.text())
				if m := reportNo.FindStringSubmatch(n); m != nil && h.SerialNo == "" {
					h.SerialNo = m[1]
				}
				if m := reportTime.FindStringSubmatch(n); m != nil && h.ReportTime == "" {
					h.ReportTime = m[1] + " " + m[2]
				}
			}
		}
	}
	for _, row := range w.list(tables(items), "被查询者姓名", "被查询者证件类型", "被查询者证件号码", "查询机构", "查询原因") {
		h.WhoWasChecked, h.IDType, h.IDNum, h.Organization, h.Reason = row[0], row[1], row[2], row[3], row[4]
		break
	}
	isHeading := func(n string) bool {
		return n == "其他证件信息" || n == "防欺诈警示" || n == "异议信息提示"
	}
	for _, s := range segments(items, isHeading) {
		switch s.heading {
		case "其他证件信息":
			for _, row := range w.list(tables(s.items), "证件类型", "证件号码") {
				w.r.OtherIDInfo = append(w.r.OtherIDInfo, cr.OtherID{IDType: row[0], IDNum: row[1]})
			}
		case "防欺诈警示":
			a := &cr.AntiHack{}
			if m := telephone.FindStringSubmatch(strings.Join(texts(s.items), "")); m != nil {
				a.Tel = m[1]
			}
			m := kvMap(kv(tables(s.items), labelSet("生效日期", "截止日期")))
			fill(m, map[string]*string{"生效日期": &a.EffectDate, "截止日期": &a.DueDate})
			w.r.AntiHackInfo = a
		case "异议信息提示":
			var sentence strings.Builder
			for _, it := range s.items {
				if it.tbl == nil {
					sentence.WriteString(clean(it.text))
				}
			}
			h.ObjectionInfo = sentence.String()
		}
	}
	return nil
}

// basic reads 一 个人基本信息.
func (w *walker) basic(p *part) error {
	b := &w.r.PersonBasicInfo
	tbls := tables(p.items)
	switch p.sub {
	case "身份信息":
		i := &b.PersonInfo
		m := kvMap(kv(tbls, labelSet("性别", "出生日期", "婚姻状况", "学历", "学位", "就业状况", "国籍", "电子邮箱", "通讯地址", "户籍地址")))
		fill(m, map[string]*string{"性别": &i.Gender, "出生日期": &i.Birthday, "婚姻状况": &i.IsMarried, "学历": &i.Education, "学位": &i.Qualification,
			"就业状况": &i.Job, "国籍": &i.Country, "电子邮箱": &i.Email, "通讯地址": &i.PostAddr, "户籍地址": &i.RegisterAddr})
		for _, row := range w.list(tbls, "编号", "手机号码", "信息更新日期") {
			i.Mobile = append(i.Mobile, cr.Mobile{No: row[0], Mobile: row[1], UpdateAt: row[2]})
		}
	case "配偶信息":
		for _, row := range w.list(tbls, "姓名", "证件类型", "证件号码", "工作单位", "联系电话") {
			b.ConnubialInfo = cr.Spouse{Name: row[0], IDType: row[1], IDNum: row[2], Company: row[3], Tel: row[4]}
			break
		}
	case "居住信息":
		for _, row := range w.list(tbls, "编号", "居住地址", "住宅电话", "居住状况", "信息更新日期") {
			b.LivedInfos = append(b.LivedInfos, cr.Residence{No: row[0], Address: row[1], HomeTel: row[2], Status: row[3], UpdateAt: row[4]})
		}
	case "职业信息":
		byNo := map[string]int{}
		for _, row := range w.list(tbls, "编号", "工作单位", "单位性质", "单位地址", "单位电话") {
			byNo[row[0]] = len(b.Experiences)
			b.Experiences = append(b.Experiences, cr.Occupation{No: row[0], Company: row[1], CompanyCharacter: row[2], Address: row[3], OfficeTel: row[4]})
		}
		for _, row := range w.list(tbls, "编号", "职业", "行业", "职务", "职称", "进入本单位年份", "信息更新日期") {
			i, ok := byNo[row[0]]
			if !ok {
				i = len(b.Experiences)
				byNo[row[0]] = i
				b.Experiences = append(b.Experiences, cr.Occupation{No: row[0]})
			}
			e := &b.Experiences[i]
			e.JobNature, e.Industry, e.Title, e.Level, e.StartedAt, e.UpdateAt = row[1], row[2], row[3], row[4], row[5], row[6]
		}
	}
	return nil
}

// summary reads 二 信息概要: tables under their printed headings.
func (w *walker) summary(p *part) error {
	s := &w.r.InfoSummary
	tbls := tables(p.items)
	switch p.sub {
	case `个人信用报告"数字解读"`, "个人信用报告数字解读":
		for _, row := range w.listCells(tbls, "数字解读", "相对位置", "说明") {
			e := &s.PersonalCreditReportExplication
			e.DigitExplication, e.RelativeLocation = clean(row[0].text()), clean(row[1].text())
			e.Desc = descItems(row[2])
			break
		}
		return nil
	case "信贷交易信息提示":
		w.hint(tbls)
		return nil
	}
	isHeading := func(n string) bool {
		return strings.HasSuffix(n, "汇总") || strings.HasSuffix(n, "概要") || n == "上一次查询记录" || n == "异议及说明信息"
	}
	for _, seg := range segments(p.items, isHeading) {
		st := tables(seg.items)
		switch seg.heading {
		case "被追偿信息汇总":
			rs := &s.CreditTransBreachInfoSummary.RecourseInfoSummary
			for _, row := range w.list(st, "业务类型", "账户数", "余额") {
				if norm(row[0]) == "合计" {
					rs.TotalAccountNum, rs.SurplusAmount = row[1], row[2]
					continue
				}
				rs.Detail = append(rs.Detail, cr.RecourseSummaryRow{Type: row[0], AccountNum: row[1], SurplusAmount: row[2]})
			}
		case "呆账信息汇总":
			b := &s.CreditTransBreachInfoSummary.BadDebtsSummary
			fill(kvMap(kv(st, labelSet("账户数", "余额"))), map[string]*string{"账户数": &b.AccountNum, "余额": &b.SurplusAmount})
		case "逾期(透支)信息汇总":
			for _, row := range w.list(st, "账户类型", "账户数", "月份数", "单月最高逾期/透支总额", "最长逾期/透支月数") {
				s.CreditTransBreachInfoSummary.OverdueInfoCollection = append(s.CreditTransBreachInfoSummary.OverdueInfoCollection,
					cr.OverdueSummary{Type: row[0], AccountNum: row[1], MonthNum: row[2], MaxAmountPerMonth: row[3], MaxOverdueMonthNum: row[4]})
			}
		case "非循环贷账户信息汇总", "循环额度下分账户信息汇总", "循环贷账户信息汇总":
			x := &s.CreditTransExtensionAndDebtSummary
			l := map[string]*cr.LoanSummary{"非循环贷账户信息汇总": &x.AcyclicLoanAccountInfoSummary, "循环额度下分账户信息汇总": &x.CyclicalAmountAccountInfoSummary, "循环贷账户信息汇总": &x.CyclicalLoanAccountInfoSummary}[seg.heading]
			m := kvMap(kv(st, labelSet("管理机构数", "账户数", "授信总额", "余额", "最近6个月平均应还款")))
			fill(m, map[string]*string{"管理机构数": &l.ManageCompanyNum, "账户数": &l.AccountNum, "授信总额": &l.ExtensionAmount, "余额": &l.SurplusAmount, "最近6个月平均应还款": &l.Avg6MonthPay})
		case "贷记卡账户信息汇总":
			c := &s.CreditTransExtensionAndDebtSummary.CreditAccountInfoSummary
			m := kvMap(kv(st, labelSet("发卡机构数", "账户数", "授信总额", "单家机构最高授信额", "单家机构最低授信额", "已用额度", "最近6个月平均使用额度")))
			fill(m, map[string]*string{"发卡机构数": &c.CompanyNum, "账户数": &c.AccountNum, "授信总额": &c.ExtensionAmount, "单家机构最高授信额": &c.MaxAmountPerCompany,
				"单家机构最低授信额": &c.MinAmountPerCompany, "已用额度": &c.UsedAmount, "最近6个月平均使用额度": &c.Avg6MonthUsedAmount})
		case "准贷记卡账户信息汇总":
			q := &s.CreditTransExtensionAndDebtSummary.QuasiCreditAccountInfoSummary
			m := kvMap(kv(st, labelSet("发卡机构数", "账户数", "授信总额", "单家机构最高授信额", "单家机构最低授信额", "透支余额", "最近6个月平均透支余额")))
			fill(m, map[string]*string{"发卡机构数": &q.CompanyNum, "账户数": &q.AccountNum, "授信总额": &q.ExtensionAmount, "单家机构最高授信额": &q.MaxAmountPerCompany,
				"单家机构最低授信额": &q.MinAmountPerCompany, "透支余额": &q.SurplusAmount, "最近6个月平均透支余额": &q.Avg6MonthOverdraftAmount})
		case "相关还款责任信息汇总":
			w.dutySummary(st)
		case "后付费业务欠费信息汇总":
			for _, row := range w.list(st, "业务类型", "账户数", "欠费金额") {
				s.NoncreditTransInfoSummary = append(s.NoncreditTransInfoSummary, cr.NoncreditSummaryRow{Type: row[0], AccountNum: row[1], DebtAmount: row[2]})
			}
		case "公共信息汇总":
			for _, row := range w.list(st, "信息类型", "记录数", "涉及金额") {
				s.PublicInfoSummary = append(s.PublicInfoSummary, cr.PublicSummaryRow{Type: row[0], RecordNum: row[1], ReferenceAmount: row[2]})
			}
		case "非金融信用交易信息概要":
			for _, row := range w.list(st, "信息类型", "笔数") {
				s.NonFinanceCreditTransInfoSummary = append(s.NonFinanceCreditTransInfoSummary, cr.NonFinanceSummaryRow{Type: row[0], Number: row[1]})
			}
		case "公开信息概要":
			for _, row := range w.list(st, "信息类型", "记录数") {
				s.OpenInfoSummary = append(s.OpenInfoSummary, cr.OpenSummaryRow{Type: row[0], RecordNum: row[1]})
			}
		case "上一次查询记录":
			for _, row := range w.list(st, "查询日期", "查询机构", "查询原因") {
				s.QueryRecordSummary.LastQueryRecord = cr.LastQuery{Date: row[0], CompanyName: row[1], Detail: row[2]}
				break
			}
		case "异议及说明信息":
			for _, row := range w.list(st, "异议标注", "添加日期") {
				s.QueryRecordSummary.ObjectionAndDescription = cr.Annotation{ObjectionLabel: row[0], AddDate: row[1]}
				break
			}
		}
		if p.sub == "查询记录概要" {
			w.queryCounts(st)
		}
	}
	return nil
}

// descItems splits the 说明 cell into its items: a line starting with
// 影响因素 starts an item, other lines continue the previous one.
func descItems(c *cell) []string {
	var out []string
	for _, ln := range c.lines {
		ln = clean(ln)
		if ln == "" {
			continue
		}
		if len(out) == 0 || strings.HasPrefix(ln, "影响因素") || !strings.HasPrefix(out[0], "影响因素") {
			out = append(out, ln)
			continue
		}
		out[len(out)-1] += ln
	}
	return out
}

// listCells is list returning the cells themselves, for multi-line values.
func (w *walker) listCells(tbls []*table, header ...string) [][]*cell {
	want := make([]string, len(header))
	for i, h := range header {
		want[i] = norm(h)
	}
	var out [][]*cell
	for _, t := range tbls {
		hi := headerRow(t, want)
		if hi < 0 {
			continue
		}
		cols := headerCells(t.rows[hi], want)
		for _, r := range t.rows[hi+1:] {
			vals := make([]*cell, len(want))
			for i, c := range cols {
				vals[i] = &cell{}
				if c != nil {
					if d := below(c, r); d != nil {
						vals[i] = d
					}
				}
			}
			out = append(out, vals)
		}
	}
	return out
}

// hint reads 信贷交易信息提示: 业务类型 spans two columns, the group (贷款,
// 信用卡) is a cell spanning its rows, 其他 and 合计 span both columns.
func (w *walker) hint(tbls []*table) {
	h := &w.r.InfoSummary.CreditTransInfoHint
	want := []string{"业务类型", "账户数", "首笔业务发放月份"}
	for _, t := range tbls {
		hi := headerRow(t, want)
		if hi < 0 {
			continue
		}
		cols := headerCells(t.rows[hi], want)
		if cols[0] == nil || cols[1] == nil || cols[2] == nil {
			continue
		}
		typeCol := cols[0]
		group := ""
		for _, r := range t.rows[hi+1:] {
			var inType []*cell
			for _, c := range r {
				if overlap(c, typeCol) > 0.5*(c.x1-c.x0) {
					inType = append(inType, c)
				}
			}
			var kind string
			switch len(inType) {
			case 0:
				continue
			case 1:
				c := inType[0]
				if c.x0-typeCol.x0 > 2 { // the second column: a row of the current group
					kind = clean(c.text())
				} else {
					group, kind = "", clean(c.text())
				}
			default:
				// An empty group cell is the rest of a group cell the page
				// break cut.
				if g := norm(inType[0].text()); g != "" {
					group = g
				}
				kind = clean(inType[len(inType)-1].text())
			}
			num, first := "", ""
			if d := below(cols[1], r); d != nil {
				num = clean(d.text())
			}
			if d := below(cols[2], r); d != nil {
				first = clean(d.text())
			}
			row := cr.HintRow{Type: kind, AccountNum: num, FirstGotAt: first}
			switch {
			case norm(kind) == "合计":
				h.TotalAccountNum = num
			case group == "贷款":
				h.Detail.Loan = append(h.Detail.Loan, row)
			case group == "信用卡":
				h.Detail.CreditCard = append(h.Detail.CreditCard, row)
			default:
				h.Detail.Others = append(h.Detail.Others, row)
			}
		}
		return
	}
}

// dutySummary reads the three-level header of 相关还款责任信息汇总: each value
// cell takes its meaning from the header cells above it.
func (w *walker) dutySummary(tbls []*table) {
	d := &w.r.InfoSummary.CreditTransExtensionAndDebtSummary.ConcernedRefundDutyInfoSummary
	for _, t := range tbls {
		var party, kind row
		var leaf row
		for i, r := range t.rows {
			first := norm(r[0].text())
			switch {
			case first == "为个人" || first == "为企业":
				party = r
			case first == "担保责任" || first == "其他相关还款责任":
				kind = r
			case first == "账户数":
				leaf = r
			case party != nil && kind != nil && leaf != nil && i > 0:
				for _, v := range r {
					p, k, l := below(v, party), below(v, kind), below(v, leaf)
					if p == nil || k == nil || l == nil {
						continue
					}
					side := &d.ForPerson
					if norm(p.text()) == "为企业" {
						side = &d.ForCompany
					}
					val := clean(v.text())
					switch norm(k.text()) + "/" + norm(l.text()) {
					case "担保责任/账户数":
						side.GuaranteeDuty.AccountNum = val
					case "担保责任/担保金额":
						side.GuaranteeDuty.GuaranteeAmount = val
					case "担保责任/余额":
						side.GuaranteeDuty.SurplusAmount = val
					case "其他相关还款责任/账户数":
						side.OtherRefundDuty.AccountNum = val
					case "其他相关还款责任/还款责任金额":
						side.OtherRefundDuty.RefundDutyAmount = val
					case "其他相关还款责任/余额":
						side.OtherRefundDuty.SurplusAmount = val
					}
				}
				return
			}
		}
	}
}

// queryCounts reads the two-level table of query counts.
func (w *walker) queryCounts(tbls []*table) {
	q := &w.r.InfoSummary.QueryRecordSummary
	dst := map[string]*string{
		"最近1个月内的查询机构数/贷款审批":   &q.Last1MonthQueryCompanyNum.LoanApproval,
		"最近1个月内的查询机构数/信用卡审批":  &q.Last1MonthQueryCompanyNum.CreditApproval,
		"最近1个月内的查询次数/贷款审批":    &q.Last1MonthQueryNum.LoanApproval,
		"最近1个月内的查询次数/信用卡审批":   &q.Last1MonthQueryNum.CreditApproval,
		"最近1个月内的查询次数/本人查询":    &q.Last1MonthQueryNum.SelfQuery,
		"最近2年内的查询次数/贷后管理":     &q.Last2YearQueryNum.ManagerAfterLoan,
		"最近2年内的查询次数/担保资格审查":   &q.Last2YearQueryNum.GuaranteeInvestigate,
		"最近2年内的查询次数/特约商户实名审查": &q.Last2YearQueryNum.BespokeMerchantsRealNameInvestigate,
	}
	for _, t := range tbls {
		for i := 0; i+2 < len(t.rows); i++ {
			if !strings.HasPrefix(norm(t.rows[i][0].text()), "最近") {
				continue
			}
			groups, leaves, vals := t.rows[i], t.rows[i+1], t.rows[i+2]
			for _, v := range vals {
				g, l := below(v, groups), below(v, leaves)
				if g == nil || l == nil {
					continue
				}
				if p, ok := dst[norm(g.text())+"/"+norm(l.text())]; ok {
					*p = clean(v.text())
				}
			}
			return
		}
	}
}

// noncredit reads 四 非信贷交易信息明细: per account a one-row table and a
// payment grid.
func (w *walker) noncredit(p *part) error {
	for _, b := range splitBlocks(p.items) {
		if b.name == "" {
			continue
		}
		w.account, w.page = b.name, b.page
		a := cr.NoncreditAccount{Name: b.name}
		for _, row := range w.list(tables(b.items), "机构名称", "业务类型", "业务开通日期", "当前缴费状态", "当前欠费金额", "记账年月") {
			a.CompanyName, a.Type, a.StartDate, a.CurrPayedState, a.CurrOverdueAmount, a.AccountDate = row[0], row[1], row[2], row[3], row[4], row[5]
			break
		}
		g, err := w.grids(b.items, false)
		if err != nil {
			return err
		}
		a.RefundRecord.DateRange = g.dateRange
		for _, y := range g.years {
			py := cr.PaymentYear{Year: y.year}
			for _, m := range y.months {
				py.Month = append(py.Month, cr.PaymentMonth{MonthValue: m.month, State: m.state})
			}
			a.RefundRecord.Detail = append(a.RefundRecord.Detail, py)
		}
		w.r.NoncreditTransInfoDetail = append(w.r.NoncreditTransInfoDetail, a)
	}
	return nil
}
