package parse

import (
	"fmt"
	"regexp"

	cr "creditpocket/internal/creditreport"
)

var (
	asOf          = regexp.MustCompile(`^截至(\d{4}年\d{1,2}月\d{1,2}日)$`)
	inactiveLine  = regexp.MustCompile(`^截至(\d{4}年\d{1,2}月\d{1,2}日),?账户状态为"?([^"。]+)"?。?$`)
	latestCaption = regexp.MustCompile(`^(\d{4}年\d{1,2}月\d{1,2}日)以后的最新还款记录$`)
)

// tableKind classifies an account block's table by its first row.
type tableKind int

const (
	kindKV tableKind = iota
	kindSpecialTrans
	kindStatement
	kindSpecialEvent
	kindLatestRepay
	kindBigAmount
	kindGrid
)

var statementTitles = map[string]bool{"机构说明": true, "本人声明": true, "异议标注": true, "特殊标注": true}

func classify(t *table) (tableKind, string) {
	if len(t.rows) == 0 {
		return kindKV, ""
	}
	return classifyRow(t.rows[0])
}

// classifyRow recognises the header row of each table kind of an account
// block; any other row is kindKV.
func classifyRow(r row) (tableKind, string) {
	first := norm(r[0].text())
	switch {
	case first == "特殊交易类型":
		return kindSpecialTrans, first
	case statementTitles[first] && len(r) >= 2 && norm(r[len(r)-1].text()) == "添加日期":
		return kindStatement, first
	case first == "特殊事件说明":
		return kindSpecialEvent, first
	case first == "五级分类" && len(r) >= 3 && norm(r[2].text()) == "还款日期":
		return kindLatestRepay, first
	case first == "大额专项分期额度":
		return kindBigAmount, first
	}
	months := 0
	for _, c := range r {
		switch norm(c.text()) {
		case "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12":
			months++
		}
	}
	if months >= 10 {
		return kindGrid, ""
	}
	return kindKV, ""
}

// account is what every account block prints, read once and then mapped
// to the kind's type.
type account struct {
	fields     map[string]string // label → value of the key/value tables
	dueDate    string            // 截至 date
	inactive   string            // date of 截至…，账户状态为"未激活"
	inactiveAs string            // the state that sentence prints
	latest     *cr.LatestRepay
	bigAmount  *cr.BigAmountPeriod
	grid       grid
	special    []cr.SpecialTrans
	event      string
	statements map[string][]cr.Statement
}

// accountLabels are all key/value labels of account blocks; a row of them
// is a label row.
var accountLabels = labelSet(
	"管理机构", "账户标识", "开立日期", "到期日期", "借款金额", "账户币种", "业务种类", "担保方式", "还款期数", "还款频率", "还款方式", "共同借款标志",
	"账户状态", "五级分类", "余额", "剩余还款期数", "本月应还款", "应还款日", "本月实还款", "最近一次还款日期",
	"当前逾期期数", "当前逾期总额", "逾期31-60天未还本金", "逾期61-90天未还本金", "逾期91-180天未还本金", "逾期180天以上未还本金",
	"转出月份", "账户关闭日期", "发卡机构", "账户授信额度", "共享授信额度", "币种", "已用额度", "未出单的大额专项分期余额", "剩余分期期数",
	"最近6个月平均使用额度", "最大使用额度", "账单日", "销户日期", "透支余额", "最近6个月平均透支余额", "最大透支余额", "透支180天以上未付余额",
	"债权接收日期", "原债务业务种类", "债权金额", "债权转移时的还款状态", "责任人类型", "还款责任金额", "保证合同编号", "还款状态", "逾期月数",
	"授信协议标识", "生效日期", "授信额度用途", "授信额度", "授信限额", "授信限额编号",
)

