package creditreport

import "strings"

// Summary is what the product keeps beside a sealed report: whom it is
// about, and the counts that risk rules and the borrower's credit screen
// read. Counts come from the report's own summary tables (二 信息概要), not
// from re-counting the detail, because that is what the bureau certifies.
type Summary struct {
	SerialNo             string // 报告编号
	ReportTime           string // 报告时间 as printed
	Name                 string // 被查询者姓名
	IDType               string // 被查询者证件类型
	IDNumber             string // 被查询者证件号码
	Accounts             int    // 信贷交易信息提示 合计 账户数
	OverdueAccounts      int    // 逾期（透支）信息汇总: accounts over every account type
	LongestOverdueMonths int    // the largest 最长逾期/透支月数
	BadDebts             int    // 呆账信息汇总 账户数
	QueriesLastMonth     int    // 最近1个月内的查询次数: loan + credit-card approvals
}

// Summarize reads a report's summary figures. A count printed as "--" or
// left empty is zero.
func Summarize(r *Report) Summary {
	h := r.CreditHeader
	b := r.InfoSummary.CreditTransBreachInfoSummary
	q := r.InfoSummary.QueryRecordSummary.Last1MonthQueryNum
	s := Summary{
		SerialNo: h.SerialNo, ReportTime: h.ReportTime, Name: h.WhoWasChecked, IDType: h.IDType, IDNumber: h.IDNum,
		Accounts:         count(r.InfoSummary.CreditTransInfoHint.TotalAccountNum),
		BadDebts:         count(b.BadDebtsSummary.AccountNum),
		QueriesLastMonth: count(q.LoanApproval) + count(q.CreditApproval),
	}
	for _, row := range b.OverdueInfoCollection {
		s.OverdueAccounts += count(row.AccountNum)
		s.LongestOverdueMonths = max(s.LongestOverdueMonths, count(row.MaxOverdueMonthNum))
	}
	return s
}

// count reads a printed whole number ("12", "1,024"); anything else is 0.
func count(v string) int {
	v = strings.ReplaceAll(strings.TrimSpace(v), ",", "")
	n := 0
	for _, c := range v {
		if c < '0' || c > '9' || n > 1e8 {
			return 0
		}
		n = n*10 + int(c-'0')
	}
	return n
}