// splitAtHeaders cuts a table before every header row of a non-key/value
// table kind. LibreOffice draws consecutive tables flush, so a special
// transactions table can arrive as the last rows of a grid.
func splitAtHeaders(items []item) []item {
	var out []item
	for _, it := range items {
		if it.tbl == nil {
			out = append(out, it)
			continue
		}
		cur := &table{page: it.tbl.page, xs: it.tbl.xs, top: it.tbl.top, bottom: it.tbl.bottom}
		for i, r := range it.tbl.rows {
			if kind, _ := classifyRow(r); kind != kindKV && i > 0 && len(cur.rows) > 0 {
				out = append(out, item{page: it.page, top: it.top, tbl: cur})
				cur = &table{page: it.tbl.page, xs: it.tbl.xs, top: it.tbl.top, bottom: it.tbl.bottom}
			}
			cur.rows = append(cur.rows, r)
		}
		if len(cur.rows) > 0 {
			out = append(out, item{page: it.page, top: it.top, tbl: cur})
		}
	}
	return out
}

// readAccount reads one block's tables and captions.
func (w *walker) readAccount(b block, withAmounts bool) (*account, error) {
	a := &account{statements: map[string][]cr.Statement{}}
	b.items = splitAtHeaders(b.items)
	var kvTables []*table
	caption := ""
	for _, it := range b.items {
		if it.tbl == nil {
			n := norm(it.text)
			if m := inactiveLine.FindStringSubmatch(n); m != nil {
				a.inactive, a.inactiveAs = m[1], m[2]
			} else if m := asOf.FindStringSubmatch(n); m != nil {
				a.dueDate = m[1]
			}
			caption = n
			continue
		}
		w.page = it.page
		kind, title := classify(it.tbl)
		switch kind {
		case kindKV:
			kvTables = append(kvTables, it.tbl)
		case kindSpecialTrans:
			for _, r := range w.list([]*table{it.tbl}, "特殊交易类型", "发生日期", "变更月数", "发生金额", "明细记录") {
				a.special = append(a.special, cr.SpecialTrans{Type: r[0], OccurDate: r[1], ChangeMonthNum: r[2], OccurAmount: r[3], DetailRecord: r[4]})
			}
		case kindStatement:
			for _, r := range w.list([]*table{it.tbl}, title, "添加日期") {
				a.statements[title] = append(a.statements[title], cr.Statement{Value: r[0], AddDate: r[1]})
			}
		case kindSpecialEvent:
			for _, r := range w.list([]*table{it.tbl}, "特殊事件说明") {
				a.event += r[0]
			}
		case kindLatestRepay:
			for _, r := range w.list([]*table{it.tbl}, "五级分类", "余额", "还款日期", "还款金额", "当前还款状态") {
				l := &cr.LatestRepay{FiveLevelType: r[0], SurplusAmount: r[1], RefundDate: r[2], RefundAmount: r[3], CurrRefundState: r[4]}
				if m := latestCaption.FindStringSubmatch(caption); m != nil {
					l.Value = m[1]
				}
				a.latest = l
				break
			}
		case kindBigAmount:
			for _, r := range w.list([]*table{it.tbl}, "大额专项分期额度", "分期额度生效日期", "分期额度到期日期", "已用分期金额") {
				a.bigAmount = &cr.BigAmountPeriod{PeriodAmount: r[0], PeriodAmountEffectiveDate: r[1], PeriodAmountDueDate: r[2], UsedPeriodAmount: r[3]}
				break
			}
		}
	}
	a.fields = kvMap(kv(kvTables, accountLabels))
	g, err := w.grids(b.items, withAmounts)
	if err != nil {
		return nil, err
	}
	a.grid = g
	return a, nil
}

func (a *account) has(labels ...string) bool {
	for _, l := range labels {
		if _, ok := a.fields[norm(l)]; !ok {
			return false
		}
	}
	return true
}

func (a *account) get(label string) string { return a.fields[norm(label)] }

func (a *account) refundRecord() cr.RefundRecord {
	r := cr.RefundRecord{DateRange: a.grid.dateRange, StartDate: a.grid.start, EndDate: a.grid.end}
	for _, y := range a.grid.years {
		ry := cr.RefundYear{Year: y.year}
		for _, m := range y.months {
			ry.Month = append(ry.Month, cr.RefundMonth{MonthValue: m.month, Amount: m.amount, State: m.state})
		}
		r.Detail = append(r.Detail, ry)
	}
	return r
}

// creditDetail reads 三 信贷交易信息明细, one sub-section at a time.
func (w *walker) creditDetail(p *part) error {
	d := &w.r.CreditTransInfoDetail
	// The 相关还款责任 headings end the previous block's items and apply to
	// the blocks after them.
	var duty, next string
	for _, b := range splitBlocks(p.items) {
		duty = next
		for _, n := range texts(b.items) {
			switch n {
			case "有相关还款责任的个人借款":
				next = "个人"
			case "有相关还款责任的企业借款":
				next = "企业"
			}
		}
		if b.name == "" {
			continue
		}
		w.account, w.page = b.name, b.page
		a, err := w.readAccount(b, true)
		if err != nil {
			return err
		}
		switch p.sub {
		case "被追偿信息":
			d.RecoveryInfo = append(d.RecoveryInfo, recovery(b.name, a))
		case "非循环贷账户":
			d.AcyclicCreditAccount = append(d.AcyclicCreditAccount, loan(b.name, a))
		case "循环额度下分账户":
			d.CyclicalAmountPerAccount = append(d.CyclicalAmountPerAccount, loan(b.name, a))
		case "循环贷账户":
			d.CyclicalLoanAccount = append(d.CyclicalLoanAccount, loan(b.name, a))
		case "贷记卡账户":
			d.CreditAccount = append(d.CreditAccount, card(b.name, a))
		case "准贷记卡账户":
			d.QuasiCreditAccount = append(d.QuasiCreditAccount, quasiCard(b.name, a))
		case "授信协议信息":
			d.ExtensionProtocolInfo = append(d.ExtensionProtocolInfo, protocol(b.name, a))
		case "相关还款责任信息":
			r := cr.RefundDuty{Name: b.name, DueDate: a.dueDate}
			fill(a.fields, map[string]*string{"管理机构": &r.ManageCompany, "业务种类": &r.Type, "开立日期": &r.StartDate, "到期日期": &r.DeadlineDate,
				"责任人类型": &r.PersonDutyType, "还款责任金额": &r.RefundDutyAmount, "币种": &r.CurrencyType, "保证合同编号": &r.GuaranteeContractSerial,
				"五级分类": &r.FiveLevelType, "余额": &r.SurplusAmount})
			switch {
			case duty == "企业" || (duty == "" && a.has("逾期月数")):
				d.ConcernedRefundDutyInfo.ConcernRefundCompanyBorrow = append(d.ConcernedRefundDutyInfo.ConcernRefundCompanyBorrow,
					cr.CompanyRefundDuty{RefundDuty: r, OverdueMonthNum: a.get("逾期月数")})
			default:
				d.ConcernedRefundDutyInfo.ConcernRefundPersonBorrow = append(d.ConcernedRefundDutyInfo.ConcernRefundPersonBorrow,
					cr.PersonRefundDuty{RefundDuty: r, RefundState: a.get("还款状态")})
			}
		default:
			return w.fail(fmt.Errorf("account block in unknown sub-section %q", p.label))
		}
	}
	return nil
}

func recovery(name string, a *account) cr.RecoveryAccount {
	r := cr.RecoveryAccount{Name: name, DueDate: a.dueDate, SpecialTransTypes: a.special}
	fill(a.fields, map[string]*string{"管理机构": &r.ManageCompany, "业务种类": &r.Type, "债权接收日期": &r.CreditorReceivedDate,
		"原债务业务种类": &r.OriginalType, "债权金额": &r.CreditorAmount, "债权转移时的还款状态": &r.StateWhenCreditorTransfer, "账户状态": &r.AccountState.Value})
	switch {
	case a.has("账户关闭日期"):
		r.AccountState.DebtFinish = &cr.ClosedState{AccountClosedDate: a.get("账户关闭日期")}
	case a.has("余额") || a.has("最近一次还款日期"):
		r.AccountState.DebtCollection = &cr.DebtCollection{SurplusAmount: a.get("余额"), LatestRepayDate: a.get("最近一次还款日期")}
	}
	return r
}

func loan(name string, a *account) cr.LoanAccount {
	l := cr.LoanAccount{Name: name, DueDate: a.dueDate, BeforeDeadlineDate: a.latest, RefundRecord: a.refundRecord(), SpecialTransTypes: a.special,
		CompanyInfo: a.statements["机构说明"], SelfStatement: a.statements["本人声明"], ObjectionLabel: a.statements["异议标注"], SpecialLabel: a.statements["特殊标注"]}
	fill(a.fields, map[string]*string{"管理机构": &l.ManageCompany, "账户标识": &l.AmountID, "开立日期": &l.StartDate, "到期日期": &l.DeadlineDate,
		"借款金额": &l.RefundAmount, "账户币种": &l.AccountCurrencyType, "业务种类": &l.Type, "担保方式": &l.GuaranteeType, "还款期数": &l.RefundPeriodNum,
		"还款频率": &l.RefundFrequency, "还款方式": &l.RefundType, "共同借款标志": &l.JoinRefundFlag, "账户状态": &l.AccountState.Value})
	s := &l.AccountState
	switch {
	case a.has("五级分类") || a.has("剩余还款期数") || a.has("当前逾期期数"):
		n := &cr.LoanNormal{}
		fill(a.fields, map[string]*string{"五级分类": &n.FiveLevelType, "余额": &n.SurplusAmount, "剩余还款期数": &n.SurplusPaymentNum,
			"本月应还款": &n.ScheduledPayment, "应还款日": &n.ScheduledPayAt, "本月实还款": &n.RealPayed, "最近一次还款日期": &n.LatestRepayDate,
			"当前逾期期数": &n.CurrOverduePeriods, "当前逾期总额": &n.CurrOverdueAmount, "逾期31-60天未还本金": &n.Overdue31To60,
			"逾期61-90天未还本金": &n.Overdue61To90, "逾期91-180天未还本金": &n.Overdue91To180, "逾期180天以上未还本金": &n.Overdue180})
		s.Normal = n
	case a.has("转出月份"):
		s.Transfer = &cr.TransferState{TransferDate: a.get("转出月份")}
	case a.has("账户关闭日期"):
		s.Clear = &cr.ClosedState{AccountClosedDate: a.get("账户关闭日期")}
	case a.has("余额") || a.has("最近一次还款日期"):
		s.BadDebt = &cr.BadDebtState{SurplusAmount: a.get("余额"), LatestRepayDate: a.get("最近一次还款日期")}
	}
	return l
}

func card(name string, a *account) cr.CardAccount {
	c := cr.CardAccount{Name: name, DueDate: a.dueDate, BigAmountSpecialPeriodInfo: a.bigAmount, BeforeDueDate: a.latest, RefundRecord: a.refundRecord(),
		SpecialEventInfo: a.event, SpecialTransTypes: a.special, CompanyInfo: a.statements["机构说明"], SelfStatement: a.statements["本人声明"], ObjectionLabel: a.statements["异议标注"]}
	fill(a.fields, map[string]*string{"发卡机构": &c.CardCompany, "账户标识": &c.AmountID, "开立日期": &c.StartDate, "账户授信额度": &c.AccountExtensionAmount,
		"共享授信额度": &c.SharedExtensionAmount, "币种": &c.CurrencyType, "业务种类": &c.Type, "担保方式": &c.GuaranteeType, "账户状态": &c.AccountState.Value})
	s := &c.AccountState
	switch {
	case a.inactive != "":
		a.inactiveState(&s.Value, &s.Inactive, &c.DueDate)
	case a.has("已用额度") || a.has("账单日"):
		n := &cr.CardNormal{}
		fill(a.fields, map[string]*string{"余额": &n.SurplusAmount, "已用额度": &n.UsedAmount, "未出单的大额专项分期余额": &n.UnspecifiedLargeAmountSpecificPeriodAmount,
			"剩余分期期数": &n.SurplusPeriodsNum, "最近6个月平均使用额度": &n.Avg6MonthPay, "最大使用额度": &n.MaxUsedAmount, "账单日": &n.BillDate,
			"本月应还款": &n.ScheduledPayment, "本月实还款": &n.RealPayed, "最近一次还款日期": &n.LatestRepayDate, "当前逾期期数": &n.CurrOverduePeriods, "当前逾期总额": &n.CurrOverdueAmount})
		s.Normal = n
	default:
		a.closedCardState(&s.AccountCanceled, &s.BadDebt)
	}
	return c
}

// inactiveState fills the 未激活 state a credit card and a quasi-credit
// card share: the sentence's state word and its date, which is also the
// account's 截至 date.
func (a *account) inactiveState(value *string, st **cr.InactiveState, dueDate *string) {
	*value = a.inactiveAs
	*st = &cr.InactiveState{InactiveDueDate: a.inactive}
	*dueDate = a.inactive
}

// closedCardState fills the short state tables both card kinds share: 销户
// (cancelled) or 呆账 (bad debt); neither when the table has no such column.
func (a *account) closedCardState(canceled **cr.CanceledState, badDebt **cr.BadDebtState) {
	switch {
	case a.has("销户日期"):
		*canceled = &cr.CanceledState{CanceledDate: a.get("销户日期")}
	case a.has("余额") || a.has("最近一次还款日期"):
		*badDebt = &cr.BadDebtState{SurplusAmount: a.get("余额"), LatestRepayDate: a.get("最近一次还款日期")}
	}
}

func quasiCard(name string, a *account) cr.QuasiCardAccount {
	c := cr.QuasiCardAccount{Name: name, DueDate: a.dueDate, RefundRecord: a.refundRecord(), SpecialTransTypes: a.special}
	fill(a.fields, map[string]*string{"发卡机构": &c.CardCompany, "账户标识": &c.AmountID, "开立日期": &c.StartDate, "账户授信额度": &c.AccountExtensionAmount,
		"共享授信额度": &c.SharedExtensionAmount, "币种": &c.CurrencyType, "担保方式": &c.GuaranteeType, "账户状态": &c.AccountState.Value})
	s := &c.AccountState
	switch {
	case a.inactive != "":
		a.inactiveState(&s.Value, &s.Inactive, &c.DueDate)
	case a.has("透支余额") || a.has("最大透支余额"):
		n := &cr.QuasiCardNormal{}
		fill(a.fields, map[string]*string{"透支余额": &n.OverDraftAmount, "最近6个月平均透支余额": &n.Latest6MonthsAvgOverDraftAmount, "最大透支余额": &n.MaxOverDraftAmount,
			"账单日": &n.BillDate, "本月实还款": &n.RealPayed, "最近一次还款日期": &n.LatestRepayDate, "透支180天以上未付余额": &n.OverDraft180UnpayedAmount})
		s.Normal = n
	default:
		a.closedCardState(&s.AccountCanceled, &s.BadDebt)
	}
	return c
}

func protocol(name string, a *account) cr.ExtensionProtocol {
	p := cr.ExtensionProtocol{Name: name}
	fill(a.fields, map[string]*string{"管理机构": &p.ManageCompany, "授信协议标识": &p.ExtensionProtocolID, "生效日期": &p.EffectDate, "到期日期": &p.DeadlineDate,
		"授信额度用途": &p.ExtensionAmountScope, "授信额度": &p.ExtensionAmount, "授信限额": &p.ExtensionLimitAmount, "授信限额编号": &p.ExtensionLimitSerial,
		"已用额度": &p.UsedAmount, "币种": &p.CurrencyType})
	return p
}
